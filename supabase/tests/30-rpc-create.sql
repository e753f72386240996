-- report_bug, create_support_ticket and submit_feedback: response shapes, messages, stored
-- rows, and a 400 naming the field and the rule for every kind of bad input.
begin;
select plan(68);

select tests.create_supabase_user('owner');
select tests.authenticate_as('owner');

-- Responses, with the contract's fields in the contract's order.
create temporary table responses (operation text, response json) on commit drop;
insert into responses values
    ('report_bug', public.report_bug('{
        "description": "The calendar integration shows wrong dates",
        "steps_to_reproduce": "1. Open calendar\n2. Check tomorrow''s events\n3. Dates are off by one day",
        "expected_behavior": "Dates should match my Google Calendar",
        "actual_behavior": "All dates are shifted by one day",
        "device_info": "iPhone 15 Pro, iOS 18.1",
        "app_version": "1.0.0",
        "screenshot_urls": ["https://example.com/shot-1.png"]
    }')),
    ('create_support_ticket', public.create_support_ticket('{
        "ticket_type": "billing",
        "subject": "Charged twice for subscription",
        "description": "I was charged $15 twice on January 5th. Please refund the duplicate charge.",
        "priority": "high"
    }')),
    ('submit_feedback', public.submit_feedback('{
        "category": "feature_request",
        "description": "It would be great if Sage could track my fitness goals",
        "rating": 4,
        "feature_name": "fitness_tracking",
        "would_recommend": true
    }'));

select is(
    array(select json_object_keys(r.response)),
    t.keys,
    format('%s answers with exactly %s, in that order', r.operation, t.keys)
)
from responses as r
join (values
    ('report_bug', array['ticket_id', 'status', 'message', 'created_at']),
    ('create_support_ticket', array['ticket_id', 'ticket_type', 'status', 'priority', 'message', 'created_at']),
    ('submit_feedback', array['feedback_id', 'message', 'created_at'])
) as t(operation, keys) on t.operation = r.operation;

select is(r.response ->> 'message', t.message, format('%s answers with the contract''s message', r.operation))
from responses as r
join (values
    ('report_bug', 'Thank you for reporting this bug. We''ll investigate and get back to you.'),
    ('create_support_ticket', 'Your support ticket has been created. We typically respond within 24 hours.'),
    ('submit_feedback', 'Thanks for the feature request! We review all suggestions for our roadmap.')
) as t(operation, message) on t.operation = r.operation;

select is(
    r.response ->> 'created_at',
    to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    format('%s gives created_at in UTC, RFC 3339, whole seconds, ending in Z', r.operation)
)
from responses as r;

select is(
    (select row(t.ticket_type, t.status, t.priority, t.subject, t.device_info, t.screenshot_urls, t.user_id)::text
     from public.support_tickets t where t.id = (r.response ->> 'ticket_id')::uuid),
    row('bug', 'open', 'medium', 'The calendar integration shows wrong dates', 'iPhone 15 Pro, iOS 18.1',
        array['https://example.com/shot-1.png'], tests.get_supabase_uid('owner'))::text,
    'report_bug stores an open, medium bug ticket of the caller, subject from the description, with its details'
)
from responses as r where r.operation = 'report_bug';
select is(r.response ->> 'status', 'open', 'report_bug answers status open')
from responses as r where r.operation = 'report_bug';
select is(
    (r.response ->> 'ticket_type', r.response ->> 'status', r.response ->> 'priority')::text,
    ('billing', 'open', 'high')::text,
    'create_support_ticket answers the ticket''s type, status and priority'
)
from responses as r where r.operation = 'create_support_ticket';
select is(
    (select row(f.category, f.rating, f.feature_name, f.would_recommend, f.status)::text
     from public.user_feedback f where f.id = (r.response ->> 'feedback_id')::uuid),
    row('feature_request', 4, 'fitness_tracking', true, 'received')::text,
    'submit_feedback stores the feedback as received'
)
from responses as r where r.operation = 'submit_feedback';

-- Optional fields, JSON null as absent, default priority.
select is(
    public.create_support_ticket('{"ticket_type": "account", "subject": "Locked out", "description": "Help", "priority": null}') ->> 'priority',
    'medium',
    'priority defaults to medium (JSON null counts as absent)'
);
select is(
    public.report_bug('{"description": "Only a description", "screenshot_urls": null, "app_version": null}') ->> 'status',
    'open',
    'a bug report needs only a description'
);
select is(
    public.submit_feedback('{"category": "praise", "description": "Love it", "rating": 5.0}') ->> 'message',
    'Thank you for the kind words! We''ve passed them on to the team.',
    'a rating written as 5.0 is the integer 5'
);

-- A message per ticket type and per feedback category, written for users.
select is(
    public.create_support_ticket(jsonb_build_object('ticket_type', t, 'subject', 'S', 'description', 'D')) ->> 'message',
    private.support_message('ticket_created.' || t),
    format('a %s ticket gets its own message', t)
)
from unnest(array['bug', 'technical', 'account']) as t;
reset role;
select tests.create_supabase_user('feedbacker');
select tests.authenticate_as('feedbacker');
select is(
    public.submit_feedback(jsonb_build_object('category', c, 'description', 'D')) ->> 'message',
    private.support_message('feedback_received.' || c),
    format('%s feedback gets its own message', c)
)
from unnest(array['feature_request', 'improvement', 'complaint', 'praise', 'other']) as c;
reset role;
select is(
    (select count(distinct message)::int from public.support_messages where topic like 'feedback_received.%'),
    5,
    'the five feedback messages are all different'
);

-- Bad input: 400 (22023, 23502 or 23514) naming the field and the rule, nothing stored.
reset role;
select tests.create_supabase_user('careless');
select tests.authenticate_as('careless');
select throws_ok(
    format('select public.%I(%L::jsonb)', t.fn, t.body),
    t.code,
    t.message,
    format('%s refuses %s: %s', t.fn, t.body, t.message)
)
from (values
    ('report_bug', '[]', '22023', 'request body must be a JSON object'),
    ('report_bug', '"text"', '22023', 'request body must be a JSON object'),
    ('report_bug', '{"description": "x", "priority": "high"}', '22023', 'unknown field "priority"'),
    ('report_bug', '{"description": "x", "user_id": "00000000-0000-4000-8000-000000000001", "status": "closed"}', '22023', 'unknown fields "status", "user_id"'),
    ('report_bug', '{"description": 42}', '22023', 'description must be a string'),
    ('report_bug', '{"description": "x", "screenshot_urls": "https://a.example/1.png"}', '22023', 'screenshot_urls must be an array of strings'),
    ('report_bug', '{"description": "x", "screenshot_urls": [1]}', '22023', 'screenshot_urls must be an array of strings'),
    ('report_bug', '{}', '23502', 'description is required'),
    ('report_bug', '{"description": null}', '23502', 'description is required'),
    ('report_bug', '{"description": " \n\t "}', '23514', 'description must not be blank'),
    ('report_bug', '{"description": "x", "app_version": "123456789012345678901234567890123456789012345678901"}', '23514', 'app_version must be at most 50 characters'),
    ('report_bug', '{"description": "x", "screenshot_urls": ["http://a.example/1.png"]}', '23514', 'screenshot_urls must each be an https:// URL of at most 2048 characters'),
    ('report_bug', '{"description": "x", "screenshot_urls": ["https://a/1", "https://a/2", "https://a/3", "https://a/4", "https://a/5", "https://a/6"]}', '23514', 'screenshot_urls must hold at most 5 URLs'),
    ('create_support_ticket', '{"ticket_type": "refund", "subject": "s", "description": "d"}', '23514', 'ticket_type must be one of bug, technical, billing, account, other'),
    ('create_support_ticket', '{"ticket_type": "billing", "subject": "s", "description": "d", "priority": "asap"}', '23514', 'priority must be one of low, medium, high, urgent'),
    ('create_support_ticket', '{"ticket_type": "billing", "description": "d"}', '23502', 'subject is required'),
    ('create_support_ticket', '{"ticket_type": "billing", "subject": "  ", "description": "d"}', '23514', 'subject must not be blank'),
    ('create_support_ticket', '{"subject": "s", "description": "d"}', '23502', 'ticket_type is required'),
    ('create_support_ticket', '{"ticket_type": "billing", "subject": "s", "description": "d", "device_info": "x"}', '22023', 'unknown field "device_info"'),
    ('create_support_ticket', '{"ticket_type": ["billing"], "subject": "s", "description": "d"}', '22023', 'ticket_type must be a string'),
    ('submit_feedback', '{"category": "wish", "description": "d"}', '23514', 'category must be one of feature_request, improvement, complaint, praise, other'),
    ('submit_feedback', '{"category": "praise", "description": "d", "rating": "4"}', '22023', 'rating must be an integer'),
    ('submit_feedback', '{"category": "praise", "description": "d", "rating": 4.5}', '22023', 'rating must be an integer'),
    ('submit_feedback', '{"category": "praise", "description": "d", "rating": 1e12}', '22023', 'rating must be an integer'),
    ('submit_feedback', '{"category": "praise", "description": "d", "rating": 0}', '23514', 'rating must be an integer from 1 to 5'),
    ('submit_feedback', '{"category": "praise", "description": "d", "rating": 6}', '23514', 'rating must be an integer from 1 to 5'),
    ('submit_feedback', '{"category": "praise", "description": "d", "would_recommend": "yes"}', '22023', 'would_recommend must be true or false'),
    ('submit_feedback', '{"category": "praise", "description": "d", "feature_name": false}', '22023', 'feature_name must be a string'),
    ('submit_feedback', '{"description": "d"}', '23502', 'category is required'),
    ('submit_feedback', '{"category": "praise", "description": "d", "sentiment": "happy"}', '22023', 'unknown field "sentiment"')
) as t(fn, body, code, message);

select throws_ok(
    format('select public.%I(%L::jsonb)', t.fn, jsonb_build_object(t.field, repeat('x', t.too_long)) || t.rest),
    '23514',
    format('%s must be at most %s characters', t.field, t.too_long - 1),
    format('%s refuses a %s of %s characters', t.fn, t.field, t.too_long)
)
from (values
    ('report_bug', 'description', 5001, '{}'::jsonb),
    ('report_bug', 'steps_to_reproduce', 5001, '{"description": "d"}'),
    ('report_bug', 'expected_behavior', 5001, '{"description": "d"}'),
    ('report_bug', 'actual_behavior', 5001, '{"description": "d"}'),
    ('report_bug', 'device_info', 256, '{"description": "d"}'),
    ('create_support_ticket', 'subject', 256, '{"ticket_type": "other", "description": "d"}'),
    ('create_support_ticket', 'description', 5001, '{"ticket_type": "other", "subject": "s"}'),
    ('submit_feedback', 'description', 5001, '{"category": "other"}'),
    ('submit_feedback', 'feature_name', 101, '{"category": "other", "description": "d"}')
) as t(fn, field, too_long, rest);

select is(
    (select count(*)::int from public.support_tickets) + (select count(*)::int from public.user_feedback),
    0,
    'none of the refused requests stored anything'
);

-- Only signed-in users may call them.
select tests.clear_authentication();
select throws_ok(format('select public.%I(''{}''::jsonb)', f), '42501', null, format('anon cannot call %s', f))
from unnest(array['report_bug', 'create_support_ticket', 'submit_feedback']) as f;

reset role;
select * from finish();
rollback;
