-- The scheduler's job: close tickets resolved long enough ago without a reply from the user.
--
-- Why: a resolved ticket the user does not answer is settled; the system closes it after the
-- only_after of the (resolved, closed, system) row of public.ticket_transitions (7 days). A
-- user's reply reopens a resolved ticket, so "resolved since" is "without a user reply since".
-- `now` is a parameter so that tests pass time instead of sleeping. Locally the stack runner
-- calls it every minute; on hosted Supabase schedule it with pg_cron (Integrations > Cron):
--     select cron.schedule('close-resolved-tickets', '*/10 * * * *',
--                          'select private.close_resolved_tickets()');
-- It runs as service_role or postgres only.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file require-concurrent-index-creation

create function private.close_resolved_tickets(now timestamptz default pg_catalog.now())
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    wait interval;
    closed integer;
begin
    select t.only_after into wait
    from public.ticket_transitions as t
    where t.from_status = 'resolved' and t.to_status = 'closed' and t.actor_kind = 'system';
    if not found then
        return 0;
    end if;

    -- The transition trigger and the history record this transaction's moves as the system's.
    perform pg_catalog.set_config('support.actor_kind', 'system', true);
    update public.support_tickets as t
    set status = 'closed'
    where t.status = 'resolved'
        and t.resolved_at <= close_resolved_tickets.now - coalesce(wait, interval '0');
    get diagnostics closed = row_count;
    perform pg_catalog.set_config('support.actor_kind', '', true);
    return closed;
end;
$$;

comment on function private.close_resolved_tickets(timestamptz) is
    'Closes tickets resolved at least only_after (7 days) before `now` as the system; returns how '
    'many. Call from a scheduler (pg_cron on hosted Supabase, the stack runner locally).';

revoke all on function private.close_resolved_tickets(timestamptz) from public, anon, authenticated;
grant execute on function private.close_resolved_tickets(timestamptz) to service_role;

create index support_tickets_resolved_at_idx on public.support_tickets (resolved_at)
    where status = 'resolved';
