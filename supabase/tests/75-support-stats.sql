-- support_stats: equal to direct counts on a seeded data set; staff only; window checks.
begin;
select plan(23);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');

-- A window of its own, in March 2025: 60 tickets (one every 12 hours), of 3 types, answered after
-- n*7 minutes for n % 3 <> 0, resolved after n*53 minutes for n % 4 = 0, rated for n % 8 = 0;
-- 5 tickets just outside the window; 30 feedback entries.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, status, resolution,
                                    created_at, updated_at, resolved_at, first_responded_at)
select ('75000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, tests.get_supabase_uid('owner'),
       (array['bug', 'billing', 'account'])[1 + n % 3], 'Stats ' || n, 'Stats',
       (array['low', 'medium', 'high', 'urgent'])[1 + n % 4],
       case when n % 4 = 0 then 'resolved' when n % 5 = 0 then 'in_progress' else 'open' end,
       case when n % 4 = 0 then 'Done' end,
       timestamptz '2025-03-01 00:00:00+00' + make_interval(hours => 12 * (n - 1)),
       timestamptz '2025-03-01 00:00:00+00' + make_interval(hours => 12 * (n - 1)),
       case when n % 4 = 0 then timestamptz '2025-03-01 00:00:00+00' + make_interval(hours => 12 * (n - 1), mins => n * 53) end,
       case when n % 3 <> 0 then timestamptz '2025-03-01 00:00:00+00' + make_interval(hours => 12 * (n - 1), mins => n * 7) end
from generate_series(1, 60) as n;
insert into public.support_tickets (user_id, ticket_type, subject, description, created_at)
select tests.get_supabase_uid('owner'), 'other', 'Outside', 'Outside',
       case when n <= 3 then timestamptz '2025-02-28 23:59:59+00' else timestamptz '2025-03-31 00:00:00+00' + make_interval(secs => n) end
from generate_series(1, 5) as n;
-- Ratings given back then, recorded now: the rating window opened wide for this test.
update public.satisfaction_settings set rating_window = interval '10 years';
insert into public.ticket_ratings (ticket_id, user_id, rating, created_at)
select ('75000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, tests.get_supabase_uid('owner'), 1 + n % 5,
       timestamptz '2025-03-01 00:00:00+00' + make_interval(hours => 12 * (n - 1) + 2)
from generate_series(8, 56, 8) as n;
insert into public.user_feedback (user_id, category, description, status, created_at)
select tests.get_supabase_uid('owner'), (array['feature_request', 'complaint', 'praise'])[1 + n % 3], 'Stats',
       (array['received', 'planned'])[1 + n % 2], timestamptz '2025-03-02 00:00:00+00' + make_interval(hours => n)
from generate_series(1, 30) as n;

-- The agent asks; the direct counts below read as postgres (staff read tickets only through
-- the staff operations).
select tests.authenticate_as('agent');
create temporary table stats as
select public.support_stats('2025-03-01T00:00:00Z', '2025-03-31T00:00:00Z')::jsonb as s;
reset role;
create temporary view window_tickets as
select * from public.support_tickets
where created_at >= '2025-03-01T00:00:00Z' and created_at < '2025-03-31T00:00:00Z';

select is((select s ->> 'since' from stats), '2025-03-01T00:00:00Z', 'the window as asked');
select is(
    (select s -> 'tickets_per_day' from stats),
    (select jsonb_agg(jsonb_build_object('day', d, 'ticket_type', ticket_type, 'count', c) order by d, ticket_type)
     from (select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as d, ticket_type, count(*) as c
           from window_tickets group by 1, 2) as x),
    'tickets per day and type equal a direct count'
);
select is((select sum((e ->> 'count')::int) from stats, jsonb_array_elements(s -> 'tickets_per_day') as e)::int, 60,
    'the 60 tickets of the window are counted, the 5 outside are not');
select is(
    (select s -> 'first_response' from stats),
    (select jsonb_build_object('count', count(*),
        'median_minutes', round(percentile_cont(0.5) within group (order by m)::numeric, 1),
        'p90_minutes', round(percentile_cont(0.9) within group (order by m)::numeric, 1),
        'business_median_minutes', round(percentile_cont(0.5) within group (order by m)::numeric, 1),
        'business_p90_minutes', round(percentile_cont(0.9) within group (order by m)::numeric, 1))
     from (select extract(epoch from first_responded_at - created_at) / 60 as m from window_tickets
           where first_responded_at is not null) as x),
    'first response: count, median and p90 equal a direct computation, in business time the same without a schedule'
);
select is((select (s -> 'first_response' ->> 'count')::int from stats), 40, 'forty of the sixty were answered');
select is(
    (select s -> 'resolution' from stats),
    (select jsonb_build_object('count', count(*),
        'median_minutes', round(percentile_cont(0.5) within group (order by m)::numeric, 1),
        'p90_minutes', round(percentile_cont(0.9) within group (order by m)::numeric, 1),
        'business_median_minutes', round(percentile_cont(0.5) within group (order by m)::numeric, 1),
        'business_p90_minutes', round(percentile_cont(0.9) within group (order by m)::numeric, 1))
     from (select extract(epoch from resolved_at - created_at) / 60 as m from window_tickets
           where resolved_at is not null) as x),
    'resolution: count, median and p90 equal a direct computation'
);
select is((select (s -> 'resolution' ->> 'median_minutes')::numeric from stats), 1696.0,
    'the median resolution of tickets 4, 8, ..., 60 (n * 53 minutes) is that of n = 32');
select is(
    (select s -> 'sla' from stats),
    (select jsonb_build_object('tickets', count(*), 'breached', count(*) filter (where b),
        'breach_rate', round((count(*) filter (where b))::numeric / count(*), 4))
     from (select coalesce(first_response_due_at < coalesce(first_responded_at, sla_paused_at, now()), false)
                  or coalesce(resolution_due_at < coalesce(sla_paused_at, now()), false) as b
           from window_tickets where merged_into is null) as x),
    'sla: tickets, breached and the rate equal a direct count'
);
select is(
    (select s -> 'csat' from stats),
    (select jsonb_build_object('count', count(*), 'average', round(avg(rating), 2)) from public.ticket_ratings
     where created_at >= '2025-03-01T00:00:00Z' and created_at < '2025-03-31T00:00:00Z'),
    'csat: count and average equal a direct computation'
);
select is((select (s -> 'csat' ->> 'count')::int from stats), 7, 'the seven ratings of the window');
select is(
    (select s -> 'backlog' -> 'by_status' from stats),
    (select jsonb_build_object('open', count(*) filter (where status = 'open'), 'in_progress', count(*) filter (where status = 'in_progress'))
     from public.support_tickets),
    'backlog by status equals a direct count over every ticket'
);
select is(
    (select s -> 'backlog' -> 'by_priority' from stats),
    (select jsonb_object_agg(p, (select count(*) from public.support_tickets where priority = p and status in ('open', 'in_progress')))
     from unnest(array['urgent', 'high', 'medium', 'low']) as p),
    'backlog by priority equals a direct count over every ticket'
);
select is(
    (select s -> 'feedback' from stats),
    (select jsonb_agg(jsonb_build_object('category', category, 'status', status, 'count', c) order by category, status)
     from (select category, status, count(*) as c from public.user_feedback
           where created_at >= '2025-03-01T00:00:00Z' and created_at < '2025-03-31T00:00:00Z' group by 1, 2) as x),
    'feedback per category and status equals a direct count'
);
select tests.authenticate_as('agent');
select throws_ok($$select public.support_stats('2025-03-31', '2025-03-01')$$, 'PGRST', '{"code" : "stats_window_reversed", "message" : "since must be before until", "details" : null, "hint" : null}',
    'an inverted window is a 400');
select throws_ok($$select public.support_stats('last week')$$, 'PGRST', '{"code" : "invalid_time", "message" : "since must be a date or time (RFC 3339)", "details" : null, "hint" : null}',
    'since must be a time');
select throws_ok($$select public.support_stats('4713-01-01 BC', '294276-12-31')$$, 'PGRST', '{"code" : "invalid_time", "message" : "until must be a date or time (RFC 3339)", "details" : null, "hint" : null}',
    'a window whose length overflows (4713 BC to 294276) is a 400 naming a parameter, not all of history');
select throws_ok($$select public.support_stats('4713-01-01 BC', '2025-03-01')$$, 'PGRST', '{"code" : "invalid_time", "message" : "since must be a date or time (RFC 3339)", "details" : null, "hint" : null}',
    'a since in 4713 BC is a 400 naming since');
select throws_ok($$select public.support_stats('0001-01-01 BC', '0001-06-01')$$, 'PGRST', '{"code" : "invalid_time", "message" : "since must be a date or time (RFC 3339)", "details" : null, "hint" : null}',
    'a BC since is a 400 rather than an answer that drops the era');
select throws_ok($$select public.support_stats('-infinity', 'infinity')$$, 'PGRST', '{"code" : "invalid_time", "message" : "until must be a date or time (RFC 3339)", "details" : null, "hint" : null}',
    'infinite times are refused, naming the parameter');
select lives_ok($$select public.support_stats('9999-06-01', '9999-12-31T23:59:59Z')$$,
    'a window at the end of year 9999 is answered');

-- Nobody else.
select tests.authenticate_as('owner');
select throws_ok($$select public.support_stats()$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'a user cannot read the numbers');
select tests.clear_authentication();
select throws_ok($$select public.support_stats()$$, '42501', null, 'anon cannot read the numbers');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_stats()$$, '42501', null, 'service_role does not call the staff numbers');

select * from finish();
rollback;
