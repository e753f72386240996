-- The feedback board's batch of category suggestions (support_feedback_suggestions), from each
-- actor's side: staff read the suggestions of the page support_feedback_queue answers for the
-- same parameters, in its order; nobody else reads any; shadow mode shows none.
begin;
select plan(11);

-- The stack's support-triage worker writes suggestions for other tests' items: this
-- transaction holds the tables alone (rolled back at the end).
lock table public.triage_suggestions, public.triage_labels in exclusive mode;

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Jones');

-- Three entries of one feature, newest last; the oldest has no suggestion yet.
insert into public.user_feedback (id, user_id, category, description, feature_name, created_at) values
    ('97000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'other',
     'Weeks should start on Monday', 'pgtap-97-calendar', now() - interval '3 minutes'),
    ('97000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'other',
     'Please add a yearly view', 'pgtap-97-calendar', now() - interval '2 minutes'),
    ('97000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'complaint',
     'I love the new calendar', 'pgtap-97-calendar', now() - interval '1 minute');
delete from public.triage_suggestions where feedback_id in
    ('97000000-0000-4000-8000-000000000001', '97000000-0000-4000-8000-000000000002', '97000000-0000-4000-8000-000000000003');
insert into public.triage_suggestions (id, feedback_id, field, value, confidence, model_version) values
    ('97100000-0000-4000-8000-000000000002', '97000000-0000-4000-8000-000000000002', 'category', 'feature_request', 0.88, 'test-model'),
    ('97100000-0000-4000-8000-000000000003', '97000000-0000-4000-8000-000000000003', 'category', 'praise', 0.7, 'test-model');
update public.triage_settings set shadow_mode = true;

-- Not staff: refused.
select tests.authenticate_as('owner');
select throws_ok($$select public.support_feedback_suggestions(feature_name => 'pgtap-97-calendar')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner of the entries cannot read their suggestions');
select tests.authenticate_as('other');
select throws_ok($$select public.support_feedback_suggestions()$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'another user cannot read the suggestions of the board');
select tests.clear_authentication();
select throws_ok($$select public.support_feedback_suggestions()$$, '42501', null,
    'anon cannot call support_feedback_suggestions');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_feedback_suggestions()$$, '42501', null,
    'service_role cannot call support_feedback_suggestions');

-- Staff, in shadow mode: none shown.
select tests.authenticate_as('agent');
select is(public.support_feedback_suggestions(feature_name => 'pgtap-97-calendar')::jsonb,
    '{"shadow_mode": true, "suggestions": []}'::jsonb,
    'in shadow mode an agent is shown no suggestion for the board');

reset role;
update public.triage_settings set shadow_mode = false;

select tests.authenticate_as('agent');
select is(
    (select jsonb_agg(jsonb_build_array(s ->> 'feedback_id', s ->> 'value', s ->> 'current_value', s ->> 'confidence'))
     from jsonb_array_elements(public.support_feedback_suggestions(feature_name => 'pgtap-97-calendar')::jsonb -> 'suggestions') as s),
    '[["97000000-0000-4000-8000-000000000003", "praise", "complaint", "0.700"],
      ["97000000-0000-4000-8000-000000000002", "feature_request", "other", "0.880"]]'::jsonb,
    'an agent reads the suggestions of the queue''s entries in its order, newest first, beside the user''s category');
select is(
    (select jsonb_agg(s ->> 'feedback_id')
     from jsonb_array_elements(public.support_feedback_suggestions(feature_name => 'pgtap-97-calendar', "limit" => '1', "offset" => '1')::jsonb -> 'suggestions') as s),
    '["97000000-0000-4000-8000-000000000002"]'::jsonb,
    'limit and offset choose the same page as support_feedback_queue');
select is(tests.error_of($$select public.support_feedback_suggestions(category => 'sooner')$$),
    tests.error_of($$select public.support_feedback_queue(category => 'sooner')$$),
    'a filter the queue refuses is refused with the queue''s words');
select is(public.support_decide_suggestion('{"suggestion_id": "97100000-0000-4000-8000-000000000002"}') ->> 'accepted', 'true',
    'an agent accepts a feedback category suggestion');

select tests.authenticate_as('admin');
select is(
    (public.support_feedback_suggestions(feature_name => 'pgtap-97-calendar')::jsonb -> 'suggestions' -> 1 -> 'decision') - 'decided_at',
    '{"chosen_value": "feature_request", "accepted": true, "applied": false}'::jsonb,
    'an admin reads the decision beside the suggestion on the board');

-- The owner still sees nothing after the decision.
select tests.authenticate_as('owner');
select throws_ok($$select public.support_feedback_suggestions(feature_name => 'pgtap-97-calendar')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner still cannot read the suggestions once staff decided');

select * from finish();
rollback;
