-- Reading the board: board_posts for signed-in users, visitor_board_posts for anonymous visitors.
--
-- Why: everyone signed in reads the public posts with their vote counts, whether they voted,
-- and the texts their authors chose to share (issue 29); nobody reads who wrote or who voted.
-- Anonymous visitors read the same, without voted, only when board_settings.public_read says
-- so. The house rules give anon no privilege on any table and no function of private, so a
-- visitor's read goes through a trusted server (the Flask layer, GET /api/v1/board) calling
-- visitor_board_posts with the service key; the setting is checked in the database.

-- Security definer: readers of the board hold no privilege on user_feedback (shared texts) and
-- anonymous visitors none on feedback_posts or board_settings. It reads public posts, newest
-- status first by votes, and nothing else; the callers below decide who may call.
create function private.board_posts(status text, "limit" text, "offset" text, viewer uuid)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
-- limit and offset are reserved words that plpgsql_check (`supabase db lint`) warns of; as in
-- support_feedback_queue, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
declare
    page_size integer := private.integer_param("limit", 'limit', 1, 100, 20);
    skip integer := private.integer_param("offset", 'offset', 0, null, 0);
begin
    if status is not null then
        perform private.check_vocabulary_filter('feedback_posts', 'status', status);
    end if;
    return pg_catalog.json_build_object(
        'total', (select pg_catalog.count(*) from public.feedback_posts as p
                  where board_posts.status is null or p.status = board_posts.status),
        'posts', coalesce((
            select pg_catalog.json_agg(
                       (private.post_item(p)::jsonb
                        || pg_catalog.jsonb_build_object('shared', private.shared_entries_json(p.id))
                        || case when viewer is null then '{}'::jsonb
                           else pg_catalog.jsonb_build_object('voted', exists (
                               select 1 from public.post_votes as v where v.post_id = p.id and v.user_id = viewer)) end)
                       order by p.vote_count desc, p.created_at desc, p.id)
            from (
                select x.* from public.feedback_posts as x
                where board_posts.status is null or x.status = board_posts.status
                order by x.vote_count desc, x.created_at desc, x.id
                limit page_size offset skip
            ) as p
        ), '[]'::json)
    );
end;
$$;

comment on function private.board_posts(text, text, text, uuid) is
    'The public posts (status filter, limit, offset), most voted first, each with the texts their '
    'authors shared and, for a signed-in viewer, whether they voted. Security definer: shared texts '
    'are other users'' feedback; it returns nothing but public posts and shared texts.';
revoke all on function private.board_posts(text, text, text, uuid) from public;
grant execute on function private.board_posts(text, text, text, uuid) to authenticated, service_role;

create function public.board_posts(status text default null, "limit" text default null, "offset" text default null)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
-- limit and offset are reserved words that plpgsql_check (`supabase db lint`) warns of; as in
-- support_feedback_queue, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
begin
    return private.board_posts(status, "limit", "offset", (select auth.uid()));
end;
$$;

comment on function public.board_posts(text, text, text) is
    'Signed-in users: GET /rest/v1/rpc/board_posts?status=&limit=&offset= — the public posts, most '
    'voted first, with vote_count, whether you voted (voted) and the texts their authors chose to '
    'share (shared: description, display_name); never who wrote or voted. Returns {total, posts}.';
revoke all on function public.board_posts(text, text, text) from public, anon, authenticated, service_role;
grant execute on function public.board_posts(text, text, text) to authenticated;

-- Security definer: it reads the one setting and refuses unless it opens the board.
create function private.require_public_board()
    returns void
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    if not coalesce((select s.public_read from public.board_settings as s), false) then
        perform private.refuse('board_not_public');
    end if;
end;
$$;

comment on function private.require_public_board() is
    '403 board_not_public unless board_settings.public_read. Security definer: the board''s '
    'anonymous reader (service_role, for a visitor) holds no policy on the setting; it reads that one value.';
revoke all on function private.require_public_board() from public;
grant execute on function private.require_public_board() to service_role;

create function public.visitor_board_posts(status text default null, "limit" text default null, "offset" text default null)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
-- limit and offset are reserved words that plpgsql_check (`supabase db lint`) warns of; as in
-- support_feedback_queue, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
begin
    perform private.require_public_board();
    return private.board_posts(status, "limit", "offset", null);
end;
$$;

comment on function public.visitor_board_posts(text, text, text) is
    'For anonymous visitors, called by a trusted server with the service key (the Flask route '
    'GET /api/v1/board; anon itself holds nothing, a house rule): as board_posts, without voted, '
    'when an admin set board_settings.public_read; 403 board_not_public otherwise.';
revoke all on function public.visitor_board_posts(text, text, text) from public, anon, authenticated, service_role;
grant execute on function public.visitor_board_posts(text, text, text) to service_role;

