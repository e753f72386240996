-- support_queue runs a saved view: a `view` argument (a view's id) whose stored conditions are
-- applied with the same keyset paging and total; support_view_counts counts each visible view.
--
-- Why: a saved view (20260204000100) is only useful if the queue runs it exactly as it runs its
-- own filters, and the sidebar shows how many tickets each one holds.
-- private.view_filter_sql turns a view's conditions into one SQL condition over the ticket `t`,
-- with every value a quoted literal (%L) computed once at the request's time ("older than a
-- day" is `t.created_at < <that instant>`, "me" is the caller's id), so the planner sees plain
-- column comparisons and uses the queue's indexes (20260110001400), the tags' (tag, ticket_id)
-- index and ticket_field_values_field_key_value_idx: no function is called per row.
-- The view's sort applies when the call names none; an explicit filter (status, q, ...) narrows
-- the view further. With a view, the answer also carries `view` ({id, name, columns, sort}).
-- A view the caller cannot see (another agent's personal view) is 404 view_not_found, as one
-- that does not exist.
-- PostgREST dispatches an RPC by its argument names, and two overloads of one name confuse it,
-- so public.support_queue and private.support_queue are dropped and created again with the
-- extra defaulted parameter, their grants and comments as before; the body is that of
-- 20260111001100 with the view added.

-- squawk: nothing is deployed yet; the old signature has no callers left.
-- squawk-ignore-file ban-drop-function

create function private.view_filter_sql(conditions jsonb, at timestamptz)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    item jsonb;
    name text;
    op text;
    value jsonb;
    parts text[] := array[]::text[];
    part text;
    texts text[];
    ids uuid[];
    column_name text;
    field_key text;
    me uuid := (select auth.uid());
begin
    for item in select x from pg_catalog.jsonb_array_elements(coalesce(conditions -> 'conditions', '[]')) as c(x) loop
        name := item ->> 'field';
        op := item ->> 'op';
        value := item -> 'value';
        texts := case when pg_catalog.jsonb_typeof(value) = 'array'
            then array(select pg_catalog.jsonb_array_elements_text(value))
            else array[value #>> '{}'] end;
        part := null;
        if name in ('status', 'priority', 'ticket_type') then
            column_name := 't.' || name;
            part := case op
                when 'is' then pg_catalog.format('%s = %L', column_name, texts[1])
                when 'is_not' then pg_catalog.format('%s <> %L', column_name, texts[1])
                else pg_catalog.format('%s = any (%L::text[])', column_name, texts)
            end;
        elsif name = 'assignee' then
            ids := array(select case x when 'me' then me else x::uuid end
                         from pg_catalog.unnest(texts) as u(x) where x <> 'unassigned');
            part := case
                when op = 'in' then pg_catalog.concat_ws(' or ',
                    case when pg_catalog.cardinality(ids) > 0 then pg_catalog.format('t.assignee_id = any (%L::uuid[])', ids) end,
                    case when 'unassigned' = any (texts) then 't.assignee_id is null' end)
                when texts[1] = 'unassigned' then
                    case op when 'is' then 't.assignee_id is null' else 't.assignee_id is not null' end
                when op = 'is' then pg_catalog.format('t.assignee_id = %L::uuid', ids[1])
                else pg_catalog.format('t.assignee_id is distinct from %L::uuid', ids[1])
            end;
        elsif name = 'tags' then
            part := pg_catalog.format(
                '%s (select g.ticket_id from public.ticket_tags as g where g.tag = any (%L::text[]))',
                case op when 'has_not' then 't.id not in' else 't.id in' end, texts);
        elsif name = 'requester' then
            part := pg_catalog.format(
                't.user_id in (select u.id from auth.users as u where %s)',
                case op
                    when 'is' then pg_catalog.format('pg_catalog.lower(u.email) = pg_catalog.lower(%L)', texts[1])
                    else pg_catalog.format('u.email ilike %L', '%' || pg_catalog.regexp_replace(texts[1], '([\\%_])', '\\\1', 'g') || '%')
                end);
        elsif name = 'age' then
            part := pg_catalog.format(
                case op when 'older_than' then 't.created_at < %L::timestamptz' else 't.created_at >= %L::timestamptz' end,
                at - texts[1]::interval);
        elsif name = 'due' then
            part := pg_catalog.format('t.sla_next_due_at < %L::timestamptz', at + texts[1]::interval);
        elsif name = 'breached' then
            part := case when (value)::boolean
                then pg_catalog.format('t.sla_breached_at < %L::timestamptz', at)
                else pg_catalog.format('(t.sla_breached_at is null or t.sla_breached_at >= %L::timestamptz)', at)
            end;
        elsif name = 'text' then
            part := pg_catalog.format(
                'pg_catalog.to_tsvector(''simple''::regconfig, t.subject || '' '' || t.description) '
                '@@ pg_catalog.websearch_to_tsquery(''simple''::regconfig, %L)', texts[1]);
        elsif name like 'field.%' then
            field_key := pg_catalog.substr(name, 7);
            part := pg_catalog.format(
                '%s (select v.ticket_id from public.ticket_field_values as v where v.field_key = %L and %s)',
                case when op in ('is_not', 'has_not') then 't.id not in' else 't.id in' end,
                field_key,
                case
                    when op in ('has', 'has_not') then pg_catalog.format('v.value @> %L::jsonb', pg_catalog.jsonb_build_array(value))
                    when op = 'in' then pg_catalog.format('v.value = any (%L::jsonb[])',
                        array(select x from pg_catalog.jsonb_array_elements(value) as e(x)))
                    else pg_catalog.format('v.value = %L::jsonb', value)
                end);
        end if;
        -- A condition that no longer means anything (its field was dropped since) matches nothing.
        parts := parts || coalesce('(' || part || ')', 'false');
    end loop;
    if pg_catalog.cardinality(parts) = 0 then
        return 'true';
    end if;
    return '(' || pg_catalog.array_to_string(parts,
        case when conditions ->> 'match' = 'any' then ' or ' else ' and ' end) || ')';
end;
$$;

comment on function private.view_filter_sql(jsonb, timestamptz) is
    'A saved view''s conditions (checked at save) as one SQL condition over the ticket t, values '
    'quoted and computed as of `at`, for the queue, the view counts and the export to add to '
    'their query.';
revoke all on function private.view_filter_sql(jsonb, timestamptz) from public, anon;
grant execute on function private.view_filter_sql(jsonb, timestamptz) to authenticated;

-- The view the caller may run: shared, or their own. Called by the definer functions below,
-- after the staff check.
create function private.visible_view(view_id uuid)
    returns public.saved_views
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    found_view public.saved_views;
begin
    select v.* into found_view
    from public.saved_views as v
    where v.id = view_id and (v.owner_id is null or v.owner_id = (select auth.uid()));
    if not found then
        perform private.refuse('view_not_found');
    end if;
    return found_view;
end;
$$;

comment on function private.visible_view(uuid) is
    'The saved view with this id if the caller may run it (shared or their own), else 404 '
    'view_not_found.';
revoke all on function private.visible_view(uuid) from public, anon;
grant execute on function private.visible_view(uuid) to authenticated;

drop function public.support_queue(text, text, text, text, text, text, text, text, text, text);
drop function private.support_queue(text, text, text, text, text, text, text, text, text, text);

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
    due_before text default null,
    view text default null
)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    rows_per_page integer := 20;
    sort_key text;
    filters text[] := array['true'];
    after jsonb;
    keyset text := 'true';
    ordering text;
    rows json;
    positions jsonb;
    total integer;
    next_cursor text;
    due_limit timestamptz;
    view_id uuid;
    saved public.saved_views;
begin
    perform private.require_staff();

    view_id := private.uuid_param(support_queue.view, 'view', false);
    if view_id is not null then
        saved := private.visible_view(view_id);
        filters := filters || private.view_filter_sql(saved.conditions, now());
    end if;
    sort_key := coalesce(support_queue.sort, saved.sort, 'created');

    perform private.check_vocabulary_filter('support_tickets', 'status', support_queue.status);
    perform private.check_vocabulary_filter('support_tickets', 'priority', support_queue.priority);
    perform private.check_vocabulary_filter('support_tickets', 'ticket_type', support_queue.ticket_type);
    if not exists (select 1 from public.queue_sorts as s where s.code = sort_key) then
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

    if view_id is null then
        return pg_catalog.json_build_object(
            'tickets', coalesce(rows, '[]'::json),
            'next_cursor', next_cursor,
            'total', least(total, 1000),
            'total_capped', total > 1000
        );
    end if;
    return pg_catalog.json_build_object(
        'tickets', coalesce(rows, '[]'::json),
        'next_cursor', next_cursor,
        'total', least(total, 1000),
        'total_capped', total > 1000,
        'view', pg_catalog.json_build_object(
            'id', saved.id, 'name', saved.name, 'columns', saved.columns, 'sort', saved.sort,
            'shared', saved.owner_id is null)
    );
end;
$$;

comment on function private.support_queue(text, text, text, text, text, text, text, text, text, text, text) is
    'The staff queue with service levels (see public.support_queue); checks that the caller is '
    'staff first. Security definer: staff hold no read policy on the tickets (20260110000800).';
revoke all on function private.support_queue(text, text, text, text, text, text, text, text, text, text, text) from public;
grant execute on function private.support_queue(text, text, text, text, text, text, text, text, text, text, text) to authenticated;

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
    due_before text default null,
    view text default null
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
        support_queue.breached, support_queue.due_before, support_queue.view
    );
end;
$$;

comment on function public.support_queue(text, text, text, text, text, text, text, text, text, text, text) is
    'Staff only (403 otherwise). Tickets filtered by status, priority, ticket_type, assignee (me, '
    'unassigned or a staff id), q (words of subject and description), breached (true/false: a '
    'service-level target missed) and due_before (next deadline before that time), sorted by '
    'created (default), updated, priority or due (running clocks only, soonest first); page_size '
    '1-100 (default 20); cursor = next_cursor of the previous page. Each ticket carries its due '
    'times and breached. Returns {tickets, next_cursor, total (at most 1000), total_capped}. '
    'Each ticket also has requester_email, last_message_at and waiting_on (user, support or null). '
    'view: a saved view''s id (public.saved_views, shared or your own; 404 otherwise): its '
    'conditions apply and its sort unless sort is given; the answer then has view {id, name, '
    'columns, sort, shared}.';

revoke all on function public.support_queue(text, text, text, text, text, text, text, text, text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_queue(text, text, text, text, text, text, text, text, text, text, text) to authenticated;

-- Security definer: staff hold no read policy on the tickets; it checks first that the caller
-- is staff and counts only the views the caller may see.
create function private.support_view_counts()
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    saved public.saved_views;
    counted integer;
    counts jsonb := '[]'::jsonb;
begin
    perform private.require_staff();
    for saved in
        select v.* from public.saved_views as v
        where v.owner_id is null or v.owner_id = (select auth.uid())
        order by v.owner_id nulls first, v.position, v.name
    loop
        execute pg_catalog.format(
            'select pg_catalog.count(*) from (select 1 from public.support_tickets as t where %s %s limit 1001) as c',
            private.view_filter_sql(saved.conditions, now()),
            case when saved.sort = 'due' then 'and t.sla_next_due_at is not null' else '' end
        ) into counted;
        counts := counts || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
            'id', saved.id, 'name', saved.name, 'shared', saved.owner_id is null,
            'count', least(counted, 1000), 'count_capped', counted > 1000));
    end loop;
    return counts::json;
end;
$$;

comment on function private.support_view_counts() is
    'The tickets of each saved view the caller sees (see public.support_view_counts). Security '
    'definer: staff hold no read policy on the tickets; the caller must be staff.';
revoke all on function private.support_view_counts() from public, anon;
grant execute on function private.support_view_counts() to authenticated;

create function public.support_view_counts()
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.support_view_counts();
end;
$$;

comment on function public.support_view_counts() is
    'Staff only (403 otherwise). Each saved view the caller sees (shared first, then their own) '
    'with the number of its tickets, as support_queue(view => id) counts them: '
    '[{id, name, shared, count (at most 1000), count_capped}]. For the dashboard''s sidebar.';
revoke all on function public.support_view_counts() from public, anon, authenticated, service_role;
grant execute on function public.support_view_counts() to authenticated;
