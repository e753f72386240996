-- support_queue shows the service levels: due times and breached on each ticket, filters by
-- breached and due_before, and sort=due (the next running deadline first).
--
-- Why: agents work the tickets whose promise runs out first. The function of
-- 20260110001400_create_support_queue.sql gains two parameters (so private.support_queue and
-- its public wrapper are dropped and created again: PostgREST must not see two functions of one
-- name) and builds each ticket of the page with private.queue_item, which later migrations
-- extend without repeating the queue. As in 20260110001400, the work runs as security definer
-- in private (staff hold no read policy on the tickets, see 20260110000800) and checks first
-- that the caller is staff; public.support_queue is its invoker wrapper.
-- sort=due lists only tickets whose clock runs (sla_next_due_at not null), soonest due first,
-- through support_tickets_sla_next_due_at_idx. breached is evaluated at the request's time.

-- squawk: support_queue is dropped only to be created again at once with more parameters, in
-- the same transaction; nothing is deployed yet.
-- squawk-ignore-file ban-drop-function

create function private.queue_item(t public.support_tickets, at timestamptz)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return pg_catalog.json_build_object(
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
        'breached', coalesce(t.sla_breached_at < at, false)
    );
end;
$$;

comment on function private.queue_item(public.support_tickets, timestamptz) is
    'One ticket as public.support_queue lists it, with its service levels as of `at`.';
revoke all on function private.queue_item(public.support_tickets, timestamptz) from public;
grant execute on function private.queue_item(public.support_tickets, timestamptz) to authenticated;

drop function public.support_queue(text, text, text, text, text, text, text, text);
drop function private.support_queue(text, text, text, text, text, text, text, text);

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
    if sort_key not in ('created', 'updated', 'priority', 'due') then
        -- The message of 20260110001400 stays as its tests read it; the hint names the new sort.
        raise exception 'sort must be one of created, updated, priority' using errcode = 'invalid_parameter_value',
            hint = 'sort=due lists running clocks, the next deadline first.';
    end if;
    if support_queue.breached is not null and support_queue.breached not in ('true', 'false') then
        raise exception 'breached must be true or false' using errcode = 'invalid_parameter_value';
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
    if support_queue.breached is not null then
        filters := filters || pg_catalog.format(
            'coalesce(t.sla_breached_at < %L::timestamptz, false) = %L::boolean', now(), support_queue.breached);
    end if;
    if support_queue.due_before is not null then
        begin
            due_limit := support_queue.due_before::timestamptz;
        exception
            when others then
                raise exception 'due_before must be a time (RFC 3339)' using errcode = 'invalid_parameter_value';
        end;
        filters := filters || pg_catalog.format('t.sla_next_due_at < %L::timestamptz', due_limit);
    end if;
    if sort_key = 'due' then
        filters := filters || 't.sla_next_due_at is not null'::text;
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
                when 'due' then pg_catalog.format('(t.sla_next_due_at, t.id) > (%L::timestamptz, %L::uuid)',
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
    'times and breached. Returns {tickets, next_cursor, total (at most 1000), total_capped}.';

revoke all on function public.support_queue(text, text, text, text, text, text, text, text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_queue(text, text, text, text, text, text, text, text, text, text) to authenticated;
