-- RPC support_ticket: one ticket as staff see it.
--
-- Why: an agent working a ticket needs all of it: the ticket (with updated_at to microseconds,
-- to send back as expected_updated_at), the requester's id and email, the assignee, its service
-- levels as the queue shows them (first_response_due_at, first_responded_at,
-- resolution_due_at, next_due_at, waiting_on_user: the clock paused on the user, breached as of
-- the request), the requester's rating when there is one ({rating, comment, created_at}),
-- merged_into, problem_id and, for a problem, its number of linked reports, every message
-- (internal notes included), every event, and every file linked to the ticket or one of its
-- messages (internal notes included), oldest first, in the shape get_ticket uses.
-- GET /rest/v1/rpc/support_ticket?ticket_id=<uuid>. Non-staff callers get 403; a ticket's owner
-- reads it through get_ticket, which shows none of the staff fields.
-- Defined here, once, because its answer reads the service levels (20260111000100, through
-- private.ticket_service_levels of 20260111001100), the ratings (20260111000300), the merge and
-- problem links (20260111000500, 20260111000700) and the attachments (20260116000300).

-- Security definer: staff hold no read policy on tickets, messages and events (see
-- 20260110000800), and signed-in users cannot read auth.users (the requester's email). It
-- checks first that the caller is staff and reads the one ticket asked for.
create function private.support_ticket(ticket_id text)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    target uuid;
    ticket public.support_tickets;
begin
    perform private.require_staff();
    target := private.uuid_param(support_ticket.ticket_id, 'ticket_id');
    select t.* into ticket from public.support_tickets as t where t.id = target;
    if not found then
        perform private.raise_ticket_not_found();
    end if;

    return (pg_catalog.jsonb_build_object(
        'ticket_id', ticket.id,
        'ticket_type', ticket.ticket_type,
        'subject', ticket.subject,
        'description', ticket.description,
        'status', ticket.status,
        'priority', ticket.priority,
        'requested_priority', ticket.requested_priority,
        'admin_notes', ticket.admin_notes,
        'resolution', ticket.resolution,
        'assigned_to', ticket.assigned_to,
        'meta_data', ticket.meta_data,
        'follow_up_of', ticket.follow_up_of,
        'created_at', private.utc_text(ticket.created_at),
        'updated_at', private.utc_text_precise(ticket.updated_at),
        'resolved_at', private.utc_text(ticket.resolved_at),
        'steps_to_reproduce', ticket.steps_to_reproduce,
        'expected_behavior', ticket.expected_behavior,
        'actual_behavior', ticket.actual_behavior,
        'device_info', ticket.device_info,
        'app_version', ticket.app_version,
        'screenshot_urls', ticket.screenshot_urls,
        'merged_into', ticket.merged_into,
        'problem_id', ticket.problem_id,
        'reports', private.problem_report_count(ticket.id),
        'rating', (
            select pg_catalog.jsonb_build_object(
                'rating', r.rating, 'comment', r.comment, 'created_at', private.utc_text(r.created_at))
            from public.ticket_ratings as r
            where r.ticket_id = ticket.id
        ),
        'requester', pg_catalog.json_build_object(
            'id', ticket.user_id, 'email', (select u.email from auth.users as u where u.id = ticket.user_id)),
        'assignee', (
            select pg_catalog.json_build_object('id', s.user_id, 'display_name', s.display_name, 'role', s.role)
            from public.support_staff as s
            where s.user_id = ticket.assignee_id
        ),
        'messages', coalesce((
            select pg_catalog.json_agg(pg_catalog.json_build_object(
                    'message_id', m.id,
                    'author_id', m.author_id,
                    'author_kind', m.author_kind,
                    'author_name', s.display_name,
                    'internal', m.internal,
                    'body', m.body,
                    'created_at', private.utc_text(m.created_at)
                ) order by m.created_at, m.id)
            from public.ticket_messages as m
            left join public.support_staff as s on s.user_id = m.author_id
            where m.ticket_id = ticket.id
        ), '[]'::json),
        'events', coalesce((
            select pg_catalog.json_agg(pg_catalog.json_build_object(
                    'kind', e.kind,
                    'internal', e.internal,
                    'actor_id', e.actor_id,
                    'actor_kind', e.actor_kind,
                    'from', e.from_value,
                    'to', e.to_value,
                    'message_id', e.message_id,
                    'rule', e.rule_name,
                    'at', private.utc_text(e.created_at)
                ) order by e.created_at, e.id)
            from public.ticket_events as e
            where e.ticket_id = ticket.id
        ), '[]'::json),
        'attachments', private.ticket_attachments_json(ticket.id, true),
        'tags', private.ticket_tags_json(ticket.id),
        'fields', private.ticket_fields_json(ticket.id, true)
    ) || private.ticket_service_levels(ticket, now()))::json;
end;
$$;

comment on function private.support_ticket(text) is
    'A ticket as staff see it (see public.support_ticket); checks that the caller is staff first.';
revoke all on function private.support_ticket(text) from public;
grant execute on function private.support_ticket(text) to authenticated;

create function public.support_ticket(ticket_id text)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.support_ticket(support_ticket.ticket_id);
end;
$$;

comment on function public.support_ticket(text) is
    'Staff only (403 otherwise): a ticket with requester {id, email}, requested_priority (what '
    'the user asked; priority is the effective one), assignee, its service levels '
    '(first_response_due_at, first_responded_at, resolution_due_at, next_due_at, waiting_on_user, '
    'breached), rating ({rating, comment, created_at} or null), merged_into, problem_id, reports '
    '(linked reports of a problem), every message (internal notes included), every event, '
    'every attachment, its tags and its custom fields ({key: value}, staff-only ones included). 400 when ticket_id is not a UUID, 404 when it does not exist.';

revoke all on function public.support_ticket(text) from public, anon, authenticated, service_role;
grant execute on function public.support_ticket(text) to authenticated;
