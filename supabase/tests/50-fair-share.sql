-- Fair share: the per-caller limits table, PostgREST's pre-request function, statement
-- timeouts, and "blank" as a person sees it.
begin;
select plan(24);

select tests.create_supabase_user('caller');

create function pg_temp.advisory_locks() returns bigint language sql as $$
    select count(*) from pg_catalog.pg_locks
    where locktype = 'advisory' and pid = pg_catalog.pg_backend_pid() and granted
$$;

-- The table.
select results_eq(
    'select role, max_concurrent_reads, max_concurrent_writes from public.request_limits order by role',
    $$values ('anon', 2, 2), ('authenticated', 2, 8)$$,
    'a user runs 2 reads and 8 writes at once; an anonymous address 2 of each'
);
select is(
    tests.error_of($$update public.request_limits set max_concurrent_reads = 0 where role = 'anon'$$) ->> 'constraint',
    'request_limits_max_concurrent_reads_positive',
    'a read limit must be positive'
);
select is(
    tests.error_of($$update public.request_limits set max_concurrent_writes = 0 where role = 'anon'$$) ->> 'constraint',
    'request_limits_max_concurrent_writes_positive',
    'a write limit must be positive'
);
select is(
    tests.error_of($$insert into public.request_limits values ('service_role', 1, 1)$$) ->> 'constraint',
    'request_limits_role_valid',
    'only anon and authenticated can be limited'
);

select tests.authenticate_as('caller');
select throws_ok('select * from public.request_limits', '42501', null,
    'signed-in users cannot read the limits');
select throws_ok($$update public.request_limits set max_concurrent_reads = 100$$, '42501', null,
    'signed-in users cannot change the limits');
select tests.clear_authentication();
select throws_ok('select * from public.request_limits', '42501', null, 'anon cannot read the limits');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.request_limits), 2, 'service_role reads the limits');
select lives_ok($$update public.request_limits set max_concurrent_reads = 2 where role = 'anon'$$,
    'service_role changes the limits');
reset role;

-- The pre-request function, as PostgREST calls it in each request's transaction.
select tests.authenticate_as('caller');
select set_config('request.method', 'GET', true);
select lives_ok('select api_guard.check_request()', 'a signed-in user''s read takes a free slot');
select is(pg_temp.advisory_locks(), 1::bigint, 'the slot is a lock held until the request ends');
select set_config('request.method', 'POST', true);
select lives_ok('select api_guard.check_request()', 'a write takes a slot of its own kind');
select is(pg_temp.advisory_locks(), 2::bigint, 'reads and writes count separately');
reset role;

select tests.clear_authentication();
select set_config('request.headers', '{"x-forwarded-for": "198.51.100.7"}', true);
select lives_ok('select api_guard.check_request()', 'an anonymous request takes a slot of its address');
select is(pg_temp.advisory_locks(), 3::bigint, 'anonymous callers are limited by address');
reset role;

select tests.authenticate_as_service_role();
select lives_ok('select api_guard.check_request()', 'service_role passes the check');
select is(pg_temp.advisory_locks(), 3::bigint, 'service_role takes no slot: it is not limited');
reset role;

select ok(
    (select 'pgrst.db_pre_request=api_guard.check_request' = any (rolconfig)
     from pg_catalog.pg_roles where rolname = 'authenticator'),
    'PostgREST is told to run the check before every request (in-database configuration)'
);
select ok(
    (select 'statement_timeout=2s' = any (rolconfig) from pg_catalog.pg_roles where rolname = 'authenticated'),
    'a signed-in user''s statement is cancelled after 2 s'
);
select ok(
    (select 'statement_timeout=1s' = any (rolconfig) from pg_catalog.pg_roles where rolname = 'anon'),
    'an anonymous statement is cancelled after 1 s'
);

-- Blank as a person sees it.
select ok(
    private.is_blank(E' \u200B\u00A0\u3164\u115F\u1160\uFFA0\u2800\uFEFF\u2060\u200E\u2028\n'),
    'invisible characters (zero-width, no-break, fillers, Braille blank, BOM, marks) are blank'
);
select ok(not private.is_blank(E'\u200Ba\u200B'), 'a visible character among them is not blank');

select tests.authenticate_as('caller');
select is(
    tests.error_of($$insert into public.support_tickets (ticket_type, subject, description)
        values ('billing', E'\u200B\u3164', 'Charged twice')$$) ->> 'constraint',
    'support_tickets_subject_not_blank',
    'a subject of invisible characters is refused as blank'
);
select is(
    tests.error_of($$insert into public.user_feedback (category, description)
        values ('praise', E'\u2800\uFEFF')$$) ->> 'constraint',
    'user_feedback_description_not_blank',
    'a feedback description of invisible characters is refused as blank'
);

select * from finish();
rollback;
