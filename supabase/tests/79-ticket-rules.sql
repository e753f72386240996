-- Event rules: who edits them, what is refused at save, and what running them does (actions
-- through the lifecycle, history naming the rule, dry run, the loop guard).
begin;
select plan(33);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- The seed's rules stay out of this test's way.
delete from public.ticket_rules;

-- Who edits: admins; agents read; users and anon neither.
select tests.authenticate_as('admin');
select lives_ok(
    $$insert into public.ticket_rules (name, position, on_events, match, conditions, actions) values
      ('Charged twice is urgent', 10, '{created,user_replied}', 'any',
       '[{"field": "text", "op": "contains", "value": "charged twice"}, {"field": "text", "op": "contains", "value": "double charge"}]',
       '[{"action": "set_priority", "value": "urgent"}, {"action": "add_internal_note", "value": "Raised: a double charge."}]')$$,
    'an admin saves a rule'
);
select tests.authenticate_as('agent');
select is((select count(*)::int from public.ticket_rules where name = 'Charged twice is urgent'), 1, 'an agent reads the rules');
select throws_ok($$insert into public.ticket_rules (name, on_events, actions) values ('Mine', '{created}', '[{"action": "set_priority", "value": "low"}]')$$,
    '42501', null, 'an agent cannot add a rule');
select is_empty($$update public.ticket_rules set enabled = false returning 1$$, 'an agent cannot switch a rule off');
select is_empty($$delete from public.ticket_rules returning 1$$, 'an agent cannot delete a rule');
select tests.authenticate_as('owner');
select is_empty('select * from public.ticket_rules', 'a user does not read the rules');
select throws_ok($$insert into public.ticket_rules (name, on_events, actions) values ('Mine', '{created}', '[{"action": "set_priority", "value": "low"}]')$$,
    '42501', null, 'a user cannot add a rule');
select tests.clear_authentication();
select throws_ok('select * from public.ticket_rules', '42501', null, 'anon cannot read the rules');

-- Refused at save, with what is wrong and never the value.
select tests.authenticate_as('admin');
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, conditions, actions) values ('Bad', '{created}',
      '[{"field": "salary", "op": "is", "value": "x"}]', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', '{"code" : "rule_unknown_field", "message" : "Condition 1 names a field rules cannot test", "details" : null, "hint" : "The fields are the rows of public.rule_condition_fields."}',
    'a condition on a field outside the allow-list is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, conditions, actions) values ('Bad', '{created}',
      '[{"field": "priority", "op": "contains", "value": "x"}]', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', '{"code" : "rule_unknown_operator", "message" : "Condition 1 uses an operator its field does not allow", "details" : null, "hint" : "The operators of each field are in public.rule_condition_fields."}',
    'an operator the field does not allow is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, conditions, actions) values ('Bad', '{created}',
      '[{"field": "priority", "op": "is", "value": "urgnt"}]', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', null, 'a value outside the field''s vocabulary is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{created}', '[{"action": "set_priority", "value": "urgnt"}]')$$,
    'PGRST', '{"code" : "rule_bad_value", "message" : "The value of action 1 is not one the field or action accepts", "details" : null, "hint" : "A value must belong to the field''s vocabulary; in takes a list."}',
    'an action value outside its vocabulary is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{created}', '[{"action": "delete_ticket", "value": "x"}]')$$,
    'PGRST', null, 'an action outside the allow-list is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{created}', '[{"action": "set_status", "value": "resolved"}]')$$,
    'PGRST', '{"code" : "rule_move_refused", "message" : "Action 1 sets a status support cannot move a ticket to", "details" : null, "hint" : "The moves are the rows of public.ticket_transitions for agents; a move that needs a resolution cannot be a rule''s."}',
    'a move the lifecycle allows support only with a resolution is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{deleted}', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', null, 'an unknown event is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{created}', '{"action": "set_priority"}')$$,
    'PGRST', null, 'actions that are not a list of actions are refused at save'
);
select throws_ok(
    $$update public.ticket_rules set conditions = '[{"field": "text", "op": "in", "value": "x"}]' where name = 'Charged twice is urgent'$$,
    'PGRST', null, 'a change to a saved rule is checked the same way'
);

-- Running: a user files a ticket that mentions a double charge.
select tests.authenticate_as('owner');
select lives_ok(
    $$select public.create_support_ticket('{"ticket_type": "billing", "subject": "Card", "description": "I was charged twice for May", "priority": "low"}')$$,
    'a user files a ticket'
);
select tests.clear_authentication();
reset role;
create temporary table filed as
select id from public.support_tickets where user_id = tests.get_supabase_uid('owner') and subject = 'Card';
grant select on filed to authenticated;
select is((select priority from public.support_tickets where id = (select id from filed)), 'urgent',
    'the rule raised the new ticket to urgent in the transaction of its creation');
select results_eq(
    $$select kind, actor_kind, actor_id is null, internal from public.ticket_events
      where ticket_id = (select id from filed) and kind in ('priority', 'internal_note') order by id$$,
    $$values ('priority', 'agent', true, false), ('internal_note', 'system', true, true)$$,
    'the history records the rule''s change as support''s and its note as the system''s, with no person as their actor'
);
select results_eq(
    $$select rule_name, event, dry_run, refused from public.ticket_rule_runs where ticket_id = (select id from filed)$$,
    $$values ('Charged twice is urgent', 'created', false, null::text)$$,
    'the rule run names the rule and the event'
);
select tests.authenticate_as('owner');
select is((select count(*)::int from public.ticket_messages where ticket_id = (select id from filed)), 0,
    'the user does not read the rule''s internal note');
select is((select count(*)::int from public.ticket_rule_runs), 0, 'a user reads no rule runs');
select tests.clear_authentication();
reset role;

-- Dry run: records what it would do, does nothing.
insert into public.ticket_rules (name, position, on_events, dry_run, conditions, actions) values
    ('Route billing', 20, '{user_replied}', true, '[{"field": "ticket_type", "op": "is", "value": "billing"}]',
     format('[{"action": "set_assignee", "value": "%s"}]', tests.get_supabase_uid('agent'))::jsonb);
insert into public.ticket_messages (ticket_id, author_id, author_kind, body)
values ((select id from filed), tests.get_supabase_uid('owner'), 'user', 'Any news?');
select is((select assignee_id from public.support_tickets where id = (select id from filed)), null,
    'a rule in dry run changes nothing');
select results_eq(
    $$select rule_name, event, dry_run from public.ticket_rule_runs where ticket_id = (select id from filed) and event = 'user_replied' order by id$$,
    $$values ('Route billing', 'user_replied', true)$$,
    'it records what it would have done; the urgent rule does not match a reply without the words'
);

select tests.authenticate_as('admin');
select isnt_empty($$update public.ticket_rules set dry_run = false where name = 'Route billing' returning 1$$,
    'an admin switches the rule from dry run to live');
select tests.clear_authentication();
reset role;
insert into public.ticket_messages (ticket_id, author_id, author_kind, body)
values ((select id from filed), tests.get_supabase_uid('owner'), 'user', 'Hello?');
select is((select assigned_to from public.support_tickets where id = (select id from filed)), 'Agent Smith',
    'live, the rule assigns the billing ticket on the user''s reply');

-- The lifecycle at run: a rule closing open tickets is refused for this ticket, the reply stands.
insert into public.ticket_rules (name, position, on_events, conditions, actions) values
    ('Close on thanks', 30, '{user_replied}', '[{"field": "text", "op": "contains", "value": "thanks"}]',
     '[{"action": "set_priority", "value": "low"}, {"action": "set_status", "value": "closed"}]');
insert into public.ticket_messages (ticket_id, author_id, author_kind, body)
values ((select id from filed), tests.get_supabase_uid('owner'), 'user', 'Thanks!');
select results_eq(
    $$select status, priority from public.support_tickets where id = (select id from filed)$$,
    $$values ('open', 'urgent')$$,
    'a rule cannot do what the lifecycle refuses support: none of its actions stay (open cannot close)'
);
select is((select refused from public.ticket_rule_runs where rule_name = 'Close on thanks'), 'ticket_move_refused',
    'its run records the refusal');
select is((select count(*)::int from public.ticket_messages where ticket_id = (select id from filed) and body = 'Thanks!'), 1,
    'the user''s reply is kept');
delete from public.ticket_rules where name = 'Close on thanks';

-- The loop guard: two rules that undo each other stop after one more pass.
insert into public.ticket_rules (name, position, on_events, conditions, actions) values
    ('Back to open', 40, '{status_changed}', '[{"field": "status", "op": "is", "value": "in_progress"}]',
     '[{"action": "set_status", "value": "open"}]'),
    ('Back to work', 50, '{status_changed}', '[{"field": "status", "op": "is", "value": "open"}]',
     '[{"action": "set_status", "value": "in_progress"}]');
select lives_ok($$update public.support_tickets set status = 'in_progress' where id = (select id from filed)$$,
    'an agent''s move sets off two rules that undo each other, and ends');
select results_eq(
    $$select rule_name from public.ticket_rule_runs where ticket_id = (select id from filed) and event = 'status_changed' order by rule_name$$,
    $$values ('Back to open'), ('Back to work')$$,
    'each rule ran once: the first on the agent''s move, the second on the first''s change, then no more'
);
select is((select status from public.support_tickets where id = (select id from filed)), 'in_progress',
    'the ticket ends where the last allowed pass left it');

select * from finish();
rollback;
