-- RPC support_similar_tickets: the open problem reports and problem tickets that look like the
-- same thing as a given report, with a score.
--
-- Why: fifty people report the same crash in an hour; staff should see that at once and link
-- the new report to the known problem (public.support_link_problem) in one action.
-- GET /rest/v1/rpc/support_similar_tickets?ticket_id=&page_size= (staff only, 403 otherwise).
-- The candidates are the open or in-progress tickets of the types whose reports can be
-- duplicates (ticket_types.duplicate_candidates: a bug filed as `technical` is the same problem
-- as one filed as `bug`) filed within triage_settings.similar_window_days (through a partial
-- index on type and created_at, so the lookup costs what the window holds, not what the table
-- holds) and every open problem (a ticket
-- with open reports linked to it, through support_tickets_problem_id_status_idx). The score is
-- the greater of the pg_trgm similarity of the two subjects and the overlap (Jaccard) of the
-- stemmed English words of subject and description (full-text search's lexemes), so a report
-- paraphrased in other words is found by the words it shares and a near-identical subject by
-- its trigrams. When both reports have a sentence embedding of one model (20260114000350),
-- the score is instead the chance that they report the same problem, from the cosine of the
-- embeddings and that shared-words score (a logistic model whose weights are settings), so a
-- paraphrase with no word in common is found and a report of the same area that shares words
-- but not the problem ranks below it. Candidates below triage_settings.similar_min_probability
-- (with vectors) or similar_min_score (words alone: an item the worker has not embedded yet)
-- are left out.

-- squawk: First release: nothing is deployed yet, so support_tickets is empty when this runs.
-- squawk-ignore-file require-concurrent-index-creation

create extension if not exists pg_trgm with schema extensions;

create index support_tickets_open_type_created_at_idx on public.support_tickets (ticket_type, created_at)
    where status in ('open', 'in_progress');

-- Security definer: staff hold no read policy on tickets (20260110000800). It checks first
-- that the caller is staff and answers subjects, statuses and scores of open reports.
create function private.similar_tickets_as_staff(ticket_id text, page_size integer)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
    settings public.triage_settings;
    target_words text[];
    target_vector extensions.vector;
    target_model text;
    matches json;
begin
    perform private.require_staff();
    page_size := private.integer_param(page_size::text, 'page_size', 1, 50, 10);
    select t.* into ticket from public.support_tickets as t
    where t.id = private.uuid_param(similar_tickets_as_staff.ticket_id, 'ticket_id');
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    select s.* into settings from public.triage_settings as s;
    select e.embedding, e.model into target_vector, target_model
    from private.ticket_embeddings as e where e.ticket_id = ticket.id;
    -- The distinct stemmed English words (full-text lexemes, stop words left out) of the subject
    -- and the first 1,000 characters of the description, which carry what a report is about.
    target_words := pg_catalog.tsvector_to_array(pg_catalog.to_tsvector(
        'english'::regconfig, ticket.subject || ' ' || pg_catalog.left(ticket.description, 1000)));

    -- The words and the score are computed inline, once per candidate (the materialized CTE
    -- keeps the planner from evaluating the score again in the filter): a helper function
    -- with SET search_path per row cost more than the comparison itself.
    with candidates as materialized (
        select t.id, t.subject, t.description, t.status, t.created_at, false as is_problem, 0::bigint as reports
        from public.support_tickets as t
        where t.ticket_type = any (array(select y.code from public.ticket_types as y where y.duplicate_candidates))
            and t.status in ('open', 'in_progress')
            and t.created_at >= pg_catalog.now() - pg_catalog.make_interval(days => settings.similar_window_days)
            and t.problem_id is null and t.merged_into is null
            and t.id <> ticket.id
            and not exists (select 1 from public.support_tickets as r where r.problem_id = t.id)
        union all
        select p.id, p.subject, p.description, p.status, p.created_at, true, o.reports
        from (
            select r.problem_id, pg_catalog.count(*) as reports
            from public.support_tickets as r
            where r.problem_id is not null and r.status in ('open', 'in_progress')
            group by r.problem_id
        ) as o
        join public.support_tickets as p on p.id = o.problem_id
        where p.status in ('open', 'in_progress') and p.id <> ticket.id
    ),
    lexical as materialized (
        select c.*, greatest(
                   extensions.similarity(ticket.subject, c.subject),
                   case when pg_catalog.cardinality(w.words) > 0 and pg_catalog.cardinality(target_words) > 0 then
                       w.shared::real / (pg_catalog.cardinality(w.words) + pg_catalog.cardinality(target_words) - w.shared)
                   else 0 end
               ) as words_score,
               -- Exact cosine over the window's candidates (no approximate index: the window
               -- bounds them), only against a vector of the target's own model.
               1 - (e.embedding operator(extensions.<=>) target_vector) as cosine
        from candidates as c
        cross join lateral (
            select x.words, (select pg_catalog.count(*) from pg_catalog.unnest(x.words) as u(word) where u.word = any (target_words)) as shared
            from (select pg_catalog.tsvector_to_array(pg_catalog.to_tsvector(
                      'english'::regconfig, c.subject || ' ' || pg_catalog.left(c.description, 1000))) as words) as x
        ) as w
        left join private.ticket_embeddings as e on e.ticket_id = c.id and e.model = target_model
    ),
    scored as materialized (
        select l.*,
               case when l.cosine is null then l.words_score
               else 1 / (1 + pg_catalog.exp(-(settings.similar_intercept
                                               + settings.similar_cosine_weight * l.cosine
                                               + settings.similar_lexical_weight * l.words_score)))
               end as score,
               case when l.cosine is null then settings.similar_min_score
               else settings.similar_min_probability end as min_score
        from lexical as l
    )
    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
               'ticket_id', m.id,
               'subject', m.subject,
               'status', m.status,
               'created_at', private.utc_text(m.created_at),
               'is_problem', m.is_problem,
               'reports', m.reports,
               'score', pg_catalog.round(m.score::numeric, 3)
           ) order by m.score desc, m.created_at desc), '[]'::json)
    into matches
    from (
        select s.* from scored as s
        where s.score >= s.min_score
        order by s.score desc, s.created_at desc
        limit page_size
    ) as m;

    return pg_catalog.json_build_object('ticket_id', ticket.id, 'similar', matches);
end;
$$;

comment on function private.similar_tickets_as_staff(text, integer) is
    'Staff only: the likely duplicates and known problems of a bug report (public.support_similar_tickets).';
revoke all on function private.similar_tickets_as_staff(text, integer) from public;
grant execute on function private.similar_tickets_as_staff(text, integer) to authenticated;

create function public.support_similar_tickets(ticket_id text, page_size integer default 10)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.similar_tickets_as_staff(support_similar_tickets.ticket_id, support_similar_tickets.page_size);
end;
$$;

comment on function public.support_similar_tickets(text, integer) is
    'Staff only (403 otherwise). ?ticket_id=&page_size= (1-50, default 10): {ticket_id, similar: '
    '[{ticket_id, subject, status, created_at, is_problem, reports, score}]}, best first: open '
    'reports of the types marked duplicate_candidates (ticket_types) of the last similar_window_days and open problems: with '
    'sentence embeddings, score is the chance of the same problem (at least similar_min_probability), else the '
    'shared-words score (at least similar_min_score; triage_settings). Link one with support_link_problem.';

revoke all on function public.support_similar_tickets(text, integer) from public, anon, authenticated, service_role;
grant execute on function public.support_similar_tickets(text, integer) to authenticated;
