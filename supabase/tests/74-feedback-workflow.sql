-- The feedback loop: the workflow's moves (illegal ones refused for every role), duplicates,
-- admin_response and reviewed_at by triggers, the history, shipping a feature, and the four
-- operations from each actor's side. Staff read feedback only through the operations: no read
-- policy of theirs is OR-ed into a user's read of their own feedback.
begin;
select plan(56);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

insert into public.user_feedback (id, user_id, category, description, rating, feature_name, created_at) values
    ('74000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'feature_request', 'Track my fitness goals', 4, 'zz_fitness', now() - interval '3 days'),
    ('74000000-0000-4000-8000-000000000002', tests.get_supabase_uid('other'), 'feature_request', 'Fitness tracking please', 2, 'zz_fitness', now() - interval '2 days'),
    ('74000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'improvement', 'Calendar colours clash in heliotrope mode', 5, 'zz_calendar', now() - interval '1 day'),
    ('74000000-0000-4000-8000-000000000004', tests.get_supabase_uid('owner'), 'complaint', 'Too many notifications', null, null, now()),
    ('74000000-0000-4000-8000-000000000005', tests.get_supabase_uid('owner'), 'feature_request', 'Step counter', 3, 'zz_fitness', now() - interval '4 days');
-- Counted as postgres: staff read no feedback from the table.
select set_config('tests.received_complaints',
    (select count(*)::text from public.user_feedback where status = 'received' and category = 'complaint'), true);

-- Users: their own feedback, never a change.
select tests.authenticate_as('owner');
select is(
    (select array_agg(f ->> 'feedback_id') from json_array_elements(public.list_my_feedback() -> 'feedback') as f
     where f ->> 'feedback_id' like '74000000-%'),
    array['74000000-0000-4000-8000-000000000004', '74000000-0000-4000-8000-000000000001', '74000000-0000-4000-8000-000000000005'],
    'list_my_feedback: the owner''s entries, newest first'
);
select is((public.list_my_feedback("limit" => '1', "offset" => '1') -> 'feedback' -> 0) ->> 'feedback_id',
    '74000000-0000-4000-8000-000000000001', 'limit and offset page through the entries');
select is((public.list_my_feedback("limit" => '1') ->> 'total')::int,
    (select count(*)::int from public.user_feedback where user_id = tests.get_supabase_uid('owner')),
    'total counts all the owner''s entries, not the page');
select throws_ok($$select public.list_my_feedback(status => 'reviewed')$$, '22023',
    'status must be one of received, under_review, planned, in_progress, shipped, declined, duplicate',
    'an unknown status filter is a 400 listing the statuses');
select throws_ok($$select public.list_my_feedback("limit" => '0')$$, 'PGRST', '{"code" : "integer_out_of_range", "message" : "limit must be an integer from 1 to 100", "details" : null, "hint" : null}',
    'limit is checked');
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000001", "status": "planned"}')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot review their own feedback');
select throws_ok($$update public.user_feedback set status = 'shipped' where id = '74000000-0000-4000-8000-000000000001'$$,
    '42501', null, 'the owner cannot change a status directly');
select throws_ok($$select public.support_feedback_queue()$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'a user cannot read the feedback queue');
select throws_ok($$select public.support_feedback('74000000-0000-4000-8000-000000000001')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot use the staff read of an entry, even of their own');
select tests.authenticate_as('other');
select is_empty($$select 1 from public.user_feedback where user_id = tests.get_supabase_uid('owner')$$,
    'another user reads none of the owner''s feedback');

-- Staff: no read policy on the tables; the queue and the entry read.
select tests.authenticate_as('agent');
select is_empty($$select 1 from public.user_feedback where id::text like '74000000-%'$$,
    'an agent reads no feedback entry from the table directly');
select throws_ok($$select public.support_feedback('74000000-0000-4000-8000-00000000000x')$$, 'PGRST',
    '{"code" : "invalid_uuid", "message" : "feedback_id must be a UUID", "details" : null, "hint" : null}', 'the entry read checks feedback_id is a UUID');
select throws_ok($$select public.support_feedback('74000000-0000-4000-8000-000000000009')$$,
    'PGRST', '{"code" : "feedback_not_found", "message" : "Feedback not found", "details" : null, "hint" : null}',
    'the entry read of a missing entry is a 404');
select is(
    (select array_agg(f ->> 'feedback_id') from json_array_elements(
        public.support_feedback_queue(feature_name => 'zz_fitness') -> 'feedback') as f),
    array['74000000-0000-4000-8000-000000000002', '74000000-0000-4000-8000-000000000001', '74000000-0000-4000-8000-000000000005'],
    'the queue filters by feature_name, newest first'
);
select is(
    (select f from json_array_elements(public.support_feedback_queue(category => 'feature_request', "limit" => '100') -> 'features') as f
     where f ->> 'feature_name' = 'zz_fitness')::jsonb,
    '{"feature_name": "zz_fitness", "count": 3, "average_rating": 3.00}'::jsonb,
    'counts per feature_name with the average rating, over the same filters'
);
select is(
    -- A word no other feedback holds (the seed's, other suites' and pytest's data share the
    -- database), so the match is this entry's alone.
    (select array_agg(f ->> 'feedback_id') from json_array_elements(public.support_feedback_queue(q => 'Heliotrope') -> 'feedback') as f),
    array['74000000-0000-4000-8000-000000000003'], 'q searches the words of the description, whatever their case');
select is((public.support_feedback_queue(status => 'received', category => 'complaint') ->> 'total')::int,
    current_setting('tests.received_complaints')::int,
    'status and category filter; total counts every match');
select throws_ok($$select public.support_feedback_queue(category => 'wish')$$, '22023',
    'category must be one of feature_request, improvement, complaint, praise, other', 'an unknown category is a 400');

-- Staff: the workflow.
select is(
    public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000001", "status": "under_review"}') ->> 'status',
    'under_review', 'an agent takes an entry under review');
select is((public.support_feedback('74000000-0000-4000-8000-000000000001') ->> 'reviewed_at')::timestamptz,
    date_trunc('second', now()), 'the first move away from received sets reviewed_at');
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000001", "status": "shipped"}')$$,
    'PGRST', '{"code" : "feedback_move_refused", "message" : "Feedback cannot move from under_review to shipped", "details" : null, "hint" : "See public.feedback_transitions for the allowed moves."}',
    'under_review cannot jump to shipped');
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000001", "status": "received"}')$$,
    'PGRST', '{"code" : "feedback_move_refused", "message" : "Feedback cannot move from under_review to received", "details" : null, "hint" : "See public.feedback_transitions for the allowed moves."}',
    'nothing moves back to received');
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000001", "status": "done"}')$$,
    '23514', 'status must be one of received, under_review, planned, in_progress, shipped, declined, duplicate',
    'an unknown status is a 400');
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000002", "status": "duplicate"}')$$,
    '23514', 'duplicate_of is required for status duplicate and only allowed with it', 'a duplicate needs duplicate_of');
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000002", "status": "duplicate", "duplicate_of": "74000000-0000-4000-8000-000000000009"}')$$,
    'PGRST', '{"code" : "duplicate_of_unknown", "message" : "duplicate_of must be another feedback entry", "details" : null, "hint" : null}', 'duplicate_of must exist');
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000009", "status": "planned"}')$$,
    'PGRST', '{"code" : "feedback_not_found", "message" : "Feedback not found", "details" : null, "hint" : null}', 'a missing entry is a 404');
select results_eq(
    $$select (r ->> 'status'), (r ->> 'duplicate_of'), (r ->> 'admin_response') from (select public.support_review_feedback(
        '{"feedback_id": "74000000-0000-4000-8000-000000000004", "status": "duplicate", "duplicate_of": "74000000-0000-4000-8000-000000000003"}')::jsonb as r) as x$$,
    $$values ('duplicate', '74000000-0000-4000-8000-000000000003', 'Thank you! Someone suggested this before; we track it there.')$$,
    'a duplicate points at the entry it repeats and gets the default response'
);
select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000001", "status": "planned", "admin_response": "Spring release"}');
select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000001", "status": "in_progress"}');
select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000003", "status": "declined"}');
select results_eq(
    $$select e ->> 'kind', e ->> 'from', e ->> 'to', (e ->> 'actor_id')::uuid
      from json_array_elements(public.support_feedback('74000000-0000-4000-8000-000000000001') -> 'events') as e$$,
    $$values ('status', 'received', 'under_review', tests.get_supabase_uid('agent')),
             ('status', 'under_review', 'planned', tests.get_supabase_uid('agent')),
             ('response', null, null, tests.get_supabase_uid('agent')),
             ('status', 'planned', 'in_progress', tests.get_supabase_uid('agent'))$$,
    'every change is in the entry''s history, which staff read through support_feedback, oldest first'
);
select is_empty($$select 1 from public.feedback_events where feedback_id = '74000000-0000-4000-8000-000000000001'$$,
    'an agent reads no feedback event from the table directly');
select is((public.support_feedback('74000000-0000-4000-8000-000000000001') ->> 'user_id')::uuid, tests.get_supabase_uid('owner'),
    'the entry read names the entry''s author');

-- Shipping the feature: the entry shipped marks the other open entries of zz_fitness. A response
-- is personal ("Hi …, for your account"): each other entry keeps its own, or gets the shared
-- shipped text (support_messages feedback_status.shipped) when it has none.
select lives_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000002", "admin_response": "Hi Other, we noted this for your account"}')$$,
    'an agent answers another entry of the feature personally');
select is(
    public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000001", "status": "shipped", "admin_response": "Shipped in 2.0"}') ->> 'status',
    'shipped', 'an agent ships an entry in progress');
select results_eq(
    $$select (f ->> 'feedback_id')::uuid, f ->> 'status', f ->> 'admin_response'
      from json_array_elements(public.support_feedback_queue(feature_name => 'zz_fitness') -> 'feedback') as f
      order by 1$$,
    $$values ('74000000-0000-4000-8000-000000000001'::uuid, 'shipped', 'Shipped in 2.0'),
             ('74000000-0000-4000-8000-000000000002'::uuid, 'shipped', 'Hi Other, we noted this for your account'),
             ('74000000-0000-4000-8000-000000000005'::uuid, 'shipped', 'Good news: what you asked for has shipped. Thank you for the idea!')$$,
    'every open entry of the feature ships; the response written to one entry reaches no other'
);
select is((select count(*)::int from json_array_elements(public.support_feedback('74000000-0000-4000-8000-000000000002') -> 'events') as e
            where e ->> 'kind' = 'status' and e ->> 'to' = 'shipped'),
    1, 'each entry shipped with the feature has its own status event');
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000003", "status": "shipped"}')$$,
    'PGRST', '{"code" : "feedback_move_refused", "message" : "Feedback cannot move from declined to shipped", "details" : null, "hint" : "See public.feedback_transitions for the allowed moves."}',
    'a with_feature move is not open to a direct review');
select throws_ok($$insert into public.feedback_transitions (from_status, to_status) values ('shipped', 'received')$$,
    '42501', null, 'an agent cannot add a move');
select tests.authenticate_as('admin');
select isnt_empty($$insert into public.feedback_transitions (from_status, to_status) values ('shipped', 'planned') returning 1$$,
    'an admin adds a move to the workflow');
select is(public.support_feedback('74000000-0000-4000-8000-000000000005') ->> 'status', 'shipped',
    'an admin reads an entry through the staff read');

-- The owner sees what became of their feedback.
select tests.authenticate_as('owner');
select results_eq(
    $$select f ->> 'status', f ->> 'admin_response' from json_array_elements(public.list_my_feedback(status => 'shipped') -> 'feedback') as f
      where f ->> 'feedback_id' like '74000000-%' order by f ->> 'feedback_id'$$,
    $$values ('shipped', 'Shipped in 2.0'), ('shipped', 'Good news: what you asked for has shipped. Thank you for the idea!')$$,
    'the owner sees both their fitness entries shipped, each with its own response'
);
select is((select count(*)::int from public.feedback_events where feedback_id = '74000000-0000-4000-8000-000000000001'), 6,
    'the owner reads the history of their own entry');
select is_empty($$select 1 from public.feedback_events where feedback_id = '74000000-0000-4000-8000-000000000002'$$,
    'the owner reads nothing of another user''s entry history');
select throws_ok($$delete from public.feedback_events$$, '42501', null, 'history cannot be deleted');

-- duplicate_of names the entry another entry repeats, usually someone else's: the owner reads it
-- neither directly nor in their list, unless the repeated entry is theirs too.
reset role;
insert into public.user_feedback (id, user_id, category, description, created_at) values
    ('74000000-0000-4000-8000-000000000006', tests.get_supabase_uid('owner'), 'complaint', 'Slow sync', now() - interval '5 days');
insert into public.user_feedback (id, user_id, category, description, status, duplicate_of, created_at) values
    ('74000000-0000-4000-8000-000000000007', tests.get_supabase_uid('owner'), 'complaint', 'Sync is slow', 'duplicate',
     '74000000-0000-4000-8000-000000000006', now() - interval '5 days');
select tests.authenticate_as('owner');
select throws_ok($$select duplicate_of from public.user_feedback$$, '42501', null,
    'the owner cannot read duplicate_of directly (it names someone else''s entry)');
select throws_ok($$select meta_data from public.user_feedback$$, '42501', null,
    'the owner cannot read support''s meta_data directly');
select results_eq(
    $$select f ->> 'feedback_id', f ->> 'status', f ->> 'duplicate_of'
      from json_array_elements(public.list_my_feedback("limit" => '100') -> 'feedback') as f
      where f ->> 'feedback_id' in ('74000000-0000-4000-8000-000000000004', '74000000-0000-4000-8000-000000000007')
      order by 1$$,
    $$values ('74000000-0000-4000-8000-000000000004', 'duplicate', null::text),
             ('74000000-0000-4000-8000-000000000007', 'duplicate', '74000000-0000-4000-8000-000000000006')$$,
    'list_my_feedback names the repeated entry only when it is the owner''s own'
);

-- anon, service_role and postgres.
select tests.clear_authentication();
select throws_ok($$select public.list_my_feedback()$$, '42501', null, 'anon cannot list feedback');
select throws_ok($$select public.support_feedback_queue()$$, '42501', null, 'anon cannot use the feedback queue');
select throws_ok($$select public.support_feedback('74000000-0000-4000-8000-000000000001')$$, '42501', null,
    'anon cannot read a feedback entry');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_review_feedback('{"feedback_id": "74000000-0000-4000-8000-000000000003", "status": "under_review"}')$$,
    '42501', null, 'service_role does not call the staff review');
select throws_ok($$select public.support_feedback('74000000-0000-4000-8000-000000000001')$$, '42501', null,
    'service_role does not call the staff read of an entry');
select throws_ok($$update public.user_feedback set status = 'planned' where id = '74000000-0000-4000-8000-000000000003'$$,
    'PGRST', '{"code" : "feedback_move_refused", "message" : "Feedback cannot move from declined to planned", "details" : null, "hint" : "See public.feedback_transitions for the allowed moves."}',
    'service_role meets the workflow on a direct update');
reset role;
select throws_ok($$update public.user_feedback set status = 'in_progress' where id = '74000000-0000-4000-8000-000000000003'$$,
    'PGRST', '{"code" : "feedback_move_refused", "message" : "Feedback cannot move from declined to in_progress", "details" : null, "hint" : "See public.feedback_transitions for the allowed moves."}',
    'postgres (Studio) meets the workflow too');
select throws_ok($$update public.feedback_events set to_value = 'x'$$, '42501', 'feedback events are append-only',
    'postgres cannot rewrite history');
select throws_ok($$truncate public.feedback_events$$, '42501', 'feedback events are append-only',
    'postgres cannot truncate history');
select lives_ok($$delete from public.user_feedback where id = '74000000-0000-4000-8000-000000000001'$$,
    'deleting an entry is not stopped by its history');
select is_empty($$select 1 from public.feedback_events where feedback_id = '74000000-0000-4000-8000-000000000001'$$,
    'the history of a deleted entry goes with it');

select * from finish();
rollback;
