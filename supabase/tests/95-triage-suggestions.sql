-- Auto-triage: suggestions, staff decisions (labels), shadow mode and the report, from each
-- actor's side. The owner of an item never sees a suggestion or a label on any path; a
-- suggestion never changes the item; only a decision with apply changes a ticket's field.
-- No API role reads the triage tables: staff go through the staff RPCs.
begin;
select plan(43);

-- The stack's support-triage worker writes suggestions and runs for other tests' items: this
-- transaction holds the tables alone and starts from none (rolled back at the end).
lock table public.triage_suggestions, public.triage_labels, public.triage_model_runs in exclusive mode;
delete from public.triage_labels;
delete from public.triage_suggestions;
delete from public.triage_model_runs;

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Jones');

insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority) values
    ('95000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'technical',
     'I was charged twice', 'Charged twice for Premium this month', 'low');
insert into public.user_feedback (id, user_id, category, description, feature_name) values
    ('95000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'other',
     'Please add a yearly view', 'calendar');
-- What support-triage stores (it writes as the table owner, off the request path).
insert into public.triage_suggestions (id, ticket_id, feedback_id, field, value, confidence, model_version) values
    ('95100000-0000-4000-8000-000000000001', '95000000-0000-4000-8000-000000000001', null, 'ticket_type', 'billing', 0.91, 'test-model'),
    ('95100000-0000-4000-8000-000000000002', '95000000-0000-4000-8000-000000000001', null, 'priority', 'high', 0.62, 'test-model'),
    ('95100000-0000-4000-8000-000000000003', null, '95000000-0000-4000-8000-000000000002', 'category', 'feature_request', 0.88, 'test-model');
insert into public.triage_model_runs (model_version, field, examples, staff_labels, held_out, held_out_accuracy) values
    ('test-model', 'ticket_type', 170, 0, 34, 0.735);

-- Rules of the table.
select throws_ok($$insert into public.triage_suggestions (ticket_id, field, value, confidence, model_version) values ('95000000-0000-4000-8000-000000000001', 'category', 'praise', 0.5, 'x')$$,
    '23514', null, 'a ticket gets no category suggestion');
select throws_ok($$insert into public.triage_suggestions (feedback_id, field, value, confidence, model_version) values ('95000000-0000-4000-8000-000000000002', 'category', 'urgent', 0.5, 'x')$$,
    '23514', null, 'a suggested value must be one its field allows');
select throws_ok($$insert into public.triage_suggestions (ticket_id, field, value, confidence, model_version) values ('95000000-0000-4000-8000-000000000001', 'ticket_type', 'bug', 0.5, 'x')$$,
    '23505', null, 'one suggestion per ticket and field');

-- The owner: nothing on any path.
select tests.authenticate_as('owner');
select throws_ok($$select count(*) from public.triage_suggestions$$, '42501', null,
    'the owner cannot read the suggestions table, not even for their own ticket');
select throws_ok($$select count(*) from public.triage_labels$$, '42501', null, 'the owner cannot read labels');
select throws_ok($$select count(*) from public.triage_model_runs$$, '42501', null, 'the owner cannot read training runs');
select is((select count(*) from public.triage_settings), 0::bigint, 'the owner reads no triage settings');
select ok(public.get_ticket('95000000-0000-4000-8000-000000000001')::text !~ 'billing|test-model|suggest',
    'the owner''s ticket detail holds nothing of the suggestion');
select throws_ok($$select public.support_suggestions(ticket_id => '95000000-0000-4000-8000-000000000001')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot call support_suggestions');
select throws_ok($$select public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot accept a suggestion');
select throws_ok($$select public.support_triage_report()$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot read the triage report');
select throws_ok($$insert into public.triage_suggestions (ticket_id, field, value, confidence, model_version) values ('95000000-0000-4000-8000-000000000001', 'priority', 'urgent', 1, 'x')$$,
    '42501', null, 'the owner cannot write a suggestion');
select throws_ok($$insert into public.triage_labels (suggestion_id, ticket_id, field, suggested_value, chosen_value, applied) values ('95100000-0000-4000-8000-000000000001', '95000000-0000-4000-8000-000000000001', 'ticket_type', 'billing', 'billing', false)$$,
    '42501', null, 'the owner cannot write a label');

-- Another user, anon, service_role.
select tests.authenticate_as('other');
select throws_ok($$select count(*) from public.triage_suggestions$$, '42501', null, 'another user cannot read suggestions');
select throws_ok($$select public.support_similar_tickets('95000000-0000-4000-8000-000000000001')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'another user cannot look for similar tickets');
select tests.clear_authentication();
select throws_ok($$select count(*) from public.triage_suggestions$$, '42501', null, 'anon cannot read suggestions');
select throws_ok($$select public.support_suggestions(ticket_id => '95000000-0000-4000-8000-000000000001')$$,
    '42501', null, 'anon cannot call support_suggestions');
select tests.authenticate_as_service_role();
select throws_ok($$select count(*) from public.triage_labels$$, '42501', null, 'service_role cannot read labels');
select throws_ok($$select public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000001"}')$$,
    '42501', null, 'service_role cannot call the staff decision');

-- Shadow mode (on at first): stored, not shown to agents; admins measure.
select tests.authenticate_as('agent');
select throws_ok($$select count(*) from public.triage_suggestions$$, '42501', null,
    'staff read no suggestion directly: only through the staff RPCs');
select is(public.support_suggestions(ticket_id => '95000000-0000-4000-8000-000000000001')::jsonb,
    '{"shadow_mode": true, "suggestions": []}'::jsonb, 'in shadow mode support_suggestions returns none');
select throws_ok($$select public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "suggestions_shadow_mode", "message" : "Suggestions are in shadow mode", "details" : null, "hint" : "An admin turns shadow mode off in triage_settings."}',
    'in shadow mode nothing is decided');
update public.triage_settings set shadow_mode = false;
select tests.authenticate_as('admin');
select is((select shadow_mode from public.triage_settings), true, 'an agent cannot turn shadow mode off');
select is(public.support_suggestions(feedback_id => '95000000-0000-4000-8000-000000000002')::jsonb,
    '{"shadow_mode": true, "suggestions": []}'::jsonb, 'in shadow mode an admin is shown no suggestion either');
select is((public.support_triage_report() -> 'kinds' -> 1 ->> 'suggestions'), '1',
    'the report counts the suggestions made in shadow mode');
select is((public.support_triage_report() -> 'kinds' -> 2 ->> 'agreement_rate'), '0.000',
    'the report measures agreement in shadow mode: the suggested type is not the ticket''s');
update public.triage_settings set shadow_mode = false;
select is((select shadow_mode from public.triage_settings), false, 'an admin turns shadow mode off');

-- Agents see, accept and override.
select tests.authenticate_as('agent');
select is(jsonb_array_length(public.support_suggestions(ticket_id => '95000000-0000-4000-8000-000000000001')::jsonb -> 'suggestions'), 2,
    'out of shadow mode an agent reads the ticket''s two suggestions');
select is((public.support_suggestions(ticket_id => '95000000-0000-4000-8000-000000000001')::jsonb -> 'suggestions' -> 1) - 'created_at' - 'suggestion_id',
    '{"field": "ticket_type", "value": "billing", "confidence": 0.910, "current_value": "technical", "model_version": "test-model", "decision": null}'::jsonb,
    'a suggestion shows its value, confidence and model version beside the user''s value');
select is(public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000001", "apply": true}')::jsonb,
    '{"suggestion_id": "95100000-0000-4000-8000-000000000001", "ticket_id": "95000000-0000-4000-8000-000000000001", "feedback_id": null, "field": "ticket_type", "suggested_value": "billing", "chosen_value": "billing", "accepted": true, "applied": true}'::jsonb,
    'an agent accepts the type and applies it in one action');
select is(public.support_ticket('95000000-0000-4000-8000-000000000001') ->> 'ticket_type', 'billing',
    'applying changed the ticket''s type');
select is((select count(*) from json_array_elements(public.support_ticket('95000000-0000-4000-8000-000000000001') -> 'events') as e
           where e ->> 'kind' = 'type' and e ->> 'to' = 'billing'), 1::bigint,
    'the change went through the usual path and is in the ticket''s history');
select is(public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000002", "value": "urgent"}') ->> 'accepted', 'false',
    'an agent overrides the priority without applying it');
select is(public.support_ticket('95000000-0000-4000-8000-000000000001') ->> 'priority', 'low',
    'a decision without apply leaves the user''s priority as it was');
select throws_ok($$select public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000002"}')$$,
    'PGRST', '{"code" : "suggestion_decided", "message" : "This suggestion was already decided", "details" : null, "hint" : null}',
    'a suggestion is decided once');
select throws_ok($$select public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000003", "value": "sooner"}')$$,
    'PGRST', '{"code" : "suggestion_value_invalid", "message" : "value must be one of the values of category", "details" : null, "hint" : null}', 'an unknown value is refused without echoing it');
select throws_ok($$select public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000003", "apply": true}')$$,
    'PGRST', '{"code" : "suggestion_apply_ticket_only", "message" : "apply is for tickets only: a feedback category stays as the user chose", "details" : null, "hint" : null}', 'a feedback category is never changed');
select is(public.support_decide_suggestion('{"suggestion_id": "95100000-0000-4000-8000-000000000003"}') ->> 'chosen_value', 'feature_request',
    'an agent accepts the feedback category');
select is(public.support_feedback('95000000-0000-4000-8000-000000000002') ->> 'category', 'other',
    'the user''s category stays');
reset role;
select is((select count(*) from public.triage_labels where decided_by = tests.get_supabase_uid('agent')), 3::bigint,
    'each decision is a label with who decided');
select tests.authenticate_as('agent');
select is(public.support_triage_report()::jsonb - 'days' - 'shadow_mode' - 'model',
    '{"kinds": [{"field": "category", "suggestions": 1, "decided": 1, "accepted": 1, "acceptance_rate": 1.000, "agreement_rate": 0.000},
                {"field": "priority", "suggestions": 1, "decided": 1, "accepted": 0, "acceptance_rate": 0.000, "agreement_rate": 0.000},
                {"field": "ticket_type", "suggestions": 1, "decided": 1, "accepted": 1, "acceptance_rate": 1.000, "agreement_rate": 1.000}]}'::jsonb,
    'the report counts acceptance per kind of suggestion');
select is(public.support_triage_report() -> 'model' -> 0 ->> 'held_out_accuracy', '0.735',
    'the report shows the latest held-out accuracy');

-- The owner still sees nothing after the decisions.
select tests.authenticate_as('owner');
select throws_ok($$select count(*) from public.triage_labels$$, '42501', null,
    'the owner still cannot read the labels once staff decided');

select * from finish();
rollback;
