-- RPC support_merge_ticket: staff merge a duplicate into another ticket of the same requester.
--
-- Why: the feature helpdesk users ask for most. POST /rest/v1/rpc/support_merge_ticket with
-- {ticket_id, into_ticket_id}. The source closes with merged_into set, along the lifecycle of
-- public.ticket_transitions (open/in_progress -> resolved -> closed, as support's moves, with the
-- resolution "merged" text of support_messages unless it has one), so no new move is needed.
-- Nothing is copied: the source's public messages stay readable on the source, its internal
-- notes stay internal, and both histories record the merge (a `merged` event each). Only staff
-- merge (403 otherwise); 404 for a missing ticket, 400 for a ticket merged into itself, 409 for
-- tickets of two requesters, a closed source or target, or a problem with linked reports.

-- Security definer: staff change tickets only through definer functions (signed-in users hold
-- no update on support_tickets) and no role inserts history events directly. It checks that
-- the caller is staff, locks both tickets, and sets only merged_into, resolution and status.
create function private.merge_ticket_as_staff(source_id uuid, target_id uuid)
    returns public.support_tickets
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    source public.support_tickets;
    target public.support_tickets;
begin
    perform private.require_staff();
    if source_id = target_id then
        perform private.refuse('merge_into_itself');
    end if;
    -- Both rows locked in id order, so two merges of the same pair cannot deadlock.
    perform 1 from public.support_tickets as t where t.id in (source_id, target_id) order by t.id for update;
    select t.* into source from public.support_tickets as t where t.id = source_id;
    select t.* into target from public.support_tickets as t where t.id = target_id;
    if source.id is null or target.id is null then
        perform private.raise_ticket_not_found();
    end if;
    if source.user_id <> target.user_id then
        perform private.refuse('merge_other_requester');
    end if;
    if source.status = 'closed' then
        perform private.refuse('merge_closed_source');
    end if;
    if target.status = 'closed' then
        perform private.refuse('merge_closed_target');
    end if;
    if exists (select 1 from public.support_tickets as r where r.problem_id = source.id) then
        perform private.refuse('merge_problem_with_reports');
    end if;

    update public.support_tickets as t
    set merged_into = target.id,
        resolution = coalesce(nullif(pg_catalog.btrim(t.resolution), ''), private.support_message('ticket_merged')),
        status = 'resolved'
    where t.id = source.id and t.status <> 'resolved';
    update public.support_tickets as t
    set merged_into = target.id, status = 'closed'
    where t.id = source.id
    returning t.* into source;

    insert into public.ticket_events (ticket_id, kind, actor_id, actor_kind, from_value, to_value) values
        (source.id, 'merged', (select auth.uid()), 'agent', source.id::text, target.id::text),
        (target.id, 'merged', (select auth.uid()), 'agent', source.id::text, target.id::text);
    return source;
end;
$$;

comment on function private.merge_ticket_as_staff(uuid, uuid) is
    'Staff only: closes source_id as merged into target_id (same requester), recording a merged '
    'event on both.';
revoke all on function private.merge_ticket_as_staff(uuid, uuid) from public;
grant execute on function private.merge_ticket_as_staff(uuid, uuid) to authenticated;

create function public.support_merge_ticket(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    target uuid;
    merged public.support_tickets;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"ticket_id": "string", "into_ticket_id": "string"}');
    target := private.uuid_param(body ->> 'into_ticket_id', 'into_ticket_id');
    merged := private.merge_ticket_as_staff(private.uuid_param(body ->> 'ticket_id', 'ticket_id'), target);
    return pg_catalog.json_build_object(
        'ticket_id', merged.id,
        'status', merged.status,
        'merged_into', merged.merged_into,
        'updated_at', private.utc_text_precise(merged.updated_at)
    );
end;
$$;

comment on function public.support_merge_ticket(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, into_ticket_id}: closes ticket_id as merged into '
    'into_ticket_id (same requester). Returns {ticket_id, status, merged_into, updated_at}. 400 for '
    'a bad id or the same ticket twice, 404 for a missing ticket, 409 for two requesters, a closed '
    'ticket or a problem with reports.';

revoke all on function public.support_merge_ticket(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_merge_ticket(jsonb) to authenticated;
