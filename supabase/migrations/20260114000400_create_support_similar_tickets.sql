-- RPC support_similar_tickets: the open bug reports and problem tickets that look like the
-- same thing as a given bug report, with a score.
--
-- Why: fifty people report the same crash in an hour; staff should see that at once and link
-- the new report to the known problem (public.support_link_problem) in one action.
-- GET /rest/v1/rpc/support_similar_tickets?ticket_id=&limit= (staff only, 403 otherwise).
-- The candidates are the open or in-progress bug reports filed within
-- triage_settings.similar_window_days (through a partial index on created_at, so the lookup
-- costs what the window holds, not what the table holds) and every open problem (a ticket
-- with open reports linked to it, through support_tickets_problem_id_status_idx). The score is
-- the greater of the pg_trgm similarity of the two subjects and the overlap (Jaccard) of the
-- stemmed English words of subject and description (full-text search's lexemes), so a report
-- paraphrased in other words is found by the words it shares and a near-identical subject by
-- its trigrams. Candidates below triage_settings.similar_min_score are left out.

create extension if not exists pg_trgm with schema extensions;

create index support_tickets_open_bug_created_at_idx on public.support_tickets (created_at)
    where ticket_type = 'bug' and status in ('open', 'in_progress');

create function private.ticket_words(subject text, description text)
    returns text[]
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
begin
    -- The first 1,000 characters carry what a report is about; the rest would only cost time.
    return pg_catalog.tsvector_to_array(pg_catalog.to_tsvector(
        'english'::regconfig, subject || ' ' || pg_catalog.left(description, 1000)));
end;
$$;

comment on function private.ticket_words(text, text) is
    'The distinct stemmed English words (full-text lexemes, stop words left out) of a ticket''s '
    'subject and the start of its description.';

create function private.word_overlap(a text[], b text[])
    returns real
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
declare
    shared integer;
begin
    if coalesce(pg_catalog.cardinality(a), 0) = 0 or coalesce(pg_catalog.cardinality(b), 0) = 0 then
        return 0;
    end if;
    select pg_catalog.count(*) into shared from pg_catalog.unnest(a) as x(w) where x.w = any (b);
    return shared::real / (pg_catalog.cardinality(a) + pg_catalog.cardinality(b) - shared);
end;
$$;

comment on function private.word_overlap(text[], text[]) is
    'Jaccard overlap of two sets of distinct words: shared / (all of both).';

revoke all on function private.ticket_words(text, text), private.word_overlap(text[], text[]) from public;
grant execute on function private.ticket_words(text, text), private.word_overlap(text[], text[]) to authenticated;

create function public.support_similar_tickets(ticket_id text, "limit" integer default 10)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
    settings public.triage_settings;
    words text[];
    matches json;
begin
    perform private.require_staff();
    if "limit" is null or "limit" < 1 or "limit" > 50 then
        raise exception 'limit must be between 1 and 50' using errcode = 'invalid_parameter_value';
    end if;
    select t.* into ticket from public.support_tickets as t
    where t.id = private.ticket_uuid(support_similar_tickets.ticket_id);
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    select s.* into settings from public.triage_settings as s;
    words := private.ticket_words(ticket.subject, ticket.description);

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
        select s.*
        from (
            select c.*, greatest(
                       extensions.similarity(ticket.subject, c.subject),
                       private.word_overlap(words, private.ticket_words(c.subject, c.description))
                   ) as score
            from (
            select t.id, t.subject, t.description, t.status, t.created_at, false as is_problem, 0::bigint as reports
            from public.support_tickets as t
            where t.ticket_type = 'bug' and t.status in ('open', 'in_progress')
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
            ) as c
        ) as s
        where s.score >= settings.similar_min_score
        order by s.score desc, s.created_at desc
        limit "limit"
    ) as m;

    return pg_catalog.json_build_object('ticket_id', ticket.id, 'similar', matches);
end;
$$;

comment on function public.support_similar_tickets(text, integer) is
    'Staff only (403 otherwise). ?ticket_id=&limit= (1-50, default 10): {ticket_id, similar: '
    '[{ticket_id, subject, status, created_at, is_problem, reports, score}]}, best first: open '
    'bug reports of the last similar_window_days and open problems scoring at least '
    'similar_min_score (triage_settings). Link one with support_link_problem.';

revoke all on function public.support_similar_tickets(text, integer) from public, anon, authenticated, service_role;
grant execute on function public.support_similar_tickets(text, integer) to authenticated;
