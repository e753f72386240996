-- support_queue rows gain requester_email, last_message_at and waiting_on: fields added, none
-- changed.
--
-- Why: an agent picks work from the queue by who asked and whose turn it is, without opening
-- each ticket (the dashboard renders a queue page from one request). waiting_on follows
-- list_my_tickets' rule: "user" when support answered last or the ticket is resolved,
-- "support" otherwise, null when the ticket is closed. last_message_at is the newest public
-- message (internal notes are not part of the conversation with the user).
-- The three fields come from one helper, private.support_queue_row_fields, whose object is
-- merged into each row of the page with ||; the rest of private.support_queue is 20260110001400's
-- body unchanged. The helper runs only for the rows of the page (after the limit): three index
-- lookups per row (the ticket, its requester, its newest public message); not measured.

-- Security invoker, but only private.support_queue (security definer, staff checked first) calls
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

create or replace function private.support_queue(
    status text default null,
    priority text default null,
    ticket_type text default null,
    assignee text default null,
    q text default null,
    sort text default null,
    cursor text default null,
    page_size text default null
)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    rows_per_page integer := 20;
    sort_key text := coalesce(support_queue.sort, 'created');
    filters text[] := array['true'];
    after jsonb;
    keyset text := 'true';
    ordering text;
    rows json;
    positions jsonb;
    total integer;
    next_cursor text;
begin
    perform private.require_staff();

    if support_queue.status is not null and not support_queue.status = any (private.ticket_statuses()) then
        perform private.raise_rule_violation('22023', 'public', 'support_tickets', 'support_tickets_status_valid', 'status');
    end if;
    if support_queue.priority is not null and support_queue.priority not in ('low', 'medium', 'high', 'urgent') then
        perform private.raise_rule_violation('22023', 'public', 'support_tickets', 'support_tickets_priority_valid', 'priority');
    end if;
    if support_queue.ticket_type is not null
        and support_queue.ticket_type not in ('bug', 'technical', 'billing', 'account', 'other') then
        perform private.raise_rule_violation('22023', 'public', 'support_tickets', 'support_tickets_ticket_type_valid', 'ticket_type');
    end if;
    if sort_key not in ('created', 'updated', 'priority') then
        raise exception 'sort must be one of created, updated, priority' using errcode = 'invalid_parameter_value';
    end if;
    if support_queue.page_size is not null then
        if support_queue.page_size !~ '^[0-9]{1,3}$' or support_queue.page_size::integer not between 1 and 100 then
            raise exception 'page_size must be an integer from 1 to 100' using errcode = 'invalid_parameter_value';
        end if;
        rows_per_page := support_queue.page_size::integer;
    end if;

    if support_queue.status is not null then
        filters := filters || pg_catalog.format('t.status = %L', support_queue.status);
    end if;
    if support_queue.priority is not null then
        filters := filters || pg_catalog.format('t.priority = %L', support_queue.priority);
    end if;
    if support_queue.ticket_type is not null then
        filters := filters || pg_catalog.format('t.ticket_type = %L', support_queue.ticket_type);
    end if;
    if support_queue.assignee = 'me' then
        filters := filters || pg_catalog.format('t.assignee_id = %L::uuid', (select auth.uid()));
    elsif support_queue.assignee = 'unassigned' then
        filters := filters || 't.assignee_id is null'::text;
    elsif support_queue.assignee ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        filters := filters || pg_catalog.format('t.assignee_id = %L::uuid', support_queue.assignee);
    elsif support_queue.assignee is not null then
        raise exception 'assignee must be me, unassigned or a staff member''s id'
            using errcode = 'invalid_parameter_value';
    end if;
    if support_queue.q is not null and not private.is_blank(support_queue.q) then
        if pg_catalog.char_length(support_queue.q) > 200 then
            raise exception 'q must be at most 200 characters' using errcode = 'invalid_parameter_value';
        end if;
        filters := filters || pg_catalog.format(
            'pg_catalog.to_tsvector(''simple''::regconfig, t.subject || '' '' || t.description) '
            '@@ pg_catalog.websearch_to_tsquery(''simple''::regconfig, %L)', support_queue.q);
    end if;

    if support_queue.cursor is not null then
        begin
            after := pg_catalog.convert_from(pg_catalog.decode(support_queue.cursor, 'base64'), 'UTF8')::jsonb;
            if after ->> 's' is distinct from sort_key then
                raise exception 'another sort';
            end if;
            keyset := case sort_key
                when 'created' then pg_catalog.format('(t.created_at, t.id) < (%L::timestamptz, %L::uuid)',
                    (after ->> 'k')::timestamptz, (after ->> 'id')::uuid)
                when 'updated' then pg_catalog.format('(t.updated_at, t.id) < (%L::timestamptz, %L::uuid)',
                    (after ->> 'k')::timestamptz, (after ->> 'id')::uuid)
                else pg_catalog.format('(t.priority_order, t.created_at, t.id) > (%L::smallint, %L::timestamptz, %L::uuid)',
                    (after ->> 'p')::smallint, (after ->> 'k')::timestamptz, (after ->> 'id')::uuid)
            end;
        exception
            when others then
                raise exception 'cursor is not valid for this sort' using errcode = 'invalid_parameter_value',
                    hint = 'Pass next_cursor of the previous page unchanged, with the same sort.';
        end;
    end if;

    ordering := case sort_key
        when 'created' then 't.created_at desc, t.id desc'
        when 'updated' then 't.updated_at desc, t.id desc'
        else 't.priority_order, t.created_at, t.id'
    end;

    execute pg_catalog.format(
        'select pg_catalog.json_agg( '
        '           (page.item::jsonb || private.support_queue_row_fields((page.item ->> ''ticket_id'')::uuid))::json '
        '           order by page.n), '
        '       pg_catalog.jsonb_agg(page.position order by page.n) '
        'from ( '
        '    select pg_catalog.row_number() over (order by %1$s) as n, '
        '        pg_catalog.json_build_object( '
        '            ''ticket_id'', t.id, ''ticket_type'', t.ticket_type, ''subject'', t.subject, '
        '            ''status'', t.status, ''priority'', t.priority, ''user_id'', t.user_id, '
        '            ''assignee_id'', t.assignee_id, ''assigned_to'', t.assigned_to, '
        '            ''follow_up_of'', t.follow_up_of, '
        '            ''created_at'', private.utc_text(t.created_at), '
        '            ''updated_at'', private.utc_text_precise(t.updated_at)) as item, '
        '        pg_catalog.jsonb_build_object(''s'', %2$L::text, ''p'', t.priority_order, '
        '            ''k'', case %2$L::text when ''updated'' then t.updated_at else t.created_at end, '
        '            ''id'', t.id) as position '
        '    from public.support_tickets as t '
        '    where %3$s and %4$s '
        '    order by %1$s '
        '    limit %5$s '
        ') as page',
        ordering, sort_key, pg_catalog.array_to_string(filters, ' and '), keyset, rows_per_page + 1
    ) into rows, positions;

    -- One row more than a page was read: when it exists there is a next page, and the cursor
    -- is the position of the last row shown.
    if pg_catalog.json_array_length(coalesce(rows, '[]'::json)) > rows_per_page then
        next_cursor := pg_catalog.translate(
            pg_catalog.encode(pg_catalog.convert_to((positions -> (rows_per_page - 1))::text, 'UTF8'), 'base64'), E'\n', '');
        rows := (
            select pg_catalog.json_agg(r.value order by r.n)
            from pg_catalog.json_array_elements(rows) with ordinality as r(value, n)
            where r.n <= rows_per_page
        );
    end if;

    execute pg_catalog.format(
        'select pg_catalog.count(*) from (select 1 from public.support_tickets as t where %s limit 1001) as c',
        pg_catalog.array_to_string(filters, ' and ')
    ) into total;

    return pg_catalog.json_build_object(
        'tickets', coalesce(rows, '[]'::json),
        'next_cursor', next_cursor,
        'total', least(total, 1000),
        'total_capped', total > 1000
    );
end;
$$;

comment on function private.support_queue(text, text, text, text, text, text, text, text) is
    'The staff queue (see public.support_queue); checks that the caller is staff first. Each row '
    'carries private.support_queue_row_fields.';

comment on function public.support_queue(text, text, text, text, text, text, text, text) is
    'Staff only (403 otherwise). Tickets filtered by status, priority, ticket_type, assignee (me, '
    'unassigned or a staff id) and q (words of subject and description), sorted by created '
    '(default), updated or priority; page_size 1-100 (default 20); cursor = next_cursor of the '
    'previous page. Returns {tickets, next_cursor, total (at most 1000), total_capped}; each '
    'ticket also has requester_email, last_message_at and waiting_on (user, support or null).';
