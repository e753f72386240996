-- The Idempotency-Key header on the create RPCs.
begin;
select plan(14);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');

-- PostgREST passes request headers, lower-cased, as the JSON setting request.headers.
create function pg_temp.send_key(key text) returns void language sql as $$
    select set_config('request.headers', json_build_object('idempotency-key', key)::text, true)
$$;

select tests.authenticate_as('owner');
select pg_temp.send_key('6f1c2a52-8a7e-4f55-9d55-0d8f3c1b2a10');

create temporary table first_response on commit drop as
select public.report_bug('{"description": "Crash on launch"}')::text as response;
select is(
    public.report_bug('{"description": "Crash on launch"}')::text,
    (select response from first_response),
    'a retry with the same key gets the first response again, byte for byte'
);
select is(
    (select count(*)::int from public.support_tickets where description = 'Crash on launch'),
    1,
    'and creates nothing new'
);
select is(
    public.report_bug('{ "description" :  "Crash on launch" }')::text,
    (select response from first_response),
    'the same body formatted differently is the same request'
);

select is(
    (tests.error_of($$select public.report_bug('{"description": "Something else"}')$$) ->> 'message')::jsonb ->> 'code',
    'P0422',
    'the same key with another body is refused'
);
select is(
    (tests.error_of($$select public.submit_feedback('{"category": "praise", "description": "Crash on launch"}')$$) ->> 'detail')::jsonb,
    '{"status": 422, "headers": {}}'::jsonb,
    'the same key for another operation is refused with 422'
);

select pg_temp.send_key('not-a-uuid');
select throws_ok($$select public.report_bug('{"description": "x"}')$$, 'PGRST', '{"code" : "invalid_uuid", "message" : "Idempotency-Key must be a UUID", "details" : null, "hint" : null}',
    'a key that is not a UUID is refused with 400');

-- A request that fails keeps no key: fixing the body and retrying with the key works.
select pg_temp.send_key('7a9e4c33-1111-4c4c-8888-222233334444');
select throws_ok($$select public.submit_feedback('{"category": "wish", "description": "x"}')$$, '23514', null,
    'a refused request with a key fails as without one');
select is(
    public.submit_feedback('{"category": "improvement", "description": "x"}') ->> 'message',
    'Thanks for the suggestion! We use ideas like this to make existing features better.',
    'the key of a refused request can be used for the corrected request'
);

-- A retry is not counted against the rate limit.
reset role;
insert into public.support_tickets (user_id, ticket_type, description)
select tests.get_supabase_uid('owner'), 'bug', 'earlier ' || n from generate_series(1, 4) as n;
select tests.authenticate_as('owner');
select pg_temp.send_key('6f1c2a52-8a7e-4f55-9d55-0d8f3c1b2a10');
select is(
    public.report_bug('{"description": "Crash on launch"}')::text,
    (select response from first_response),
    'a retry at the rate limit still gets its first response, not a 429'
);

-- Keys are per user.
select tests.authenticate_as('other');
select isnt(
    public.report_bug('{"description": "Crash on launch"}') ->> 'ticket_id',
    (select response::json ->> 'ticket_id' from first_response),
    'another user''s request with the same key is a new request'
);

-- Keys expire after 24 hours and are deleted lazily.
reset role;
update private.idempotency_keys set created_at = now() - interval '25 hours'
where user_id = tests.get_supabase_uid('owner') and key = '7a9e4c33-1111-4c4c-8888-222233334444';
select tests.authenticate_as('owner');
select pg_temp.send_key('7a9e4c33-1111-4c4c-8888-222233334444');
select isnt(
    public.submit_feedback('{"category": "praise", "description": "New day"}') ->> 'message',
    null,
    'a key older than 24 hours can be used for a new request'
);
reset role;
select is(
    (select count(*)::int from private.idempotency_keys where created_at < now() - interval '24 hours'),
    0,
    'expired keys of the user are deleted'
);

-- No header: every call creates.
select tests.authenticate_as('other');
select set_config('request.headers', '{}', true);
select isnt(
    public.submit_feedback('{"category": "praise", "description": "twice"}') ->> 'feedback_id',
    public.submit_feedback('{"category": "praise", "description": "twice"}') ->> 'feedback_id',
    'without a key, two identical requests create two entries'
);

-- Users never see each other's keys.
select is(
    (select count(*)::int from private.idempotency_keys where user_id <> tests.get_supabase_uid('other')),
    0,
    'a user sees only their own idempotency keys'
);

reset role;
select * from finish();
rollback;
