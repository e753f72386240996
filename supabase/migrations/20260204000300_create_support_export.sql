-- CSV export, as data: support_export_tickets (a saved view's tickets, or a date range, in the
-- view's columns) and support_export_feedback (feedback in a date range), one batch at a time.
--
-- Why: finance and product ask for lists. The Flask routes GET /api/staff/tickets.csv and
-- /api/staff/feedback.csv (support_api/export_routes.py) stream CSV by calling these with the
-- staff member's JWT, batch after batch (keyset over (created_at, id), newest first, through
-- support_tickets_created_at_idx and user_feedback_created_at_idx), so memory stays the same at
-- 100,000 rows as at 100. Each batch is {columns, labels, rows (arrays of texts), next_cursor}.
-- Staff only. Internal notes (the internal messages of a ticket, as one cell) are added only
-- when an admin asks (include_internal => true); an agent asking is 403, so that nobody
-- believes a list without them is complete.
-- The view's conditions are applied by private.view_filter_sql, as the queue applies them.

insert into public.support_messages (topic, status, code, message, hint) values
    ('export_internal_admins_only', 403, 'export_internal_admins_only',
        'Only support admins can export internal notes',
        'Export without include_internal, or ask an admin.');

create function private.export_ticket_row(t public.support_tickets, columns text[], at timestamptz, with_notes boolean)
    returns text[]
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select array(
        select case c.code
            when 'ticket_id' then t.id::text
            when 'subject' then t.subject
            when 'requester' then (select u.email::text from auth.users as u where u.id = t.user_id)
            when 'ticket_type' then t.ticket_type
            when 'priority' then t.priority
            when 'status' then t.status
            when 'age' then private.utc_text(t.created_at)
            when 'updated' then private.utc_text(t.updated_at)
            when 'waiting_on' then private.support_queue_row_fields(t.id) ->> 'waiting_on'
            when 'due' then private.utc_text(t.sla_next_due_at)
            when 'breached' then coalesce(t.sla_breached_at < at, false)::text
            when 'assignee' then t.assigned_to
        end
        from pg_catalog.unnest(columns) with ordinality as c(code, n)
        order by c.n)
    || case when with_notes then array[(
        select pg_catalog.string_agg(private.utc_text(m.created_at) || ' ' || m.body, E'\n\n' order by m.created_at, m.id)
        from public.ticket_messages as m
        where m.ticket_id = t.id and m.internal)] else array[]::text[] end
$$;

comment on function private.export_ticket_row(public.support_tickets, text[], timestamptz, boolean) is
    'One ticket as an export row: the cells of the columns (codes of public.view_columns), then, '
    'when asked, its internal notes (each "<time> <text>", a blank line between). Called only by '
    'private.support_export_tickets.';
revoke all on function private.export_ticket_row(public.support_tickets, text[], timestamptz, boolean)
    from public, anon, authenticated, service_role;

-- The keyset position (created_at, id) of an export cursor; 400 when it is not one an export gave.
create function private.export_cursor(cursor text)
    returns jsonb
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    after jsonb;
begin
    if cursor is null then
        return null;
    end if;
    begin
        after := pg_catalog.convert_from(pg_catalog.decode(cursor, 'base64'), 'UTF8')::jsonb;
        perform (after ->> 'k')::timestamptz, (after ->> 'id')::uuid;
        if after ->> 'k' is null or after ->> 'id' is null then
            perform private.refuse('queue_cursor_invalid');
        end if;
    exception
        when others then
            perform private.refuse('queue_cursor_invalid');
    end;
    return after;
end;
$$;

comment on function private.export_cursor(text) is
    'The position {k (created_at), id} an export''s next_cursor carries; 400 queue_cursor_invalid '
    'for anything else.';
revoke all on function private.export_cursor(text) from public, anon, authenticated, service_role;

-- Security definer: staff hold no read policy on the tickets (20260110000800). It checks first
-- that the caller is staff (and an admin for internal notes), runs only views the caller sees,
-- and quotes every value it puts in the query.
create function private.support_export_tickets(
    view text default null,
    created_from text default null,
    created_to text default null,
    include_internal text default null,
    cursor text default null,
    batch_size text default null
)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    view_id uuid;
    saved public.saved_views;
    columns text[];
    with_notes boolean;
    filters text[] := array['true'];
    after jsonb;
    since timestamptz;
    until timestamptz;
    rows_per_batch integer;
    batch jsonb;
    rows jsonb;
    last_key jsonb;
    next_cursor text;
begin
    perform private.require_staff();
    if include_internal is not null and include_internal not in ('true', 'false') then
        perform private.refuse('invalid_boolean', '{"name": "include_internal"}');
    end if;
    with_notes := coalesce(include_internal = 'true', false);
    if with_notes and not private.is_admin() then
        perform private.refuse('export_internal_admins_only');
    end if;
    view_id := private.uuid_param(support_export_tickets.view, 'view', false);
    since := private.time_param(created_from, 'created_from');
    until := private.time_param(created_to, 'created_to');
    rows_per_batch := private.integer_param(batch_size, 'batch_size', 1, 5000, 1000);
    after := private.export_cursor(support_export_tickets.cursor);

    if view_id is not null then
        saved := private.visible_view(view_id);
        filters := filters || private.view_filter_sql(saved.conditions, now());
        columns := saved.columns;
    else
        columns := array(select c.code from public.view_columns as c order by c.position);
    end if;
    if since is not null then
        filters := filters || pg_catalog.format('t.created_at >= %L::timestamptz', since);
    end if;
    if until is not null then
        filters := filters || pg_catalog.format('t.created_at < %L::timestamptz', until);
    end if;
    if after is not null then
        filters := filters || pg_catalog.format('(t.created_at, t.id) < (%L::timestamptz, %L::uuid)',
            (after ->> 'k')::timestamptz, (after ->> 'id')::uuid);
    end if;

    execute pg_catalog.format(
        'select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(''row'', b.cells, ''k'', b.k, ''id'', b.id) order by b.n) '
        'from (select pg_catalog.row_number() over (order by t.created_at desc, t.id desc) as n, '
        '             private.export_ticket_row(t, %L::text[], %L::timestamptz, %L::boolean) as cells, '
        '             private.utc_text_precise(t.created_at) as k, t.id '
        '      from public.support_tickets as t where %s '
        '      order by t.created_at desc, t.id desc limit %s) as b',
        columns, now(), with_notes, pg_catalog.array_to_string(filters, ' and '), rows_per_batch + 1
    ) into batch;
    batch := coalesce(batch, '[]');
    if pg_catalog.jsonb_array_length(batch) > rows_per_batch then
        last_key := batch -> (rows_per_batch - 1);
        next_cursor := pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(
            pg_catalog.jsonb_build_object('k', last_key -> 'k', 'id', last_key -> 'id')::text, 'UTF8'), 'base64'), E'\n', '');
        batch := batch - rows_per_batch;
    end if;
    rows := coalesce((select pg_catalog.jsonb_agg(b.x -> 'row' order by b.n)
                      from pg_catalog.jsonb_array_elements(batch) with ordinality as b(x, n)), '[]');

    return pg_catalog.json_build_object(
        'columns', columns || case when with_notes then array['internal_notes'] else array[]::text[] end,
        'labels', array(select coalesce(c.label, 'Internal notes')
                        from pg_catalog.unnest(columns || case when with_notes then array['internal_notes'] else array[]::text[] end)
                            with ordinality as u(code, n)
                        left join public.view_columns as c on c.code = u.code
                        order by u.n),
        'rows', rows,
        'next_cursor', next_cursor
    );
end;
$$;

comment on function private.support_export_tickets(text, text, text, text, text, text) is
    'A batch of the ticket export (see public.support_export_tickets). Security definer: staff '
    'hold no read policy on the tickets; the caller must be staff, and an admin for internal notes.';
revoke all on function private.support_export_tickets(text, text, text, text, text, text) from public, anon;
grant execute on function private.support_export_tickets(text, text, text, text, text, text) to authenticated;

create function public.support_export_tickets(
    view text default null,
    created_from text default null,
    created_to text default null,
    include_internal text default null,
    cursor text default null,
    batch_size text default null
)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.support_export_tickets(
        support_export_tickets.view, support_export_tickets.created_from, support_export_tickets.created_to,
        support_export_tickets.include_internal, support_export_tickets.cursor, support_export_tickets.batch_size);
end;
$$;

comment on function public.support_export_tickets(text, text, text, text, text, text) is
    'Staff only (403 otherwise). One batch of tickets to export, newest first: those of a saved '
    'view (view: its id, shared or your own; its columns) and/or created in [created_from, '
    'created_to); neither: every ticket, in every column of public.view_columns. '
    'include_internal=true (admins only, 403 otherwise) adds the internal notes as a last column. '
    'batch_size 1-5000 (default 1000); cursor = next_cursor of the previous batch. Returns '
    '{columns, labels, rows (arrays of texts), next_cursor (null on the last batch)}. '
    'GET /api/staff/tickets.csv streams it as CSV.';
revoke all on function public.support_export_tickets(text, text, text, text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_export_tickets(text, text, text, text, text, text) to authenticated;

-- Security definer: staff hold no read policy on feedback (they read it through
-- support_feedback_queue); the caller must be staff.
create function private.support_export_feedback(
    created_from text default null,
    created_to text default null,
    cursor text default null,
    batch_size text default null
)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    since timestamptz;
    until timestamptz;
    after jsonb;
    rows_per_batch integer;
    batch jsonb;
    rows jsonb;
    last_key jsonb;
    next_cursor text;
begin
    perform private.require_staff();
    since := private.time_param(created_from, 'created_from');
    until := private.time_param(created_to, 'created_to');
    rows_per_batch := private.integer_param(batch_size, 'batch_size', 1, 5000, 1000);
    after := private.export_cursor(support_export_feedback.cursor);

    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('row', b.cells, 'k', b.k, 'id', b.id) order by b.n)
    into batch
    from (
        select pg_catalog.row_number() over (order by f.created_at desc, f.id desc) as n,
            array[f.id::text, private.utc_text(f.created_at), (select u.email::text from auth.users as u where u.id = f.user_id),
                  f.category, f.status, f.rating::text, f.feature_name, f.would_recommend::text, f.description,
                  f.admin_response, private.utc_text(f.reviewed_at),
                  (select pg_catalog.string_agg(g.tag, ' ' order by g.tag) from public.feedback_tags as g
                   where g.feedback_id = f.id)] as cells,
            private.utc_text_precise(f.created_at) as k, f.id
        from public.user_feedback as f
        where (since is null or f.created_at >= since)
            and (until is null or f.created_at < until)
            and (after is null or (f.created_at, f.id) < ((after ->> 'k')::timestamptz, (after ->> 'id')::uuid))
        order by f.created_at desc, f.id desc
        limit rows_per_batch + 1
    ) as b;
    batch := coalesce(batch, '[]');
    if pg_catalog.jsonb_array_length(batch) > rows_per_batch then
        last_key := batch -> (rows_per_batch - 1);
        next_cursor := pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(
            pg_catalog.jsonb_build_object('k', last_key -> 'k', 'id', last_key -> 'id')::text, 'UTF8'), 'base64'), E'\n', '');
        batch := batch - rows_per_batch;
    end if;
    rows := coalesce((select pg_catalog.jsonb_agg(b.x -> 'row' order by b.n)
                      from pg_catalog.jsonb_array_elements(batch) with ordinality as b(x, n)), '[]');
    return pg_catalog.json_build_object(
        'columns', array['feedback_id', 'created_at', 'requester', 'category', 'status', 'rating', 'feature_name',
                         'would_recommend', 'description', 'admin_response', 'reviewed_at', 'tags'],
        'labels', array['Feedback', 'Created', 'Requester', 'Category', 'Status', 'Rating', 'Feature',
                        'Would recommend', 'Description', 'Response', 'Reviewed', 'Tags'],
        'rows', rows,
        'next_cursor', next_cursor
    );
end;
$$;

comment on function private.support_export_feedback(text, text, text, text) is
    'A batch of the feedback export (see public.support_export_feedback). Security definer: staff '
    'hold no read policy on feedback; the caller must be staff.';
revoke all on function private.support_export_feedback(text, text, text, text) from public, anon;
grant execute on function private.support_export_feedback(text, text, text, text) to authenticated;

create function public.support_export_feedback(
    created_from text default null,
    created_to text default null,
    cursor text default null,
    batch_size text default null
)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.support_export_feedback(
        support_export_feedback.created_from, support_export_feedback.created_to,
        support_export_feedback.cursor, support_export_feedback.batch_size);
end;
$$;

comment on function public.support_export_feedback(text, text, text, text) is
    'Staff only (403 otherwise). One batch of feedback to export, newest first, created in '
    '[created_from, created_to) (either may be left out); batch_size 1-5000 (default 1000); '
    'cursor = next_cursor of the previous batch. Returns {columns, labels, rows (arrays of '
    'texts), next_cursor}. GET /api/staff/feedback.csv streams it as CSV.';
revoke all on function public.support_export_feedback(text, text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_export_feedback(text, text, text, text) to authenticated;
