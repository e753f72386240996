-- Time rules: who edits them, what is refused at save, and runs (waiting on the user, first
-- response due, dry run), each ticket at most once per rule and state.
begin;
select plan(20);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');
delete from public.ticket_time_rules;

select tests.authenticate_as('admin');
select lives_ok(
    $$insert into public.ticket_time_rules (name, position, clock, minutes, actions) values
      ('Remind after 3 days', 10, 'waiting_on_user', 4320, '[{"action": "add_public_reply", "value": "Is this still a problem? Reply and we pick it up."}]'),
      ('Resolve after 7 days', 20, 'waiting_on_user', 10080, '[{"action": "resolve", "value": "No answer for a week: resolved. Reply to reopen."}]'),
      ('Escalate before the first answer is late', 30, 'first_response_due', 30, '[{"action": "set_priority", "value": "urgent"}]')$$,
    'an admin saves time rules'
);
select throws_ok(
    $$insert into public.ticket_time_rules (name, clock, minutes, actions) values ('Bad', 'waiting_on_user', 60, '[{"action": "delete_ticket", "value": "x"}]')$$,
    'PGRST', '{"code" : "rule_unknown_action", "message" : "Action 1 is not an action rules can take", "details" : null, "hint" : "The actions are the rows of public.rule_action_kinds."}',
    'an action outside the allow-list is refused at save, as for event rules'
);
select throws_ok(
    $$insert into public.ticket_time_rules (name, clock, minutes, actions) values ('Bad', 'sunset', 60, '[{"action": "set_priority", "value": "low"}]')$$,
    '23514', null, 'a clock outside the vocabulary is refused at save (400 with the key''s message)'
);
select tests.authenticate_as('agent');
select is((select count(*)::int from public.ticket_time_rules), 3, 'an agent reads the time rules');
select throws_ok($$insert into public.ticket_time_rules (name, clock, minutes, actions) values ('Mine', 'waiting_on_user', 60, '[{"action": "set_priority", "value": "low"}]')$$,
    '42501', null, 'an agent cannot add a time rule');
select is_empty($$update public.ticket_time_rules set enabled = false returning 1$$, 'an agent cannot switch a time rule off');
select tests.authenticate_as('owner');
select is_empty('select * from public.ticket_time_rules', 'a user does not read the time rules');
select tests.clear_authentication();
select throws_ok('select * from public.ticket_time_rules', '42501', null, 'anon cannot read the time rules');
select throws_ok('select private.run_time_rules()', '42501', null, 'anon cannot run the time rules');
reset role;

-- A ticket waiting on the user for four days, and one whose first answer is due in 20 minutes.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, created_at, updated_at)
values ('79100000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Waiting', 'Waiting', 'low',
        now() - interval '5 days', now() - interval '5 days');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, created_at, updated_at, first_response_due_at)
values ('79100000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Soon late', 'Soon late', 'high',
        now() - interval '40 minutes', now() - interval '40 minutes', now() + interval '20 minutes');
insert into public.ticket_messages (ticket_id, author_id, author_kind, body, created_at)
values ('79100000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', 'Which card?', now() - interval '4 days');

select cmp_ok(private.run_time_rules(batch => 1000), '>=', 2, 'a run acts on the due tickets');
select results_eq(
    $$select rule_name from public.ticket_time_rule_runs where ticket_id::text like '79100000-%' order by rule_name$$,
    $$values ('Escalate before the first answer is late'), ('Remind after 3 days')$$,
    'the reminder went to the ticket waiting four days, the escalation to the one due in 20 minutes; not yet the 7-day rule'
);
select is((select count(*)::int from public.ticket_messages
           where ticket_id = '79100000-0000-4000-8000-000000000001' and author_kind = 'system' and not internal), 1,
    'the user got one public reminder');
select is((select priority from public.support_tickets where id = '79100000-0000-4000-8000-000000000002'), 'urgent',
    'the ticket about to miss its first answer is urgent');
select is((select sla_paused_at from public.support_tickets where id = '79100000-0000-4000-8000-000000000001'),
    now() - interval '4 days', 'the reminder keeps the ticket waiting on the user since the same moment');

select private.run_time_rules(batch => 1000);
select is((select count(*)::int from public.ticket_time_rule_runs where ticket_id::text like '79100000-%'), 2,
    'a second run acts on neither again: once per ticket, rule and state');

-- Three days later the 7-day rule resolves the ticket still waiting.
select private.run_time_rules(batch => 1000, now => now() + interval '3 days');
select results_eq(
    $$select status, resolution from public.support_tickets where id = '79100000-0000-4000-8000-000000000001'$$,
    $$values ('resolved', 'No answer for a week: resolved. Reply to reopen.')$$,
    'after seven days waiting the ticket is resolved through the lifecycle, with the rule''s resolution'
);
select is((select count(*)::int from public.ticket_messages
           where ticket_id = '79100000-0000-4000-8000-000000000001' and author_kind = 'system' and not internal), 1,
    'the reminder was not sent twice');

-- The user's reply starts a new state: a new wait may be reminded again.
insert into public.ticket_messages (ticket_id, author_id, author_kind, body)
values ('79100000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'user', 'Still broken');
insert into public.ticket_messages (ticket_id, author_id, author_kind, body)
values ('79100000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', 'Try again?');
select private.run_time_rules(batch => 1000, now => now() + interval '4 days');
select is((select count(*)::int from public.ticket_time_rule_runs
           where ticket_id = '79100000-0000-4000-8000-000000000001' and rule_name = 'Remind after 3 days'), 2,
    'a new wait on the user is a new state: the reminder runs once more');

-- Dry run records and changes nothing.
update public.ticket_time_rules set dry_run = true where name = 'Escalate before the first answer is late';
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, created_at, updated_at, first_response_due_at)
values ('79100000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'billing', 'Dry', 'Dry', 'low',
        now() - interval '40 minutes', now() - interval '40 minutes', now() + interval '10 minutes');
select private.run_time_rules(batch => 1000);
select is((select dry_run from public.ticket_time_rule_runs where ticket_id = '79100000-0000-4000-8000-000000000003'), true,
    'a time rule in dry run records the ticket it would act on');
select is((select priority from public.support_tickets where id = '79100000-0000-4000-8000-000000000003'), 'low',
    'and changes nothing');

select * from finish();
rollback;
