-- support_queue rows gain requester_email, last_message_at and waiting_on: fields added, none
-- changed.
--
-- Why: an agent picks work from the queue by who asked and whose turn it is, without opening
-- each ticket (the dashboard renders a queue page from one request). waiting_on follows
-- list_my_tickets' rule: "user" when support answered last or the ticket is resolved,
-- "support" otherwise, null when the ticket is closed. last_message_at is the newest public
-- message (internal notes are not part of the conversation with the user).
-- The queue's query stays as it was, moved to private under its own name (its body qualifies
-- parameters by the function's name); public.support_queue becomes a wrapper with the same
-- parameters that adds the three fields to each row of the page.

alter function public.support_queue(text, text, text, text, text, text, text, text) set schema private;

comment on function private.support_queue(text, text, text, text, text, text, text, text) is
    'The staff queue''s page (see public.support_queue, which adds requester_email, '
    'last_message_at and waiting_on to each row).';

-- Security definer: signed-in users cannot read auth.users (the requester's email). It checks
-- first that the caller is staff and reads only the tickets asked for.
create function private.queue_row_context(ticket_ids uuid[])
    returns jsonb
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    perform private.require_staff();
    return coalesce((
        select pg_catalog.jsonb_object_agg(t.id::text, pg_catalog.jsonb_build_object(
            'requester_email', u.email,
            'last_message_at', private.utc_text(latest.created_at),
            'waiting_on', case
                when t.status = 'closed' then null
                when t.status = 'resolved' or latest.author_kind = 'agent' then 'user'
                else 'support'
            end
        ))
        from public.support_tickets as t
        left join auth.users as u on u.id = t.user_id
        left join lateral (
            select m.created_at, m.author_kind
            from public.ticket_messages as m
            where m.ticket_id = t.id and not m.internal
            order by m.created_at desc, m.id desc
            limit 1
        ) as latest on true
        where t.id = any (queue_row_context.ticket_ids)
    ), '{}'::jsonb);
end;
$$;

comment on function private.queue_row_context(uuid[]) is
    'Staff only (403 otherwise): for each ticket id, {requester_email, last_message_at, '
    'waiting_on}, keyed by ticket id.';
revoke all on function private.queue_row_context(uuid[]) from public;
grant execute on function private.queue_row_context(uuid[]) to authenticated;

create function public.support_queue(
    status text default null,
    priority text default null,
    ticket_type text default null,
    assignee text default null,
    q text default null,
    sort text default null,
    cursor text default null,
    "limit" text default null
)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    page json;
    context jsonb;
begin
    page := private.support_queue(
        support_queue.status, support_queue.priority, support_queue.ticket_type,
        support_queue.assignee, support_queue.q, support_queue.sort, support_queue.cursor,
        support_queue."limit"
    );
    context := private.queue_row_context(array(
        select (r.value ->> 'ticket_id')::uuid from pg_catalog.json_array_elements(page -> 'tickets') as r
    ));
    -- Built as json, not jsonb: the answer keeps its keys in the order the queue gave them.
    return pg_catalog.json_build_object(
        'tickets', coalesce((
            select pg_catalog.json_agg(
                (r.value::jsonb || coalesce(context -> (r.value ->> 'ticket_id'), '{}'::jsonb))::json
                order by r.n)
            from pg_catalog.json_array_elements(page -> 'tickets') with ordinality as r(value, n)
        ), '[]'::json),
        'next_cursor', page -> 'next_cursor',
        'total', page -> 'total',
        'total_capped', page -> 'total_capped'
    );
end;
$$;

comment on function public.support_queue(text, text, text, text, text, text, text, text) is
    'Staff only (403 otherwise). Tickets filtered by status, priority, ticket_type, assignee (me, '
    'unassigned or a staff id) and q (words of subject and description), sorted by created '
    '(default), updated or priority; limit 1-100 (default 20); cursor = next_cursor of the '
    'previous page. Returns {tickets, next_cursor, total (at most 10000), total_capped}; each '
    'ticket also has requester_email, last_message_at and waiting_on (user, support or null).';

revoke all on function public.support_queue(text, text, text, text, text, text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_queue(text, text, text, text, text, text, text, text) to authenticated;
