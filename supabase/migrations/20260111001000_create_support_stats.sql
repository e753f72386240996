-- RPC support_stats: support's numbers over a window of time, for staff.
--
-- Why: the dashboard, the companion and Studio read the same facts from one query.
-- GET /rest/v1/rpc/support_stats?since=2026-01-01&until=2026-01-31 (or POST with the same names):
-- since inclusive, until exclusive, defaults the 30 days up to now; at most 366 days.
--   tickets_per_day   tickets created per UTC day and ticket_type.
--   first_response    over tickets created in the window and answered: count, median and 90th
--                     percentile of minutes to support's first public reply, in calendar time
--                     (median_minutes, p90_minutes) and in the business minutes of the
--                     ticket's priority's schedule (business_median_minutes,
--                     business_p90_minutes; equal to calendar time without a schedule, see
--                     20260203000100_create_business_schedules.sql).
--   resolution        over tickets created in the window and resolved: minutes from creation
--                     to resolved_at (waiting on the user included), calendar and business.
--   sla               tickets created in the window (merged ones excluded), how many missed a
--                     target as of now, and the rate.
--   csat              ratings given in the window: count and average.
--   backlog           tickets open or in progress now, by status and by priority (not windowed).
--   feedback          feedback created in the window, per category and status.
-- Every part reads a range of an index on created_at (or the status index for the backlog), so
-- the cost follows the window's rows, not the table's (bench/stats_bench.py measures 10k vs 10M).
-- JIT is off for this function: the planner estimates the window from the created_at histogram,
-- and on a big table that estimate (61,000 rows for a window holding 5,000 at 10M tickets) put
-- the plan's cost over jit_above_cost, so PostgreSQL compiled it: 82 of the 96 ms of a call at
-- 10M went to compiling 74 functions (auto_explain), against 12 ms for the whole call at 10k.
-- JIT pays off only for queries that run long over many rows; these read a window's rows.
-- Non-staff callers get 403. The work is done by private.support_stats, security definer (staff
-- hold no read policy on the tickets, see 20260110000800), which checks first that the caller
-- is staff; public.support_stats is its invoker wrapper.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file require-concurrent-index-creation

create function private.support_stats(since text default null, until text default null)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
    set jit = off
as $$
declare
    window_start timestamptz;
    window_end timestamptz;
    result json;
begin
    perform private.require_staff();
    window_end := coalesce(private.time_param(support_stats.until, 'until'), now());
    window_start := coalesce(private.time_param(support_stats.since, 'since'), window_end - interval '30 days');
    if window_start >= window_end then
        perform private.refuse('stats_window_reversed');
    end if;
    if window_end - window_start > interval '366 days' then
        perform private.refuse('stats_window_too_long');
    end if;

    with schedules as materialized (
        -- One schedule lookup per priority, not per ticket.
        select v.code as priority, private.sla_schedule(v.code) as schedule_id
        from public.ticket_priorities as v
    ),
    created as materialized (
        select t.created_at, t.ticket_type, t.priority, t.first_responded_at, t.resolved_at, t.merged_into,
               coalesce(t.sla_breached_at < now(), false) as breached
        from public.support_tickets as t
        where t.created_at >= window_start and t.created_at < window_end
    ),
    per_day as (
        -- Grouped by the day as a timestamp; only the groups are formatted as text.
        select pg_catalog.to_char(g.day, 'YYYY-MM-DD') as day, g.ticket_type, g.tickets
        from (
            select pg_catalog.date_trunc('day', c.created_at at time zone 'UTC') as day, c.ticket_type,
                   pg_catalog.count(*) as tickets
            from created as c
            group by 1, 2
        ) as g
    ),
    response as (
        select extract(epoch from c.first_responded_at - c.created_at) / 60 as minutes,
               private.business_minutes(s.schedule_id, c.created_at, c.first_responded_at) as business
        from created as c
        left join schedules as s on s.priority = c.priority
        where c.first_responded_at is not null
    ),
    resolution as (
        select extract(epoch from c.resolved_at - c.created_at) / 60 as minutes,
               private.business_minutes(s.schedule_id, c.created_at, c.resolved_at) as business
        from created as c
        left join schedules as s on s.priority = c.priority
        where c.resolved_at is not null
    ),
    feedback as (
        select f.category, f.status, pg_catalog.count(*) as entries
        from public.user_feedback as f
        where f.created_at >= window_start and f.created_at < window_end
        group by 1, 2
    ),
    backlog as (
        -- priority_order, not priority: the count reads support_tickets_status_priority_order_created_at_idx alone.
        select t.status, t.priority_order, pg_catalog.count(*) as tickets
        from public.support_tickets as t
        where t.status in ('open', 'in_progress')
        group by t.status, t.priority_order
    )
    select pg_catalog.json_build_object(
        'since', private.utc_text(window_start),
        'until', private.utc_text(window_end),
        'tickets_per_day', (
            select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                'day', d.day, 'ticket_type', d.ticket_type, 'count', d.tickets) order by d.day, d.ticket_type), '[]'::json)
            from per_day as d),
        'first_response', (
            select pg_catalog.json_build_object(
                'count', pg_catalog.count(*),
                'median_minutes', pg_catalog.round(pg_catalog.percentile_cont(0.5) within group (order by r.minutes)::numeric, 1),
                'p90_minutes', pg_catalog.round(pg_catalog.percentile_cont(0.9) within group (order by r.minutes)::numeric, 1),
                'business_median_minutes', pg_catalog.round(pg_catalog.percentile_cont(0.5) within group (order by r.business)::numeric, 1),
                'business_p90_minutes', pg_catalog.round(pg_catalog.percentile_cont(0.9) within group (order by r.business)::numeric, 1))
            from response as r),
        'resolution', (
            select pg_catalog.json_build_object(
                'count', pg_catalog.count(*),
                'median_minutes', pg_catalog.round(pg_catalog.percentile_cont(0.5) within group (order by r.minutes)::numeric, 1),
                'p90_minutes', pg_catalog.round(pg_catalog.percentile_cont(0.9) within group (order by r.minutes)::numeric, 1),
                'business_median_minutes', pg_catalog.round(pg_catalog.percentile_cont(0.5) within group (order by r.business)::numeric, 1),
                'business_p90_minutes', pg_catalog.round(pg_catalog.percentile_cont(0.9) within group (order by r.business)::numeric, 1))
            from resolution as r),
        'sla', (
            select pg_catalog.json_build_object(
                'tickets', pg_catalog.count(*),
                'breached', pg_catalog.count(*) filter (where c.breached),
                'breach_rate', pg_catalog.round(
                    (pg_catalog.count(*) filter (where c.breached))::numeric / nullif(pg_catalog.count(*), 0), 4))
            from created as c where c.merged_into is null),
        'csat', (
            select pg_catalog.json_build_object(
                'count', pg_catalog.count(*),
                'average', pg_catalog.round(pg_catalog.avg(r.rating), 2))
            from public.ticket_ratings as r
            where r.created_at >= window_start and r.created_at < window_end),
        'backlog', pg_catalog.json_build_object(
            'by_status', (
                select pg_catalog.json_object_agg(s.status, coalesce((
                    select pg_catalog.sum(b.tickets) from backlog as b where b.status = s.status), 0))
                from pg_catalog.unnest(array['open', 'in_progress']) as s(status)),
            'by_priority', (
                select pg_catalog.json_object_agg(p.code, coalesce((
                    select pg_catalog.sum(b.tickets) from backlog as b where b.priority_order = p.rank), 0)
                    order by p.rank)
                from public.ticket_priorities as p)),
        'feedback', (
            select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                'category', f.category, 'status', f.status, 'count', f.entries) order by f.category, f.status), '[]'::json)
            from feedback as f)
    ) into result;
    return result;
end;
$$;

comment on function private.support_stats(text, text) is
    'Support''s numbers (see public.support_stats); checks that the caller is staff first.';
revoke all on function private.support_stats(text, text) from public;
grant execute on function private.support_stats(text, text) to authenticated;

create function public.support_stats(since text default null, until text default null)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.support_stats(support_stats.since, support_stats.until);
end;
$$;

comment on function public.support_stats(text, text) is
    'Staff only (403 otherwise). Numbers for since (inclusive) to until (exclusive), default the '
    'last 30 days, at most 366: tickets_per_day by type, first_response and resolution minutes '
    '(count, median, p90; calendar and business time), sla (tickets, breached, breach_rate), csat (count, '
    'average), backlog now (by_status, by_priority), feedback per category and status.';

revoke all on function public.support_stats(text, text) from public, anon, authenticated, service_role;
grant execute on function public.support_stats(text, text) to authenticated;

-- The feedback counts read a range of created_at with the two grouped columns.
create index user_feedback_created_at_category_status_idx on public.user_feedback (created_at, category, status);
