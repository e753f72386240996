-- The triage worker's role and its functions: support_triage reads the text of the items
-- it has yet to score and the staff labels, and stores suggestions and training runs, only
-- through private.triage_* / save_triage_suggestions / record_triage_runs; it reads and writes
-- no table itself, and no API role may call those functions.
begin;
select plan(17);

-- The stack's support-triage suggests for other tests' items: this transaction holds the
-- tables alone and starts from no suggestion (rolled back at the end); other tests' items are
-- pending too, so each check looks at this file's items.
lock table public.triage_suggestions, public.triage_labels, public.triage_model_runs in exclusive mode;
delete from public.triage_labels;
delete from public.triage_suggestions;

-- pgTAP and the helpers, for the worker's role too (rolled back with the rest).
grant usage on schema extensions, tests to support_triage;
grant execute on all functions in schema tests to support_triage;
select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, created_at) values
    ('98000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice this month', now()),
    ('98000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'technical', 'Old crash', 'Long ago', now() - interval '30 days');
insert into public.user_feedback (id, user_id, category, description, feature_name) values
    ('98000000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'other', 'A yearly view', 'calendar');

set local role support_triage;
select results_eq(
    $$select id, subject, description from private.triage_pending_tickets(7, 100000)
      where id in ('98000000-0000-4000-8000-000000000001', '98000000-0000-4000-8000-000000000002')$$,
    $$values ('98000000-0000-4000-8000-000000000001'::uuid, 'Charged twice', 'Twice this month')$$,
    'the triage role reads the text of the recent tickets without a suggestion, not older ones'
);
select results_eq(
    $$select id, feature_name, description from private.triage_pending_feedback(7, 100000)
      where id = '98000000-0000-4000-8000-000000000003'$$,
    $$values ('98000000-0000-4000-8000-000000000003'::uuid, 'calendar', 'A yearly view')$$,
    'the triage role reads the text of the recent feedback without a suggestion'
);
select is(
    private.save_triage_suggestions('test-model', $$[
        {"ticket_id": "98000000-0000-4000-8000-000000000001", "field": "ticket_type", "value": "billing", "confidence": 0.9},
        {"ticket_id": "98000000-0000-4000-8000-000000000001", "field": "priority", "value": "high", "confidence": 0.6},
        {"feedback_id": "98000000-0000-4000-8000-000000000003", "field": "category", "value": "feature_request", "confidence": 0.8}
    ]$$, $$[{"ticket_id": "98000000-0000-4000-8000-000000000001"}, {"feedback_id": "98000000-0000-4000-8000-000000000003"}]$$),
    3, 'the triage role stores a batch of suggestions');
select is(
    private.save_triage_suggestions('other-model', $$[
        {"ticket_id": "98000000-0000-4000-8000-000000000001", "field": "ticket_type", "value": "bug", "confidence": 0.5}
    ]$$, '[]'),
    0, 'a second suggestion for the same item and field is not stored (two workers may score one item)');
select is_empty($$select * from private.triage_pending_tickets(7, 100000) where id = '98000000-0000-4000-8000-000000000001'$$,
    'a scored ticket is no longer pending');
select throws_ok(
    $$select private.save_triage_suggestions('test-model', '[{"ticket_id": "98000000-0000-4000-8000-000000000002", "field": "priority", "value": "whenever", "confidence": 0.5}]', '[]')$$,
    '23514', null, 'the table''s rules still check what the triage role stores');
select lives_ok(
    $$select private.record_triage_runs('test-model', '[{"field": "ticket_type", "examples": 170, "staff_labels": 0, "held_out": 34, "held_out_accuracy": 0.7}]')$$,
    'the triage role records a training run');
select throws_ok('select count(*) from public.support_tickets', '42501', null,
    'the triage role cannot read the tickets table');
select throws_ok('select count(*) from public.triage_suggestions', '42501', null,
    'the triage role cannot read the suggestions table');
select throws_ok('select count(*) from public.triage_ticket_queue', '42501', null,
    'the triage role cannot read the queue of tickets to score');
select throws_ok($$insert into public.triage_suggestions (ticket_id, field, value, confidence, model_version) values ('98000000-0000-4000-8000-000000000002', 'priority', 'low', 1, 'x')$$,
    '42501', null, 'the triage role cannot write the suggestions table');
select throws_ok($$update public.support_tickets set priority = 'urgent'$$, '42501', null,
    'the triage role cannot change a ticket');
select throws_ok('select * from private.notification_details(array[1::bigint])', '42501', null,
    'the triage role cannot call the notification worker''s functions');
reset role;

-- The labels it trains on: what staff chose, with the item's text.
insert into public.triage_labels (suggestion_id, ticket_id, field, suggested_value, chosen_value, applied)
select s.id, s.ticket_id, s.field, s.value, 'urgent', false
from public.triage_suggestions as s where s.field = 'priority';
set local role support_triage;
select results_eq(
    $$select kind, field, first_text, description, chosen_value from private.triage_staff_labels()$$,
    $$values ('ticket', 'priority', 'Charged twice', 'Twice this month', 'urgent')$$,
    'the triage role reads each staff decision with its item''s text'
);
reset role;

-- No API role calls the triage role's functions.
select tests.authenticate_as('agent');
select throws_ok($$select * from private.triage_pending_tickets(7, 100)$$, '42501', null,
    'an agent cannot call the triage role''s functions');
select tests.clear_authentication();
select throws_ok($$select private.save_triage_suggestions('x', '[]', '[]')$$, '42501', null,
    'anon cannot store suggestions');
select tests.authenticate_as_service_role();
select throws_ok($$select private.record_triage_runs('x', '[]')$$, '42501', null,
    'service_role cannot record a training run');

select * from finish();
rollback;
