-- similar_posts: "vote for this instead" — the public posts that look like a feedback entry
-- someone is about to file.
--
-- Why: ten users who want the same thing file ten entries (issue 29). Before an entry is filed,
-- every client (the app through PostgREST, the Flask route POST /api/support/feedback/similar,
-- the companion) can offer the posts it resembles as a vote instead; filing stays allowed.
-- GET /rest/v1/rpc/similar_posts?description=&page_size= (signed-in users). The score is the one
-- support_similar_tickets uses (20260114000400): the greater of the pg_trgm similarity of the
-- text and the post's title, and the overlap (Jaccard) of the stemmed English words of the text
-- and of the post's title and description; posts below board_settings.similar_min_score are left
-- out, declined posts too. The posts are few (staff write them), so every post is scored.

insert into public.support_messages (topic, status, code, message, hint) values
    ('similar_posts_text_required', 400, 'similar_posts_text_required', 'description is required', null);

create function public.similar_posts(description text default null, page_size text default null)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    size integer := private.integer_param(page_size, 'page_size', 1, 20, 5);
    text_words text[];
    min_score real := (select s.similar_min_score from public.board_settings as s);
    matches json;
begin
    if description is null or private.is_blank(description) then
        perform private.refuse('similar_posts_text_required');
    end if;
    description := pg_catalog.left(description, 1000);
    text_words := pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, description));

    with scored as materialized (
        select p.id, p.title, p.description, p.status, p.vote_count, greatest(
                   extensions.similarity(similar_posts.description, p.title),
                   case when pg_catalog.cardinality(w.words) > 0 and pg_catalog.cardinality(text_words) > 0 then
                       w.shared::real / (pg_catalog.cardinality(w.words) + pg_catalog.cardinality(text_words) - w.shared)
                   else 0 end
               ) as score
        from public.feedback_posts as p
        cross join lateral (
            select x.words, (select pg_catalog.count(*) from pg_catalog.unnest(x.words) as u(word) where u.word = any (text_words)) as shared
            from (select pg_catalog.tsvector_to_array(pg_catalog.to_tsvector(
                      'english'::regconfig, p.title || ' ' || pg_catalog.left(p.description, 1000))) as words) as x
        ) as w
        where p.status <> 'declined'
    )
    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
               'post_id', m.id,
               'title', m.title,
               'status', m.status,
               'vote_count', m.vote_count,
               'score', pg_catalog.round(m.score::numeric, 3)
           ) order by m.score desc, m.vote_count desc, m.id), '[]'::json)
    into matches
    from (
        select s.* from scored as s
        where s.score >= min_score
        order by s.score desc, s.vote_count desc, s.id
        limit size
    ) as m;
    return pg_catalog.json_build_object('similar', matches);
end;
$$;

comment on function public.similar_posts(text, text) is
    'Signed-in users. ?description=&page_size= (1-20, default 5): {similar: [{post_id, title, '
    'status, vote_count, score}]}, the public posts that look like the text, best first, to vote '
    'for instead of filing (filing stays allowed). 400 without a description.';
revoke all on function public.similar_posts(text, text) from public, anon, authenticated, service_role;
grant execute on function public.similar_posts(text, text) to authenticated;
