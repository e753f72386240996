-- support_queue rows gain requester_email, last_message_at and waiting_on: fields added, none
-- changed.
--
-- Why: an agent picks work from the queue by who asked and whose turn it is, without opening
-- each ticket (the dashboard renders a queue page from one request). waiting_on follows
-- list_my_tickets' rule: "user" when support answered last or the ticket is resolved,
-- "support" otherwise, null when the ticket is closed. last_message_at is the newest public
-- message (internal notes are not part of the conversation with the user).
-- The three fields come from one helper, private.support_queue_row_fields, whose object is
-- merged with || into what private.queue_item (the queue's one row builder, as
-- 20260111000700 left it) returns; the queue itself is unchanged.
-- The helper runs only for the rows of the page (after the limit): three index
-- lookups per row (the ticket, its requester, its newest public message); not measured.

-- Security invoker, but only the queue (private.support_queue, security definer, staff checked
-- first, through private.queue_item) calls
-- it: it reads auth.users (the requester's email), so nobody else may execute it.
create function private.support_queue_row_fields(ticket_id uuid)
    returns jsonb
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.jsonb_build_object(
        'requester_email', u.email,
        'last_message_at', private.utc_text(latest.created_at),
        'waiting_on', case
            when t.status = 'closed' then null
            when t.status = 'resolved' or latest.author_kind = 'agent' then 'user'
            else 'support'
        end
    )
    from public.support_tickets as t
    left join auth.users as u on u.id = t.user_id
    left join lateral (
        select m.created_at, m.author_kind
        from public.ticket_messages as m
        where m.ticket_id = t.id and not m.internal
        order by m.created_at desc, m.id desc
        limit 1
    ) as latest on true
    where t.id = support_queue_row_fields.ticket_id
$$;

comment on function private.support_queue_row_fields(uuid) is
    'The fields private.support_queue adds to a queue row: {requester_email, last_message_at, '
    'waiting_on (user, support or null when closed)}. Called only by the queue.';
revoke all on function private.support_queue_row_fields(uuid) from public, anon, authenticated, service_role;

create or replace function private.queue_item(t public.support_tickets, at timestamptz)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return (pg_catalog.jsonb_build_object(
        'ticket_id', t.id, 'ticket_type', t.ticket_type, 'subject', t.subject,
        'status', t.status, 'priority', t.priority, 'user_id', t.user_id,
        'assignee_id', t.assignee_id, 'assigned_to', t.assigned_to,
        'follow_up_of', t.follow_up_of,
        'created_at', private.utc_text(t.created_at),
        'updated_at', private.utc_text_precise(t.updated_at),
        'first_response_due_at', private.utc_text(t.first_response_due_at),
        'first_responded_at', private.utc_text(t.first_responded_at),
        'resolution_due_at', private.utc_text(t.resolution_due_at),
        'next_due_at', private.utc_text(t.sla_next_due_at),
        'waiting_on_user', t.sla_paused_at is not null and t.status in ('open', 'in_progress'),
        'breached', coalesce(t.sla_breached_at < at, false),
        'merged_into', t.merged_into,
        'problem_id', t.problem_id,
        'reports', (select pg_catalog.count(*) from public.support_tickets as r where r.problem_id = t.id)
    ) || private.support_queue_row_fields(t.id))::json;
end;
$$;

comment on function private.queue_item(public.support_tickets, timestamptz) is
    'One ticket as public.support_queue lists it, with its service levels as of `at` and '
    'private.support_queue_row_fields.';

comment on function public.support_queue(text, text, text, text, text, text, text, text, text, text) is
    'Staff only (403 otherwise). Tickets filtered by status, priority, ticket_type, assignee (me, '
    'unassigned or a staff id), q (words of subject and description), breached (true/false: a '
    'service-level target missed) and due_before (next deadline before that time), sorted by '
    'created (default), updated, priority or due (running clocks only, soonest first); page_size '
    '1-100 (default 20); cursor = next_cursor of the previous page. Each ticket carries its due '
    'times and breached. Returns {tickets, next_cursor, total (at most 1000), total_capped}. '
    'Each ticket also has requester_email, last_message_at and waiting_on (user, support or null).';
