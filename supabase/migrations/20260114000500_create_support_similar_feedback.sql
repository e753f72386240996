-- RPC support_similar_feedback: the other feedback entries about the same feature.
--
-- Why: a wish asked for by many is worth more than one asked for once, and answering them
-- together keeps the answers consistent. GET /rest/v1/rpc/support_similar_feedback
-- ?feedback_id=&page_size= (staff only, 403 otherwise): the entries with the same feature_name,
-- newest first, through user_feedback_feature_name_status_idx, with the total count.

-- Security definer, as the feedback queue (20260111000900): the work does not depend on a
-- staff read policy being OR-ed into every user's read. It checks first that the caller is
-- staff.
create function private.similar_feedback_as_staff(feedback_id text, page_size integer)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    entry public.user_feedback;
    total bigint;
    entries json;
begin
    perform private.require_staff();
    page_size := private.integer_param(page_size::text, 'page_size', 1, 100, 20);
    select f.* into entry from public.user_feedback as f
    where f.id = private.uuid_param(similar_feedback_as_staff.feedback_id, 'feedback_id');
    if not found then
        perform private.refuse('feedback_not_found');
    end if;

    select pg_catalog.count(*) into total
    from public.user_feedback as f
    where f.feature_name = entry.feature_name and f.id <> entry.id;

    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
               'feedback_id', x.id,
               'category', x.category,
               'status', x.status,
               'rating', x.rating,
               'description', x.description,
               'created_at', private.utc_text(x.created_at)
           ) order by x.created_at desc, x.id desc), '[]'::json)
    into entries
    from (
        select f.*
        from public.user_feedback as f
        where f.feature_name = entry.feature_name and f.id <> entry.id
        order by f.created_at desc, f.id desc
        limit page_size
    ) as x;

    return pg_catalog.json_build_object(
        'feedback_id', entry.id,
        'feature_name', entry.feature_name,
        'total', total,
        'entries', entries
    );
end;
$$;

comment on function private.similar_feedback_as_staff(text, integer) is
    'Staff only: the other feedback entries about the same feature (public.support_similar_feedback).';
revoke all on function private.similar_feedback_as_staff(text, integer) from public;
grant execute on function private.similar_feedback_as_staff(text, integer) to authenticated;

create function public.support_similar_feedback(feedback_id text, page_size integer default 20)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.similar_feedback_as_staff(support_similar_feedback.feedback_id, support_similar_feedback.page_size);
end;
$$;

comment on function public.support_similar_feedback(text, integer) is
    'Staff only (403 otherwise). ?feedback_id=&page_size= (1-100, default 20): {feedback_id, '
    'feature_name, total, entries: [{feedback_id, category, status, rating, description, '
    'created_at}]}: the other entries about the same feature, newest first (none without a '
    'feature_name).';

revoke all on function public.support_similar_feedback(text, integer) from public, anon, authenticated, service_role;
grant execute on function public.support_similar_feedback(text, integer) to authenticated;
