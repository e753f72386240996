-- The refusal catalog (public.support_messages rows with a status) and private.refuse, which
-- raises a row in PostgREST's shape; and the parameter helpers (uuid_param, integer_param,
-- time_param) every RPC reads its ids, pages and times with.
begin;
select plan(31);

select tests.create_supabase_user('refusals_user');

-- The catalog --------------------------------------------------------------------------------
select is(
    (select array_agg(m.topic order by m.topic)
     from public.support_messages as m
     where m.status is not null
       and (tests.error_of(format('select private.refuse(%L)', m.topic)) ->> 'code' <> 'PGRST'
            or (tests.error_of(format('select private.refuse(%L)', m.topic)) ->> 'detail')::jsonb
               <> jsonb_build_object('status', m.status, 'headers', '{}'::jsonb)
            or (tests.error_of(format('select private.refuse(%L)', m.topic)) ->> 'message')::jsonb
               <> jsonb_build_object('code', m.code, 'message', m.message, 'details', null, 'hint', m.hint))),
    null,
    'every refusal of the catalog is raised as PostgREST''s PGRST error with its status, code, message and hint'
);
select is(
    (select array_agg(m.topic order by m.topic)
     from public.support_messages as m
     where m.status is not null and m.code ~ '^[a-z]' and m.code <> m.topic),
    null,
    'a refusal''s lower-case code is its topic, so a reader of either finds the other'
);
select throws_ok(
    $$select private.refuse('no_such_refusal')$$,
    'XX000', 'refusal "no_such_refusal" is missing',
    'a refusal missing from the catalog is a server error, never a blank answer'
);
select throws_ok(
    $$select private.refuse('ticket_created.bug')$$,
    'XX000', 'refusal "ticket_created.bug" is missing',
    'a text that is not a refusal (no status) cannot be raised as one'
);
select throws_ok(
    $$insert into public.support_messages (topic, message, code) values ('half_refusal', 'No', 'half_refusal')$$,
    '23514', null,
    'a refusal needs its status and its code together'
);
select throws_ok(
    $$insert into public.support_messages (topic, message, status, code) values ('bad_code', 'No', 409, 'Bad Code')$$,
    '23514', null,
    'a code is lower-case words or a five-character error code'
);

-- Filling in and passing on -------------------------------------------------------------------
select is(
    (tests.error_of($$select private.refuse('ticket_move_refused', '{"from": "open", "to": "closed"}')$$) ->> 'message')::jsonb,
    '{"code": "ticket_move_refused", "message": "A ticket cannot move from open to closed", "details": null, "hint": "See public.ticket_transitions for the allowed moves."}'::jsonb,
    'args fill the placeholders of the message'
);
select is(
    (tests.error_of($$select private.refuse('rating_window_passed', '{"window": "14 days"}')$$) ->> 'message')::jsonb ->> 'hint',
    'A ticket can be rated within 14 days of its resolution.',
    'args fill the placeholders of the hint'
);
select is(
    tests.error_of($$select private.refuse('rate_limited.feedback', '{"limit": 10}', 'Try again in 5 seconds.', '{"Retry-After": "5"}')$$)
        - 'constraint',
    jsonb_build_object(
        'code', 'PGRST',
        'message', '{"code" : "P0429", "message" : "You have sent too much feedback in the last hour.", "details" : "Try again in 5 seconds.", "hint" : "The limit is 10 per hour."}',
        'detail', '{"status" : 429, "headers" : {"Retry-After": "5"}}'
    ),
    'details and headers (Retry-After) are passed on as given'
);

-- Support rewords: the code stays -------------------------------------------------------------
select tests.authenticate_as_service_role();
update public.support_messages
set message = 'Someone else saved this ticket first', hint = 'Reload it.'
where topic = 'ticket_changed';
select tests.authenticate_as('refusals_user');
select is(
    (tests.error_of($$select private.refuse('ticket_changed')$$) ->> 'message')::jsonb,
    '{"code": "ticket_changed", "message": "Someone else saved this ticket first", "details": null, "hint": "Reload it."}'::jsonb,
    'support rewords a refusal in the table; its code stays what clients switch on'
);
select tests.authenticate_as('refusals_user');
select throws_ok(
    $$update public.support_messages set code = 'other' where topic = 'ticket_changed'$$,
    '42501', null,
    'a signed-in user cannot change the catalog'
);
select throws_ok(
    $$select count(*) from public.support_messages$$,
    '42501', null,
    'a signed-in user cannot read the catalog: its texts reach them through private.refuse'
);
select is(
    private.support_message('ticket_created.no_such_type', 'ticket_created.other'),
    'Your support ticket has been created. We typically respond within 24 hours.',
    'a topic missing from the catalog gives the fallback topic''s text, read for a user who cannot read the table'
);
select tests.clear_authentication();

-- UUID parameters -----------------------------------------------------------------------------
reset role;
select is(
    private.uuid_param('8F14E45F-CEEA-467A-9575-6C0A1B1C1D1E', 'ticket_id'),
    '8f14e45f-ceea-467a-9575-6c0a1b1c1d1e'::uuid,
    'uuid_param reads a UUID in either case'
);
select throws_ok(
    $$select private.uuid_param(null, 'ticket_id')$$,
    'PGRST', '{"code" : "parameter_required", "message" : "ticket_id is required", "details" : null, "hint" : null}',
    'uuid_param refuses a missing id, naming the parameter'
);
select is(
    private.uuid_param(null, 'follow_up_of', false),
    null,
    'uuid_param passes an absent optional id on as null'
);
select throws_ok(
    $$select private.uuid_param('hostile-7e2d', 'problem_id')$$,
    'PGRST', '{"code" : "invalid_uuid", "message" : "problem_id must be a UUID", "details" : null, "hint" : null}',
    'uuid_param refuses a malformed id, naming the parameter and quoting nothing'
);
select is(
    (private.is_uuid('8f14e45f-ceea-467a-9575-6c0a1b1c1d1e'), private.is_uuid('8f14e45f-ceea-467a-9575-6c0a1b1c1d1'),
     private.is_uuid(' 8f14e45f-ceea-467a-9575-6c0a1b1c1d1e')),
    (true, false, false),
    'is_uuid accepts the canonical form only'
);

-- Paging and other counts ---------------------------------------------------------------------
select is(
    (private.integer_param(null, 'limit', 1, 100, 20), private.integer_param('100', 'limit', 1, 100, 20),
     private.integer_param('0', 'offset', 0, null, 0), private.integer_param('999999999', 'offset', 0, null, 0)),
    (20, 100, 0, 999999999),
    'integer_param gives the fallback when absent and the value within its bounds'
);
select throws_ok(
    format('select private.integer_param(%L, %L, 1, 100, 20)', v, 'limit'),
    'PGRST', '{"code" : "integer_out_of_range", "message" : "limit must be an integer from 1 to 100", "details" : null, "hint" : null}',
    format('integer_param refuses the limit %L with one message', v)
)
from unnest(array['0', '101', '2.5', 'ten', '-1', '1e3']) as v;
select throws_ok(
    $$select private.integer_param('-1', 'offset', 0, null, 0)$$,
    'PGRST', '{"code" : "integer_too_small", "message" : "offset must be an integer of at least 0", "details" : null, "hint" : null}',
    'integer_param without an upper bound names the lower one'
);
select throws_ok(
    $$select private.integer_param('1234567890', 'offset', 0, null, 0)$$,
    'PGRST', '{"code" : "integer_too_small", "message" : "offset must be an integer of at least 0", "details" : null, "hint" : null}',
    'a number too long to be a page is refused, not overflowed'
);

-- Times ---------------------------------------------------------------------------------------
set local timezone = 'UTC';
select is(
    (private.time_param(null, 'since'), private.time_param('2026-01-10', 'since'),
     private.time_param('2026-01-10T12:00:00+02:00', 'since')),
    (null::timestamptz, '2026-01-10 00:00:00+00'::timestamptz, '2026-01-10 10:00:00+00'::timestamptz),
    'time_param reads RFC 3339 times and dates, null when absent'
);
select throws_ok(
    format('select private.time_param(%L, %L)', v, 'due_before'),
    'PGRST', '{"code" : "invalid_time", "message" : "due_before must be a date or time (RFC 3339)", "details" : null, "hint" : null}',
    format('time_param refuses %L, naming the parameter', v)
)
from unnest(array['soon', '2026-13-01', '2026-01-10T12:00:00 Mars/Olympus']) as v;

select * from finish();
rollback;
