-- Rate limits: the table support edits, and the insert trigger that enforces it for users.
begin;
select plan(25);

select tests.create_supabase_user('reporter');
select tests.create_supabase_user('busy');

-- The table.
select results_eq(
    'select kind, max_per_hour from public.rate_limits order by kind',
    $$values ('bug_report', 5), ('feedback', 10), ('support_ticket', 5), ('ticket_reply', 30), ('vote', 60)$$,
    'the contract''s limits: 5 bug reports, 5 other tickets, 10 feedback entries per hour; 30 replies; 60 votes'
);
select is(
    tests.error_of($$update public.rate_limits set max_per_hour = 0 where kind = 'feedback'$$) ->> 'constraint',
    'rate_limits_max_per_hour_positive',
    'a limit must be positive'
);
select is(
    tests.error_of($$insert into public.rate_limits (kind, max_per_hour) values ('likes', 3)$$) ->> 'constraint',
    'rate_limits_kind_valid',
    'only the five kinds can be limited'
);

select tests.authenticate_as('reporter');
select is((select count(*)::int from public.rate_limits), 5, 'signed-in users read the limits');
select is_empty($$update public.rate_limits set max_per_hour = 1000 returning 1$$,
    'signed-in users who are not support admins cannot change the limits');
select tests.clear_authentication();
select throws_ok('select * from public.rate_limits', '42501', null, 'anon cannot read the limits');
reset role;

-- History: four bug reports 50, 40, 30 and 20 minutes ago, and older ones that no longer count.
insert into public.support_tickets (user_id, ticket_type, description, created_at)
select tests.get_supabase_uid('reporter'), 'bug', 'earlier bug ' || m, now() - make_interval(mins => m)
from unnest(array[50, 40, 30, 20, 61, 75, 90, 120, 180, 600]) as m;

select tests.authenticate_as('reporter');
select lives_ok(
    $$insert into public.support_tickets (ticket_type, description) values ('bug', 'fifth bug this hour')$$,
    'the fifth bug report within an hour is accepted (older ones do not count)'
);
select ok(
    exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted),
    'the accepted insert holds an advisory lock on the user until the transaction ends'
);

create temporary table refusal on commit drop as
select tests.error_of($$insert into public.support_tickets (ticket_type, description) values ('bug', 'sixth bug')$$) as error;
select is((select error ->> 'code' from refusal), 'PGRST', 'the sixth bug report within an hour is refused');
select is(
    (select (error ->> 'message')::jsonb from refusal),
    jsonb_build_object(
        'code', 'P0429',
        'message', 'You have sent too many bug reports in the last hour.',
        'details', 'Try again in 600 seconds.',
        'hint', 'The limit is 5 per hour.'
    ),
    'the refusal is in PostgREST''s error shape, with the seconds until the oldest counted report is an hour old'
);
select is(
    (select (error ->> 'detail')::jsonb from refusal),
    '{"status": 429, "headers": {"Retry-After": "600"}}'::jsonb,
    'PostgREST answers it with HTTP 429 and a Retry-After header'
);
select is(
    (select count(*)::int from public.support_tickets where description = 'sixth bug'),
    0,
    'a refused report stores nothing'
);
select lives_ok(
    $$insert into public.support_tickets (ticket_type, subject, description) values ('billing', 'Refund', 'Charged twice')$$,
    'at the bug-report limit, other tickets are still accepted (their own limit)'
);
select lives_ok(
    $$insert into public.user_feedback (category, description) values ('complaint', 'Too many bugs')$$,
    'at the bug-report limit, feedback is still accepted'
);

-- Support is not limited.
select tests.authenticate_as_service_role();
select lives_ok(
    format($$insert into public.support_tickets (user_id, ticket_type, description) values (%L, 'bug', 'filed by support')$$,
        tests.get_supabase_uid('reporter')),
    'service_role is not rate limited'
);
reset role;
select lives_ok(
    format($$insert into public.support_tickets (user_id, ticket_type, description) values (%L, 'bug', 'filed by an admin')$$,
        tests.get_supabase_uid('reporter')),
    'an admin (postgres) is not rate limited'
);

-- Support raises the limit in the table; it applies at once. (The admin rows above count too.)
update public.rate_limits set max_per_hour = 8 where kind = 'bug_report';
select tests.authenticate_as('reporter');
select lives_ok(
    $$insert into public.support_tickets (ticket_type, description) values ('bug', 'allowed after the change')$$,
    'a limit changed in rate_limits applies to the next request'
);
select is(
    (select (tests.error_of($$insert into public.support_tickets (ticket_type, description) values ('bug', 'ninth')$$)
        ->> 'message')::jsonb ->> 'hint'),
    'The limit is 8 per hour.',
    'and the refusal names the new limit'
);
reset role;

-- Other tickets and feedback have their own limits.
insert into public.support_tickets (user_id, ticket_type, subject, description, created_at)
select tests.get_supabase_uid('busy'), t, 'Earlier', 'earlier ticket', now() - interval '5 minutes'
from unnest(array['billing', 'technical', 'account', 'other', 'billing']) as t;
insert into public.user_feedback (user_id, category, description, created_at)
select tests.get_supabase_uid('busy'), 'praise', 'earlier feedback', now() - make_interval(mins => m)
from generate_series(1, 10) as m;

select tests.authenticate_as('busy');
select is(
    (select (tests.error_of($$insert into public.support_tickets (ticket_type, subject, description) values ('account', 's', 'd')$$)
        ->> 'message')::jsonb ->> 'message'),
    'You have created too many support tickets in the last hour.',
    'the sixth non-bug ticket within an hour is refused, whatever its type'
);
select is(
    (select (tests.error_of($$insert into public.user_feedback (category, description) values ('praise', 'd')$$)
        ->> 'message')::jsonb ->> 'details'),
    'Try again in 3000 seconds.',
    'the eleventh feedback within an hour is refused until the oldest counted one is an hour old'
);
select lives_ok(
    $$insert into public.support_tickets (ticket_type, description) values ('bug', 'a bug is another kind')$$,
    'at the ticket limit, bug reports are still accepted'
);
reset role;

-- The count reads a handful of index entries, however long the user's history. The planner may
-- take the bug-report partial index or the (user_id, created_at) index with a filter (it has
-- picked either, depending on statistics and on plpgsql's generic plan), so the reads of every
-- index of the table are summed: either way they stop after the newest max_per_hour bug reports.
insert into public.support_tickets (user_id, ticket_type, description, created_at)
select tests.get_supabase_uid('busy'), 'bug', 'old bug', now() - interval '2 hours' - make_interval(secs => n)
from generate_series(1, 2000) as n;
insert into public.support_tickets (user_id, ticket_type, description, created_at)
select tests.get_supabase_uid('busy'), 'bug', 'recent bug', now() - make_interval(secs => n)
from generate_series(1, 300) as n;
analyze public.support_tickets;

create function pg_temp.ticket_reads() returns table (index_entries bigint, heap_scanned bigint)
    language sql
as $$
    select (select sum(pg_stat_get_xact_tuples_returned(i.indexrelid))::bigint
            from pg_index as i where i.indrelid = 'public.support_tickets'::regclass),
        pg_stat_get_xact_tuples_returned('public.support_tickets'::regclass)
$$;
create temporary table reads_before on commit drop as select * from pg_temp.ticket_reads();
select tests.authenticate_as('busy');
select is(
    (select (tests.error_of($$insert into public.support_tickets (ticket_type, description) values ('bug', 'one more')$$)
        ->> 'message')::jsonb ->> 'code'),
    'P0429',
    'a user with a long history is refused at the limit'
);
reset role;
select ok(
    (select r.index_entries - b.index_entries from pg_temp.ticket_reads() as r, reads_before as b)
        between 1 and 4 * (select max_per_hour from public.rate_limits where kind = 'bug_report'),
    'the limit check read a few index entries, not the 2300 rows of history'
);
select is(
    (select r.heap_scanned - b.heap_scanned from pg_temp.ticket_reads() as r, reads_before as b),
    0::bigint,
    'the limit check scanned no part of the table sequentially'
);

select tests.authenticate_as('busy');
select is(
    (select count(*)::int from public.support_tickets where description = 'one more'),
    0,
    'nothing of the refused request was stored'
);
reset role;

select * from finish();
rollback;
