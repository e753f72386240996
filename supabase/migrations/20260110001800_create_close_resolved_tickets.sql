-- The scheduler's job: close tickets resolved long enough ago without a reply from the user.
--
-- Why: a resolved ticket the user does not answer is settled; the system closes it after the
-- only_after of the (resolved, closed, system) row of public.ticket_transitions (7 days). A
-- user's reply reopens a resolved ticket, so "resolved since" is "without a user reply since".
-- `now` is a parameter so that tests pass time instead of sleeping. pg_cron runs it every ten
-- minutes (20260112000700_schedule_cron_jobs.sql), on hosted Supabase and locally; the stack
-- runner calls it every minute only where PostgreSQL has no pg_cron (PostgreSQL 17 from npm):
-- one scheduler, never two.
-- It runs as service_role or postgres only.
--
-- One run at a time: a run first takes a transaction-level advisory lock on a fixed key,
-- pg_catalog.hashtextextended('support_api.close_resolved_tickets', 0), and a run that finds it
-- taken returns null at once and does nothing. Why: on a 10M-ticket bench database a run waited
-- minutes behind an index rebuild, and the runs due meanwhile piled up behind it (pg_cron
-- queues its own next run; the stack runner where it stands in for pg_cron, and an admin's
-- manual call do not wait for it), each holding a connection, blocked behind the
-- same rebuild and then behind the first run's row locks. PostgreSQL releases the lock
-- when the run's transaction ends, however it ends; the next run does the work. The update
-- reads the partial index below (resolved tickets by resolved_at), so a run touches only the
-- tickets old enough to close, not the closed history nor the recently resolved ones.
-- tests/test_close_resolved_tickets.py checks both between real sessions (the plan through
-- auto_explain).

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
    if not pg_catalog.pg_try_advisory_xact_lock(
        pg_catalog.hashtextextended('support_api.close_resolved_tickets', 0)
    ) then
        return null;
    end if;

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
    'many, or null when another run is still active (it then does nothing). Call from a '
    'scheduler (pg_cron on hosted Supabase, the stack runner locally).';

revoke all on function private.close_resolved_tickets(timestamptz) from public, anon, authenticated;
grant execute on function private.close_resolved_tickets(timestamptz) to service_role;

create index support_tickets_resolved_at_idx on public.support_tickets (resolved_at)
    where status = 'resolved';
