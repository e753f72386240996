-- Feedback operations: staff review feedback (support_review_feedback), work a queue of it
-- (support_feedback_queue) and read one entry with its history (support_feedback); users follow
-- their own (list_my_feedback).
--
-- Why: the feedback loop of 20260111000800 needs a way in for each side.
--   POST /rest/v1/rpc/support_review_feedback {feedback_id, status?, admin_response?,
--     duplicate_of?}: staff only (403 otherwise); moves follow public.feedback_transitions (409),
--     a broken rule is a 400 with the constraint's message, a missing entry a 404.
--   GET /rest/v1/rpc/support_feedback_queue?status=&category=&feature_name=&q=&limit=&offset=:
--     staff only; newest first, with total and, over the same filters, the count and average
--     rating per feature_name (most asked first).
--   GET /rest/v1/rpc/support_feedback?feedback_id=<uuid>: staff only; the entry, its author's id
--     and its history (feedback_events), oldest first; 404 for a missing entry.
--   GET /rest/v1/rpc/list_my_feedback?status= (or POST {status, limit, offset}): the signed-in
--     user's feedback, newest first, with status and support's response, and the total.

-- Security definer: signed-in users hold no update on user_feedback (only support changes an
-- entry). It checks that the caller is staff and writes only status, admin_response and
-- duplicate_of; the table's constraints and triggers (workflow, history) apply as to any update.
create function private.review_feedback_as_staff(target uuid, fields jsonb)
    returns public.user_feedback
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    entry public.user_feedback;
    duplicate uuid;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.require_staff();
    if fields ->> 'duplicate_of' is not null then
        duplicate := private.uuid_param(fields ->> 'duplicate_of', 'duplicate_of');
        if not exists (select 1 from public.user_feedback as f where f.id = duplicate) then
            perform private.refuse('duplicate_of_unknown');
        end if;
    end if;
    select f.* into entry from public.user_feedback as f where f.id = target for update;
    if not found then
        perform private.refuse('feedback_not_found');
    end if;

    update public.user_feedback as f
    set status = case when fields ? 'status' then fields ->> 'status' else f.status end,
        admin_response = case when fields ? 'admin_response' then fields ->> 'admin_response' else f.admin_response end,
        duplicate_of = case when fields ? 'duplicate_of' then duplicate else f.duplicate_of end
    where f.id = target
    returning f.* into entry;
    return entry;
exception
    when check_violation or not_null_violation then
        get stacked diagnostics
            error_code = returned_sqlstate,
            failed_schema = schema_name,
            failed_table = table_name,
            failed_constraint = constraint_name,
            failed_column = column_name;
        perform private.raise_rule_violation(
            error_code, failed_schema, failed_table, failed_constraint, failed_column
        );
        return null;  -- not reached: raise_rule_violation always raises
end;
$$;

comment on function private.review_feedback_as_staff(uuid, jsonb) is
    'Staff only: applies status, admin_response and duplicate_of to a feedback entry.';
revoke all on function private.review_feedback_as_staff(uuid, jsonb) from public;
grant execute on function private.review_feedback_as_staff(uuid, jsonb) to authenticated;

create function private.feedback_item(f public.user_feedback)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return pg_catalog.json_build_object(
        'feedback_id', f.id,
        'category', f.category,
        'description', f.description,
        'rating', f.rating,
        'feature_name', f.feature_name,
        'would_recommend', f.would_recommend,
        'status', f.status,
        'admin_response', f.admin_response,
        'duplicate_of', f.duplicate_of,
        'created_at', private.utc_text(f.created_at),
        'reviewed_at', private.utc_text(f.reviewed_at)
    );
end;
$$;

comment on function private.feedback_item(public.user_feedback) is
    'One feedback entry as the feedback operations return it.';
revoke all on function private.feedback_item(public.user_feedback) from public;
grant execute on function private.feedback_item(public.user_feedback) to authenticated;

create function private.check_feedback_status(status text)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    perform private.check_vocabulary_filter('user_feedback', 'status', status);
end;
$$;

comment on function private.check_feedback_status(text) is
    'A status filter: 400 with the status constraint''s message unless it is a feedback status.';
revoke all on function private.check_feedback_status(text) from public;
grant execute on function private.check_feedback_status(text) to authenticated;

create function public.support_review_feedback(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    entry public.user_feedback;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{
        "feedback_id": "string", "status": "string", "admin_response": "string", "duplicate_of": "string"
    }');
    entry := private.review_feedback_as_staff(
        private.uuid_param(body ->> 'feedback_id', 'feedback_id'), body - 'feedback_id'
    );
    return private.feedback_item(entry);
end;
$$;

comment on function public.support_review_feedback(jsonb) is
    'Staff only (403 otherwise). Body: {feedback_id, status?, admin_response?, duplicate_of?}. '
    'Returns the entry. 400 on a broken rule, 404 for a missing entry, 409 for a move '
    'public.feedback_transitions does not allow. Shipping an entry with a feature_name ships the '
    'open entries of that feature.';

-- Security definer, as the staff operations on tickets (20260110000800): the work runs in
-- private, checks first that the caller is staff, and public.support_feedback_queue is its
-- invoker wrapper, so the queue does not depend on a staff read policy being OR-ed into every
-- user's read of their own feedback.
create function private.support_feedback_queue(
    status text default null,
    category text default null,
    feature_name text default null,
    q text default null,
    "limit" text default null,
    "offset" text default null
)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
-- The contract's names limit and offset are reserved words that plpgsql_check (`supabase db
-- lint`) warns of; as in list_my_tickets, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
declare
    bounds integer[];
    words text := nullif(pg_catalog.btrim(support_feedback_queue.q), '');
    total bigint;
    entries json;
    features json;
begin
    perform private.require_staff();
    perform private.check_feedback_status(support_feedback_queue.status);
    perform private.check_vocabulary_filter('user_feedback', 'category', support_feedback_queue.category);
    if pg_catalog.char_length(words) > 200 then
        perform private.refuse('text_too_long', '{"name": "q", "max": 200}');
    end if;
    bounds := array[
        private.integer_param(support_feedback_queue."limit", 'limit', 1, 100, 20),
        private.integer_param(support_feedback_queue."offset", 'offset', 0, null, 0)
    ];

    -- One pass over the matching entries serves the page, the total and the per-feature counts.
    with matched as (
        select f as entry
        from public.user_feedback as f
        where (support_feedback_queue.status is null or f.status = support_feedback_queue.status)
            and (support_feedback_queue.category is null or f.category = support_feedback_queue.category)
            and (support_feedback_queue.feature_name is null or f.feature_name = support_feedback_queue.feature_name)
            and (words is null or pg_catalog.to_tsvector('simple'::regconfig, f.description)
                 @@ pg_catalog.websearch_to_tsquery('simple'::regconfig, words))
    )
    select
        (select pg_catalog.count(*) from matched),
        (select coalesce(pg_catalog.json_agg(private.feedback_item(page.entry)
                    order by (page.entry).created_at desc, (page.entry).id desc), '[]'::json)
         from (
             select m.entry from matched as m
             order by (m.entry).created_at desc, (m.entry).id desc
             limit bounds[1] offset bounds[2]
         ) as page),
        (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                    'feature_name', x.name, 'count', x.entries, 'average_rating', x.average)
                    order by x.entries desc, x.name), '[]'::json)
         from (
             select (m.entry).feature_name as name, pg_catalog.count(*) as entries,
                    pg_catalog.round(pg_catalog.avg((m.entry).rating), 2) as average
             from matched as m
             where (m.entry).feature_name is not null
             group by (m.entry).feature_name
             order by entries desc, name
             limit 100
         ) as x)
    into total, entries, features;

    return pg_catalog.json_build_object('feedback', entries, 'total', total, 'features', features);
end;
$$;

comment on function private.support_feedback_queue(text, text, text, text, text, text) is
    'The staff feedback queue (see public.support_feedback_queue); checks that the caller is staff first.';
revoke all on function private.support_feedback_queue(text, text, text, text, text, text) from public;
grant execute on function private.support_feedback_queue(text, text, text, text, text, text) to authenticated;

create function public.support_feedback_queue(
    status text default null,
    category text default null,
    feature_name text default null,
    q text default null,
    "limit" text default null,
    "offset" text default null
)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
-- The contract's names limit and offset are reserved words that plpgsql_check (`supabase db
-- lint`) warns of; as in list_my_tickets, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
begin
    return private.support_feedback_queue(
        support_feedback_queue.status, support_feedback_queue.category, support_feedback_queue.feature_name,
        support_feedback_queue.q, support_feedback_queue."limit", support_feedback_queue."offset"
    );
end;
$$;

comment on function public.support_feedback_queue(text, text, text, text, text, text) is
    'Staff only (403 otherwise). Feedback filtered by status, category, feature_name and q (words '
    'of the description), newest first; limit 1-100 (default 20), offset. Returns {feedback, '
    'total, features: [{feature_name, count, average_rating}] over the same filters, most asked '
    'first (at most 100)}.';

-- Security definer, as support_feedback_queue: staff hold no read policy on user_feedback or
-- feedback_events (20260111000800). It checks first that the caller is staff and reads the one
-- entry asked for.
create function private.support_feedback(feedback_id text)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    entry public.user_feedback;
begin
    perform private.require_staff();
    select f.* into entry from public.user_feedback as f
    where f.id = private.uuid_param(support_feedback.feedback_id, 'feedback_id');
    if not found then
        perform private.refuse('feedback_not_found');
    end if;

    return (private.feedback_item(entry)::jsonb || pg_catalog.jsonb_build_object(
        'user_id', entry.user_id,
        'tags', coalesce((
            select pg_catalog.jsonb_agg(g.tag order by g.tag)
            from public.feedback_tags as g
            where g.feedback_id = entry.id
        ), '[]'::jsonb),
        'events', coalesce((
            select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                    'kind', e.kind,
                    'actor_id', e.actor_id,
                    'from', e.from_value,
                    'to', e.to_value,
                    'at', private.utc_text(e.created_at)
                ) order by e.created_at, e.id)
            from public.feedback_events as e
            where e.feedback_id = entry.id
        ), '[]'::jsonb)
    ))::json;
end;
$$;

comment on function private.support_feedback(text) is
    'A feedback entry as staff see it (see public.support_feedback); checks that the caller is staff first.';
revoke all on function private.support_feedback(text) from public;
grant execute on function private.support_feedback(text) to authenticated;

create function public.support_feedback(feedback_id text)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.support_feedback(support_feedback.feedback_id);
end;
$$;

comment on function public.support_feedback(text) is
    'Staff only (403 otherwise): a feedback entry (the fields of support_feedback_queue) with '
    'user_id, tags (staff''s, by name) and events [{kind (status, response, duplicate, tag_added, '
    'tag_removed), actor_id, from, to, at}], oldest first. 400 when feedback_id is not a UUID, 404 when it does not exist.';

-- Security definer: users do not read user_feedback.duplicate_of (20260116000800), which
-- usually names someone else's entry. It returns the entry a caller's own entry repeats only
-- when that entry is the caller's too, and null otherwise: nothing of another user.
create function private.own_duplicate_of(feedback_id uuid)
    returns uuid
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return (
        select d.id
        from public.user_feedback as f
        join public.user_feedback as d on d.id = f.duplicate_of
        where f.id = own_duplicate_of.feedback_id
            and f.user_id = (select auth.uid())
            and d.user_id = (select auth.uid())
    );
end;
$$;

comment on function private.own_duplicate_of(uuid) is
    'The entry that the caller''s feedback entry repeats, when it is the caller''s own too; '
    'else null. Security definer: users do not read duplicate_of; it answers for the caller only.';
revoke all on function private.own_duplicate_of(uuid) from public;
grant execute on function private.own_duplicate_of(uuid) to authenticated;

create function private.own_feedback_entries(status text, page_size integer, skip integer)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    -- By column: users do not read duplicate_of and meta_data (20260116000800); the entry is
    -- made by name, so a column added later stays null here until it is named.
    return (
        select coalesce(pg_catalog.json_agg(private.feedback_item(pg_catalog.jsonb_populate_record(
                        null::public.user_feedback, page.f || pg_catalog.jsonb_build_object(
                            'duplicate_of', private.own_duplicate_of((page.f ->> 'id')::uuid))))
                    order by page.created_at desc, page.id desc), '[]'::json)
        from (
            select f.id, f.created_at, pg_catalog.jsonb_build_object(
                    'id', f.id, 'user_id', f.user_id, 'category', f.category,
                    'description', f.description, 'rating', f.rating, 'feature_name', f.feature_name,
                    'would_recommend', f.would_recommend, 'status', f.status,
                    'admin_response', f.admin_response, 'created_at', f.created_at,
                    'reviewed_at', f.reviewed_at) as f
            from public.user_feedback as f
            where f.user_id = (select auth.uid())
                and (own_feedback_entries.status is null or f.status = own_feedback_entries.status)
            order by f.created_at desc, f.id desc
            limit own_feedback_entries.page_size offset own_feedback_entries.skip
        ) as page
    );
end;
$$;

comment on function private.own_feedback_entries(text, integer, integer) is
    'The caller''s feedback entries as list_my_feedback and export_my_data answer them, newest '
    'first: of one status (null: all), page_size of them (null: all) after skip.';
revoke all on function private.own_feedback_entries(text, integer, integer) from public;
grant execute on function private.own_feedback_entries(text, integer, integer) to authenticated;

create function public.list_my_feedback(
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
-- The contract's names limit and offset are reserved words that plpgsql_check (`supabase db
-- lint`) warns of; as in list_my_tickets, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
declare
    bounds integer[];
    total bigint;
    entries json;
begin
    perform private.check_feedback_status(list_my_feedback.status);
    bounds := array[
        private.integer_param(list_my_feedback."limit", 'limit', 1, 100, 20),
        private.integer_param(list_my_feedback."offset", 'offset', 0, null, 0)
    ];

    select pg_catalog.count(*) into total
    from public.user_feedback as f
    where f.user_id = (select auth.uid())
        and (list_my_feedback.status is null or f.status = list_my_feedback.status);

    entries := private.own_feedback_entries(list_my_feedback.status, bounds[1], bounds[2]);

    return pg_catalog.json_build_object('feedback', entries, 'total', total);
end;
$$;

comment on function public.list_my_feedback(text, text, text) is
    'The signed-in user''s feedback, newest first: {feedback: [{feedback_id, category, '
    'description, rating, feature_name, would_recommend, status, admin_response, duplicate_of '
    '(only when the repeated entry is the user''s own too), created_at, reviewed_at}], total}. '
    'status filters; limit 1-100 (default 20); offset >= 0.';

revoke all on function public.support_review_feedback(jsonb),
    public.support_feedback_queue(text, text, text, text, text, text),
    public.support_feedback(text),
    public.list_my_feedback(text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_review_feedback(jsonb),
    public.support_feedback_queue(text, text, text, text, text, text),
    public.support_feedback(text),
    public.list_my_feedback(text, text, text)
    to authenticated;
