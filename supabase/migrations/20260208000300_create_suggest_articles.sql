-- suggest_articles and help_article: the help center's search and its reading, for everyone.
--
-- Why: the app, the companion, the dashboard and the public /help/ pages suggest articles while
-- someone is still typing a question (issue 26), so the search must be cheap enough to run on
-- each pause in typing, by anonymous readers too. It ranks published articles by full text
-- (websearch_to_tsquery over title and body, stemmed in the article's language, title weighted
-- above body) and by trigram word similarity of the title (pg_trgm, 20260114000400: it catches
-- the word being typed, "passw"), both served by indexes of 20260208000200.
--
-- Ranking is a reciprocal-rank fusion (score = sum of 1 / (60 + rank) over the ranked lists),
-- so that a semantic list can join later without retuning: the CTE named semantic_ranking is
-- that slot. It is empty today on purpose: embeddings are not available in this project yet
-- (pgvector cannot be installed here). When they are, it returns (id, rank) of the published
-- articles nearest to the query's embedding, and the fusion adds it as it adds the lexical list.
-- Nothing in the result pretends to be semantic until then.
--
-- Locales: the requested tag, else its language (fr-CA -> fr), else the default locale; the
-- suggestions come from that locale and the default one, one per slug, the requested language
-- first. Both functions are read-only and need nothing of the private schema (anon may execute
-- nothing there): they clamp out-of-range arguments instead of refusing.

create function public.suggest_articles(query text, locale text default null, page_size integer default 3)
    returns table (id uuid, slug text, locale text, title text, category text, excerpt text, score double precision,
        lexical_score double precision)
    language sql
    stable
    security invoker
    set search_path = ''
    -- A question of stop words only ("how do I") is a notice per locale, not news to the caller.
    set client_min_messages = 'warning'
as $$
    with wanted as (
        select coalesce(
            (select l.code from public.help_locales as l where l.code = suggest_articles.locale),
            (select l.code from public.help_locales as l
             where l.code = pg_catalog.split_part(suggest_articles.locale, '-', 1)),
            (select l.code from public.help_locales as l where l.is_default)) as code
    ),
    locales as (
        select l.code, l.search_config, l.code = (select w.code from wanted as w) as preferred
        from public.help_locales as l
        where l.code = (select w.code from wanted as w) or l.is_default
    ),
    asked as (
        select pg_catalog.left(pg_catalog.btrim(coalesce(suggest_articles.query, '')), 200) as text
    ),
    -- A question is not a query: any of its words may match (websearch_to_tsquery's "and"
    -- becomes "or"; quoted phrases and -exclusions keep their meaning), and ts_rank_cd ranks
    -- the articles that match more of them, closer together, in the title, first.
    queries as (
        select lo.code, lo.preferred, q.text,
            pg_catalog.regexp_replace(pg_catalog.websearch_to_tsquery(lo.search_config, q.text)::text,
                ' & (?!!)', ' | ', 'g')::tsquery as tsq
        from locales as lo
        cross join asked as q
        where q.text <> ''
    ),
    matches as (
        select a.id, a.slug, a.locale, a.title, a.category, a.body, qu.preferred,
            pg_catalog.ts_rank_cd(a.search_vector, qu.tsq) + extensions.word_similarity(qu.text, a.title) as lexical_score
        from queries as qu
        join public.help_articles as a on a.locale = qu.code and a.status = 'published'
        where a.search_vector operator(pg_catalog.@@) qu.tsq
           or (pg_catalog.length(qu.text) >= 4 and qu.text operator(extensions.<%) a.title)
    ),
    one_per_slug as (
        select distinct on (m.slug) m.*
        from matches as m
        order by m.slug, m.preferred desc, m.lexical_score desc
    ),
    lexical_ranking as (
        select o.id, pg_catalog.row_number() over (order by o.lexical_score desc, o.id) as rank
        from one_per_slug as o
    ),
    -- The semantic slot (see the header): empty until embeddings exist. Do not fill it with
    -- anything that is not a ranking by meaning.
    semantic_ranking as (
        select null::uuid as id, null::bigint as rank
        where false
    ),
    fused as (
        select r.id, sum(1.0 / (60 + r.rank)) as score
        from (select * from lexical_ranking union all select * from semantic_ranking) as r
        group by r.id
    )
    select o.id, o.slug, o.locale, o.title, o.category,
        pg_catalog.left(pg_catalog.regexp_replace(o.body, '[][#*_`>()]+|[[:space:]]+', ' ', 'g'), 160) as excerpt,
        f.score::double precision, o.lexical_score::double precision
    from fused as f
    join one_per_slug as o on o.id = f.id
    order by f.score desc, o.id
    limit least(greatest(coalesce(suggest_articles.page_size, 3), 1), 10);
$$;

comment on function public.suggest_articles(text, text, integer) is
    'Everyone, anon included. Published help articles for a question being typed: {query, locale?, '
    'page_size? (1 to 10, default 3)}. Full text in the article''s language plus title trigram '
    'similarity, fused by reciprocal rank (a slot is kept for a semantic ranking, empty until '
    'embeddings exist). Locale: the tag, its language, else the default; one article per slug. '
    'Returns [{id, slug, locale, title, category, excerpt, score (the fused rank), lexical_score '
    '(ts_rank_cd + title word similarity: 1 or more means a title word or several body words '
    'matched)}]; an empty query returns none.';
revoke all on function public.suggest_articles(text, text, integer) from public, anon, authenticated, service_role;
grant execute on function public.suggest_articles(text, text, integer) to anon, authenticated;

create function public.help_article(slug text, locale text default null)
    returns table (id uuid, slug text, locale text, title text, category text, body_html text,
        updated_at timestamptz, requested_locale_found boolean)
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select a.id, a.slug, a.locale, a.title, a.category, a.body_html, a.updated_at,
        a.locale = help_article.locale as requested_locale_found
    from public.help_articles as a
    left join public.help_locales as l on l.code = a.locale
    where a.slug = help_article.slug and a.status = 'published'
      and (a.locale = help_article.locale
           or a.locale = pg_catalog.split_part(help_article.locale, '-', 1)
           or l.is_default)
    order by a.locale = help_article.locale desc,
        a.locale = pg_catalog.split_part(help_article.locale, '-', 1) desc
    limit 1;
$$;

comment on function public.help_article(text, text) is
    'Everyone, anon included. One published article by slug: {slug, locale?}. The requested locale, '
    'else its language, else the default locale (requested_locale_found says which). No row when '
    'there is none. Returns [{id, slug, locale, title, category, body_html, updated_at, '
    'requested_locale_found}]; body_html is safe to insert as HTML.';
revoke all on function public.help_article(text, text) from public, anon, authenticated, service_role;
grant execute on function public.help_article(text, text) to anon, authenticated;

insert into private.anonymous_reads (object_name, kind, reason) values
    ('public.suggest_articles(text,text,integer)', 'function', 'suggestions while anyone types a question (read only)'),
    ('public.help_article(text,text)', 'function', 'reading one published article (read only)');

create function public.help_center_articles(locale text default null)
    returns table (id uuid, slug text, locale text, title text, category text, updated_at timestamptz)
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select distinct on (a.slug) a.id, a.slug, a.locale, a.title, a.category, a.updated_at
    from public.help_articles as a
    left join public.help_locales as l on l.code = a.locale
    where a.status = 'published'
      and (a.locale = help_center_articles.locale
           or a.locale = pg_catalog.split_part(help_center_articles.locale, '-', 1)
           or l.is_default)
    order by a.slug, a.locale = help_center_articles.locale desc,
        a.locale = pg_catalog.split_part(help_center_articles.locale, '-', 1) desc;
$$;

comment on function public.help_center_articles(text) is
    'Everyone, anon included. The published articles of the help center, one per slug, in the '
    'requested locale where there is a translation, else the default locale: the table of '
    'contents of /help/. {locale?}. Returns [{id, slug, locale, title, category, updated_at}].';
revoke all on function public.help_center_articles(text) from public, anon, authenticated, service_role;
grant execute on function public.help_center_articles(text) to anon, authenticated;

insert into private.anonymous_reads (object_name, kind, reason) values
    ('public.help_center_articles(text)', 'function', 'the help center''s table of contents (read only)');
