-- support_stats gains a "help" key: deflection and helpfulness over the same window.
--
-- Why: the help center is worth the tickets it saves (issue 26). Over the window of
-- support_stats (since inclusive, until exclusive), from public.help_article_events and
-- public.help_article_votes:
--   help.offers            sets of suggestions shown (distinct offer_id with a "suggested" event)
--   help.answered          offers where the reader said an article answered the question
--   help.tickets_filed     offers after which a ticket was filed
--   help.deflection_rate   answered / offers (null without offers)
--   help.most_deflecting   up to 5 articles by answers (then by rate): {slug, locale, title,
--                          suggested, answered, rate}
--   help.least_deflecting  up to 5 articles suggested at least 3 times, lowest answer rate first
--   help.votes             {helpful, not_helpful} cast in the window
-- The other keys are unchanged: public.support_stats still returns private.support_stats, with
-- "help" appended (the wrapper adds it to the object, keeping the order of the rest).

-- Security definer: staff hold no read policy on help_article_events; it checks first that
-- the caller is staff, and returns counts only.
create function private.help_stats(window_start timestamptz, window_end timestamptz)
    returns jsonb
    language plpgsql
    stable
    security definer
    set search_path = ''
    -- As private.support_stats (20260111001000 says why): it reads a window's rows.
    set jit = off
as $$
declare
    result jsonb;
begin
    perform private.require_staff();
    with events as materialized (
        select e.offer_id, e.article_id, e.kind
        from public.help_article_events as e
        where e.created_at >= window_start and e.created_at < window_end
    ),
    offers as (
        select e.offer_id,
            pg_catalog.bool_or(e.kind = 'answered') as answered,
            pg_catalog.bool_or(e.kind = 'ticket_filed') as filed
        from events as e
        group by e.offer_id
        having pg_catalog.bool_or(e.kind = 'suggested')
    ),
    per_article as (
        select e.article_id,
            pg_catalog.count(*) filter (where e.kind = 'suggested') as suggested,
            pg_catalog.count(*) filter (where e.kind = 'answered') as answered
        from events as e
        group by e.article_id
    ),
    described as (
        select a.slug, a.locale, a.title, p.suggested, p.answered,
            pg_catalog.round(p.answered::numeric / nullif(p.suggested, 0), 4) as rate
        from per_article as p
        join public.help_articles as a on a.id = p.article_id
        where p.suggested > 0
    )
    select pg_catalog.jsonb_build_object(
        'offers', (select pg_catalog.count(*) from offers),
        'answered', (select pg_catalog.count(*) from offers as o where o.answered),
        'tickets_filed', (select pg_catalog.count(*) from offers as o where o.filed),
        'deflection_rate', (select pg_catalog.round(
            (pg_catalog.count(*) filter (where o.answered))::numeric / nullif(pg_catalog.count(*), 0), 4) from offers as o),
        'most_deflecting', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(d) order by d.answered desc, d.rate desc, d.slug), '[]')
            from (select * from described as x where x.answered > 0
                  order by x.answered desc, x.rate desc, x.slug limit 5) as d),
        'least_deflecting', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(d) order by d.rate, d.suggested desc, d.slug), '[]')
            from (select * from described as x where x.suggested >= 3
                  order by x.rate, x.suggested desc, x.slug limit 5) as d),
        'votes', (select pg_catalog.jsonb_build_object(
                'helpful', pg_catalog.count(*) filter (where v.helpful),
                'not_helpful', pg_catalog.count(*) filter (where not v.helpful))
            from public.help_article_votes as v
            where v.updated_at >= window_start and v.updated_at < window_end)
    ) into result;
    return result;
end;
$$;

comment on function private.help_stats(timestamptz, timestamptz) is
    'Staff only: the "help" part of support_stats (deflection, the articles that answer most and '
    'least, votes) over a window. Security definer: staff hold no read policy on '
    'help_article_events; it checks the caller is staff and returns counts only.';
revoke all on function private.help_stats(timestamptz, timestamptz) from public;
grant execute on function private.help_stats(timestamptz, timestamptz) to authenticated;

create or replace function public.support_stats(since text default null, until text default null)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    stats json := private.support_stats(support_stats.since, support_stats.until);
    help jsonb;
begin
    -- The window as private.support_stats read and checked it.
    help := private.help_stats((stats ->> 'since')::timestamptz, (stats ->> 'until')::timestamptz);
    -- Appended to the object's text, not merged as jsonb: jsonb would reorder the keys of the
    -- other parts, and by_priority is in rank order on purpose.
    return (pg_catalog.left(stats::text, -1) || ', "help" : ' || help::text || '}')::json;
end;
$$;

comment on function public.support_stats(text, text) is
    'Staff only (403 otherwise). Numbers for since (inclusive) to until (exclusive), default the '
    'last 30 days, at most 366: tickets_per_day by type, first_response and resolution minutes '
    '(count, median, p90; calendar and business time), sla (tickets, breached, breach_rate), csat (count, '
    'average), backlog now (by_status, by_priority), feedback per category and status, help '
    '(offers, answered, tickets_filed, deflection_rate, most_deflecting, least_deflecting, votes).';
