-- RPC support_queue: the staff's view of the tickets, filtered, searched, sorted and paged, each
-- row with its service levels, merge and problem links, requester and whose turn it is.
--
-- Why: agents pick their work from the queue. GET /rest/v1/rpc/support_queue?status=open&
-- assignee=unassigned (or POST with the same names in a JSON body). Filters: status, priority,
-- ticket_type, assignee ("me", "unassigned" or a staff member's id); q: a word search over
-- subject and description (PostgreSQL full-text search, `simple` configuration, websearch
-- syntax); breached (true/false: a service-level target missed, evaluated at the request's
-- time) and due_before (next deadline before that time). sort: created (newest first, default),
-- updated (most recently changed first), priority (urgent first, then oldest first) or due
-- (only tickets whose clock runs, sla_next_due_at not null, soonest first, through
-- support_tickets_sla_next_due_at_idx). Keyset pagination: pass the answer's next_cursor as
-- cursor for the next page (null on the last page), so page 1,000 costs what page 1 costs.
-- total counts the matching tickets up to 1,000 (total_capped says when there are more), so
-- that a count never reads the whole table.
-- The query is built with format() from checked values (literals quoted with %L) and planned
-- for those values, so the partial and expression indexes (20260110001400, 20260111000100) are
-- used.
-- Each row is built by private.queue_item: the ticket's fields, its service levels
-- (private.ticket_service_levels, shared with support_ticket), merged_into, problem_id and for a
-- problem its number of linked reports (through support_tickets_problem_id_status_idx), and
-- private.support_queue_row_fields: requester_email, last_message_at (the newest public
-- message) and waiting_on, which follows list_my_tickets' rule ("user" when support answered
-- last or the ticket is resolved, "support" otherwise, null when the ticket is closed). These
-- run only for the rows of the page (after the limit): a few index lookups per row.
-- Defined here, once, because its rows read the columns of 20260111000100 (service levels) and
-- 20260111000500 (merge and problem links); its indexes are those of 20260110001400.
-- Non-staff callers get 403. The work is done by private.support_queue, security definer
-- (staff hold no read policy on the tickets, see 20260110000800), which checks first that the
-- caller is staff; public.support_queue is its invoker wrapper.

create function private.ticket_service_levels(t public.support_tickets, at timestamptz)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return pg_catalog.jsonb_build_object(
        'first_response_due_at', private.utc_text(t.first_response_due_at),
        'first_responded_at', private.utc_text(t.first_responded_at),
        'resolution_due_at', private.utc_text(t.resolution_due_at),
        'next_due_at', private.utc_text(t.sla_next_due_at),
        'waiting_on_user', t.sla_paused_at is not null and t.status in ('open', 'in_progress'),
        'breached', coalesce(t.sla_breached_at < at, false)
    );
end;
$$;

comment on function private.ticket_service_levels(public.support_tickets, timestamptz) is
    'A ticket''s service levels as staff read them, as of `at`: {first_response_due_at, '
    'first_responded_at, resolution_due_at, next_due_at, waiting_on_user (the clock is paused on '
    'the user), breached}. The queue and support_ticket share it.';
revoke all on function private.ticket_service_levels(public.support_tickets, timestamptz) from public;
grant execute on function private.ticket_service_levels(public.support_tickets, timestamptz) to authenticated;

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

create function private.queue_item(t public.support_tickets, at timestamptz)
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
        'merged_into', t.merged_into,
        'problem_id', t.problem_id,
        'reports', (select pg_catalog.count(*) from public.support_tickets as r where r.problem_id = t.id)
    ) || private.ticket_service_levels(t, at) || private.support_queue_row_fields(t.id))::json;
end;
$$;

comment on function private.queue_item(public.support_tickets, timestamptz) is
    'One ticket as public.support_queue lists it, with its service levels as of `at` and '
    'private.support_queue_row_fields.';
revoke all on function private.queue_item(public.support_tickets, timestamptz) from public;
grant execute on function private.queue_item(public.support_tickets, timestamptz) to authenticated;

create function private.support_queue(
    status text default null,
    priority text default null,
    ticket_type text default null,
    assignee text default null,
    q text default null,
    sort text default null,
    cursor text default null,
    page_size text default null,
    breached text default null,
    due_before text default null
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
    due_limit timestamptz;
begin
    perform private.require_staff();

    perform private.check_vocabulary_filter('support_tickets', 'status', support_queue.status);
    perform private.check_vocabulary_filter('support_tickets', 'priority', support_queue.priority);
    perform private.check_vocabulary_filter('support_tickets', 'ticket_type', support_queue.ticket_type);
    if sort_key not in ('created', 'updated', 'priority', 'due') then
        -- The message names the first three sorts, as clients and tests read it; the hint names due.
        perform private.refuse('queue_sort_unknown');
    end if;
    if support_queue.breached is not null and support_queue.breached not in ('true', 'false') then
        perform private.refuse('invalid_boolean', '{"name": "breached"}');
    end if;
    rows_per_page := private.integer_param(support_queue.page_size, 'page_size', 1, 100, rows_per_page);

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
    elsif private.is_uuid(support_queue.assignee) then
        filters := filters || pg_catalog.format('t.assignee_id = %L::uuid', support_queue.assignee);
    elsif support_queue.assignee is not null then
        perform private.refuse('queue_assignee_unknown');
    end if;
    if support_queue.breached is not null then
        filters := filters || pg_catalog.format(
            'coalesce(t.sla_breached_at < %L::timestamptz, false) = %L::boolean', now(), support_queue.breached);
    end if;
    due_limit := private.time_param(support_queue.due_before, 'due_before');
    if due_limit is not null then
        filters := filters || pg_catalog.format('t.sla_next_due_at < %L::timestamptz', due_limit);
    end if;
    if sort_key = 'due' then
        filters := filters || 't.sla_next_due_at is not null'::text;
    end if;
    if support_queue.q is not null and not private.is_blank(support_queue.q) then
        if pg_catalog.char_length(support_queue.q) > 200 then
            perform private.refuse('text_too_long', '{"name": "q", "max": 200}');
        end if;
        filters := filters || pg_catalog.format(
            'pg_catalog.to_tsvector(''simple''::regconfig, t.subject || '' '' || t.description) '
            '@@ pg_catalog.websearch_to_tsquery(''simple''::regconfig, %L)', support_queue.q);
    end if;

    if support_queue.cursor is not null then
        begin
            after := pg_catalog.convert_from(pg_catalog.decode(support_queue.cursor, 'base64'), 'UTF8')::jsonb;
            if after ->> 's' is distinct from sort_key then
                perform private.refuse('queue_cursor_invalid');
            end if;
            keyset := case sort_key
                when 'created' then pg_catalog.format('(t.created_at, t.id) < (%L::timestamptz, %L::uuid)',
                    (after ->> 'k')::timestamptz, (after ->> 'id')::uuid)
                when 'updated' then pg_catalog.format('(t.updated_at, t.id) < (%L::timestamptz, %L::uuid)',
                    (after ->> 'k')::timestamptz, (after ->> 'id')::uuid)
                when 'due' then pg_catalog.format('(t.sla_next_due_at, t.id) > (%L::timestamptz, %L::uuid)',
                    (after ->> 'k')::timestamptz, (after ->> 'id')::uuid)
                else pg_catalog.format('(t.priority_order, t.created_at, t.id) > (%L::smallint, %L::timestamptz, %L::uuid)',
                    (after ->> 'p')::smallint, (after ->> 'k')::timestamptz, (after ->> 'id')::uuid)
            end;
        exception
            when others then
                perform private.refuse('queue_cursor_invalid');
        end;
    end if;

    ordering := case sort_key
        when 'created' then 't.created_at desc, t.id desc'
        when 'updated' then 't.updated_at desc, t.id desc'
        when 'due' then 't.sla_next_due_at, t.id'
        else 't.priority_order, t.created_at, t.id'
    end;

    execute pg_catalog.format(
        'select pg_catalog.json_agg(page.item order by page.n), '
        '       pg_catalog.jsonb_agg(page.position order by page.n) '
        'from ( '
        '    select pg_catalog.row_number() over (order by %1$s) as n, '
        '        private.queue_item(t, %6$L::timestamptz) as item, '
        '        pg_catalog.jsonb_build_object(''s'', %2$L::text, ''p'', t.priority_order, '
        '            ''k'', case %2$L::text when ''updated'' then t.updated_at when ''due'' then t.sla_next_due_at '
        '                else t.created_at end, '
        '            ''id'', t.id) as position '
        '    from public.support_tickets as t '
        '    where %3$s and %4$s '
        '    order by %1$s '
        '    limit %5$s '
        ') as page',
        ordering, sort_key, pg_catalog.array_to_string(filters, ' and '), keyset, rows_per_page + 1, now()
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

comment on function private.support_queue(text, text, text, text, text, text, text, text, text, text) is
    'The staff queue with service levels (see public.support_queue); checks that the caller is staff first.';
revoke all on function private.support_queue(text, text, text, text, text, text, text, text, text, text) from public;
grant execute on function private.support_queue(text, text, text, text, text, text, text, text, text, text) to authenticated;

create function public.support_queue(
    status text default null,
    priority text default null,
    ticket_type text default null,
    assignee text default null,
    q text default null,
    sort text default null,
    cursor text default null,
    page_size text default null,
    breached text default null,
    due_before text default null
)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.support_queue(
        support_queue.status, support_queue.priority, support_queue.ticket_type, support_queue.assignee,
        support_queue.q, support_queue.sort, support_queue.cursor, support_queue.page_size,
        support_queue.breached, support_queue.due_before
    );
end;
$$;

comment on function public.support_queue(text, text, text, text, text, text, text, text, text, text) is
    'Staff only (403 otherwise). Tickets filtered by status, priority, ticket_type, assignee (me, '
    'unassigned or a staff id), q (words of subject and description), breached (true/false: a '
    'service-level target missed) and due_before (next deadline before that time), sorted by '
    'created (default), updated, priority or due (running clocks only, soonest first); page_size '
    '1-100 (default 20); cursor = next_cursor of the previous page. Each ticket carries its due '
    'times and breached. Returns {tickets, next_cursor, total (at most 1000), total_capped}. '
    'Each ticket also has requester_email, last_message_at and waiting_on (user, support or null).';

revoke all on function public.support_queue(text, text, text, text, text, text, text, text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_queue(text, text, text, text, text, text, text, text, text, text) to authenticated;
