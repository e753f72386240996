-- RPC list_my_tickets: the signed-in user's tickets, newest first, with the total and where
-- each conversation stands.
--
-- Why: the contract's "List My Tickets". GET /rest/v1/rpc/list_my_tickets?status=open or
-- POST with {"status", "limit", "offset"} (PostgREST keeps the limit and offset query
-- parameters for itself, so pagination goes in a POST body). The parameters are text so that
-- a bad value gets a 400 naming the parameter instead of a cast error. Beside the contract's
-- fields each item has last_message_at: the newest public message (null before the first);
-- waiting_on: "user" when support answered last or the ticket is resolved (support waits for
-- a reply or for the user to close it), "support" otherwise, null when the ticket is closed
-- (nobody waits any more).
-- Defined here, once, because waiting_on and last_message_at read the thread (20260110000600).

create function public.list_my_tickets(
    status text default null,
    "limit" text default null,
    "offset" text default null
)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
-- The contract names two parameters limit and offset, reserved words that plpgsql_check
-- (`supabase db lint`) warns of. It cannot silence that one warning alone, so its "other
-- warnings" are off for this function only; extra warnings and errors are still checked.
-- @plpgsql_check_options: other_warnings = false
declare
    page_size integer;
    skip integer;
    total bigint;
    tickets json;
begin
    perform private.check_vocabulary_filter('support_tickets', 'status', list_my_tickets.status);
    page_size := private.integer_param(list_my_tickets."limit", 'limit', 1, 100, 20);
    skip := private.integer_param(list_my_tickets."offset", 'offset', 0, null, 0);

    select count(*) into total
    from public.support_tickets as t
    where t.user_id = (select auth.uid())
        and (list_my_tickets.status is null or t.status = list_my_tickets.status);

    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
            'ticket_id', page.id,
            'ticket_type', page.ticket_type,
            'subject', page.subject,
            'status', page.status,
            'priority', page.priority,
            'created_at', private.utc_text(page.created_at),
            'updated_at', private.utc_text(page.updated_at),
            'last_message_at', private.utc_text(latest.created_at),
            'waiting_on', case
                when page.status = 'closed' then null
                when page.status = 'resolved' or latest.author_kind = 'agent' then 'user'
                else 'support'
            end
        ) order by page.created_at desc, page.id desc), '[]'::json)
    into tickets
    from (
        select t.id, t.ticket_type, t.subject, t.status, t.priority, t.created_at, t.updated_at
        from public.support_tickets as t
        where t.user_id = (select auth.uid())
            and (list_my_tickets.status is null or t.status = list_my_tickets.status)
        order by t.created_at desc, t.id desc
        limit page_size
        offset skip
    ) as page
    left join lateral (
        select m.created_at, m.author_kind
        from public.ticket_messages as m
        where m.ticket_id = page.id and not m.internal
        order by m.created_at desc, m.id desc
        limit 1
    ) as latest on true;

    return pg_catalog.json_build_object('tickets', tickets, 'total', total);
end;
$$;

comment on function public.list_my_tickets(text, text, text) is
    'The signed-in user''s tickets, newest first: {tickets: [{ticket_id, ticket_type, subject, '
    'status, priority, created_at, updated_at, last_message_at, waiting_on}], total}. status '
    'filters (open, in_progress, resolved, closed); limit 1-100 (default 20); offset >= 0 '
    '(default 0); total counts all matching tickets.';

-- Signed-in users only: service_role acts for no user (auth.uid() is null); it works on the tables.
revoke all on function public.list_my_tickets(text, text, text) from public, anon, authenticated, service_role;
grant execute on function public.list_my_tickets(text, text, text) to authenticated;
