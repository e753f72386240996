-- Event rules over tags and custom fields, and the actions that tag and apply a macro: checked
-- at save, run through the same paths, each history event naming its rule, and the person whose
-- change set a rule off not told of the rule's changes.
begin;
select plan(26);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

delete from public.ticket_rules;
delete from public.ticket_time_rules;
insert into public.custom_fields (key, label, field_type, options, visible_to_user, position) values
    ('seats', 'Seats', 'number', null, false, 90),
    ('platforms_used', 'Platforms', 'many_of', '["ios", "android", "web"]', true, 91);
insert into public.macros (id, name, body, changes, owner_id) values
    ('7e57ac00-0000-4000-8000-000000000001', 'Rule: VIP welcome',
     E'Hi {{user.first_name}}, thanks for being with us.\n{{agent.name}}',
     '{"priority": "high", "add_tags": ["vip"], "remove_tags": ["triage"]}', null),
    ('7e57ac00-0000-4000-8000-000000000002', 'Rule: mine', 'Taking it.', '{"assignee_id": "me"}', null),
    ('7e57ac00-0000-4000-8000-000000000003', 'Rule: resolve', 'Bye.', '{"status": "resolved"}', null);
insert into public.macros (id, name, body, owner_id) values
    ('7e57ac00-0000-4000-8000-000000000004', 'Personal', 'Hi.', tests.get_supabase_uid('admin'));

-- Refused at save.
select tests.authenticate_as('admin');
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, conditions, actions) values ('Bad', '{created}',
      '[{"field": "field.nope", "op": "is", "value": "x"}]', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', '{"code" : "rule_unknown_field", "message" : "Condition 1 names a field rules cannot test", "details" : null, "hint" : "The fields are the rows of public.rule_condition_fields."}',
    'a condition on a custom field that does not exist is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, conditions, actions) values ('Bad', '{created}',
      '[{"field": "field.plan", "op": "is", "value": "platinum"}]', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', '{"code" : "rule_bad_value", "message" : "The value of condition 1 is not one the field or action accepts", "details" : null, "hint" : "A value must belong to the field''s vocabulary; in takes a list."}',
    'a value outside a one-of field''s options is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, conditions, actions) values ('Bad', '{created}',
      '[{"field": "field.seats", "op": "is", "value": "ten"}]', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', null, 'a text for a number field is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, conditions, actions) values ('Bad', '{created}',
      '[{"field": "field.platforms_used", "op": "is", "value": "ios"}]', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', null, 'a many-of field takes has and has_not, not is'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, conditions, actions) values ('Bad', '{created}',
      '[{"field": "tag", "op": "has", "value": "Not A Tag"}]', '[{"action": "set_priority", "value": "low"}]')$$,
    'PGRST', null, 'a tag condition of the wrong form is refused at save'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{created}',
      '[{"action": "apply_macro", "value": "7e57ac00-0000-4000-8000-000000000004"}]')$$,
    'PGRST', '{"code" : "rule_bad_value", "message" : "The value of action 1 is not one the field or action accepts", "details" : null, "hint" : "A value must belong to the field''s vocabulary; in takes a list."}',
    'a rule cannot apply a personal macro'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{created}',
      '[{"action": "apply_macro", "value": "7e57ac00-0000-4000-8000-000000000002"}]')$$,
    'PGRST', null, 'a rule cannot apply a macro that assigns "me": a rule is nobody'
);
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{created}',
      '[{"action": "apply_macro", "value": "7e57ac00-0000-4000-8000-000000000003"}]')$$,
    'PGRST', '{"code" : "rule_move_refused", "message" : "Action 1 sets a status support cannot move a ticket to", "details" : null, "hint" : "The moves are the rows of public.ticket_transitions for agents; a move that needs a resolution cannot be a rule''s."}',
    'a rule cannot apply a macro whose status move support cannot make'
);
update public.tag_settings set tags_from_list = true;
select throws_ok(
    $$insert into public.ticket_rules (name, on_events, actions) values ('Bad', '{created}',
      '[{"action": "add_tag", "value": "unlisted"}]')$$,
    'PGRST', null, 'with tags from the list, a rule cannot add a tag off the list'
);
update public.tag_settings set tags_from_list = false;

select lives_ok(
    $$insert into public.ticket_rules (name, position, on_events, match, conditions, actions) values
      ('Team plan on iOS is VIP', 10, '{created}', 'all',
       '[{"field": "field.plan", "op": "is", "value": "team"}, {"field": "field.platforms_used", "op": "has", "value": "ios"}]',
       '[{"action": "add_tag", "value": "triage"}, {"action": "apply_macro", "value": "7e57ac00-0000-4000-8000-000000000001"}]'),
      ('VIPs go in progress', 20, '{created}', 'all',
       '[{"field": "tag", "op": "has", "value": "vip"}, {"field": "tag", "op": "has_not", "value": "triage"}]',
       '[{"action": "set_status", "value": "in_progress"}]'),
      ('Tell the team of VIPs', 30, '{created}', 'all', '[{"field": "tag", "op": "has", "value": "vip"}]',
       '[{"action": "notify_webhook", "value": "A VIP filed a ticket."}]')$$,
    'an admin saves rules on custom fields and tags that tag, apply a shared macro and notify the webhooks'
);
select throws_ok($$delete from public.custom_fields where key = 'platforms_used'$$,
    'PGRST', '{"code" : "custom_field_in_rule", "message" : "A rule tests this field", "details" : null, "hint" : "Change or delete the rules whose conditions name field.<key> first."}',
    'a custom field a rule tests cannot be deleted');

-- Running: a team-plan iOS ticket.
select tests.authenticate_as('owner');
select lives_ok(
    $$select public.create_support_ticket('{"ticket_type": "technical", "subject": "Sync", "description": "Sync stops", "fields": {"plan": "team", "platforms_used": ["ios", "web"]}}')$$,
    'a user files a ticket with the fields the rule tests'
);
select tests.clear_authentication();
reset role;
create temporary table filed as
select id from public.support_tickets where user_id = tests.get_supabase_uid('owner') and subject = 'Sync';

select results_eq(
    $$select priority, status from public.support_tickets where id = (select id from filed)$$,
    $$values ('high', 'in_progress')$$,
    'the macro''s change ran, and the second rule saw the tags the first left (vip, not triage)'
);
select is(
    (select array_agg(tag order by tag) from public.ticket_tags where ticket_id = (select id from filed)),
    array['vip'],
    'the rule added a tag and its macro added one and removed the other'
);
select results_eq(
    $$select author_kind, internal, body from public.ticket_messages where ticket_id = (select id from filed)$$,
    $$values ('system', false, E'Hi there, thanks for being with us.\nSupport')$$,
    'the macro''s reply is the system''s, its agent rendered as Support'
);
select is((select usage_count from public.macros where id = '7e57ac00-0000-4000-8000-000000000001'), 1,
    'a macro a rule applies counts its use');
select results_eq(
    $$select kind, rule_name from public.ticket_events
      where ticket_id = (select id from filed) and kind in ('tag_added', 'tag_removed', 'public_reply', 'priority', 'status')
      order by id$$,
    $$values ('tag_added', 'Team plan on iOS is VIP'), ('public_reply', 'Team plan on iOS is VIP'),
             ('priority', 'Team plan on iOS is VIP'), ('tag_added', 'Team plan on iOS is VIP'),
             ('tag_removed', 'Team plan on iOS is VIP'), ('status', 'VIPs go in progress')$$,
    'each history event a rule wrote names the rule'
);
select is(
    (select count(*)::int from public.ticket_events where ticket_id = (select id from filed) and kind = 'created' and rule_name is null),
    1,
    'the change by hand names no rule'
);
grant select on filed to authenticated;
select tests.authenticate_as('admin');
select is(
    (select e ->> 'rule' from jsonb_array_elements(
        public.support_ticket((select id from filed)::text)::jsonb -> 'events') as x(e) where e ->> 'kind' = 'status'),
    'VIPs go in progress',
    'staff read which rule made a change in the ticket''s history'
);
select tests.clear_authentication();
reset role;

-- The user's own filing set the rules off: the reply reaches them, the status change does not.
select results_eq(
    $$select message ->> 'kind' from pgmq.q_notifications
      where message ->> 'ticket_id' = (select id from filed)::text order by msg_id$$,
    $$values ('reply'), ('rule_notice')$$,
    'the rule''s reply and its notice are queued, not the status change the user''s own filing set off'
);
select results_eq(
    $$select email_wanted, to_value from private.notification_details(array(
        select id from public.ticket_events where ticket_id = (select id from filed) and kind = 'rule_notice'))$$,
    $$values (false, 'A VIP filed a ticket.')$$,
    'a rule''s notice goes to the webhooks with its text and is never emailed'
);

select tests.authenticate_as('owner');
select is(
    (select count(*)::int from public.ticket_events where ticket_id = (select id from filed) and kind = 'status'),
    1,
    'the user sees the rule''s status change in the history'
);
select is(
    (select count(*)::int from public.ticket_events where ticket_id = (select id from filed) and kind = 'rule_notice'),
    0,
    'the user does not read the rule''s notice'
);
select throws_ok($$select rule_name from public.ticket_events$$, '42501', null,
    'the user does not read which rule made a change');

-- The other conditions and actions, all in one rule: requester, event, unassigned, priority,
-- type, subject (case-insensitive); set the type, add and remove tags.
select tests.clear_authentication();
reset role;
insert into public.ticket_rules (name, position, on_events, match, conditions, actions) values
    ('Unassigned login trouble', 40, '{created}', 'all',
     '[{"field": "requester_email", "op": "contains", "value": "@test.example"},
       {"field": "event", "op": "in", "value": ["created"]},
       {"field": "assignee_id", "op": "is", "value": ""},
       {"field": "priority", "op": "is_not", "value": "urgent"},
       {"field": "ticket_type", "op": "in", "value": ["account", "other"]},
       {"field": "subject", "op": "contains", "value": "LOGIN"}]',
     '[{"action": "set_type", "value": "technical"}, {"action": "add_tag", "value": "login"},
       {"action": "remove_tag", "value": "login"}, {"action": "add_tag", "value": "access"}]');
select tests.authenticate_as('owner');
select public.create_support_ticket('{"ticket_type": "account", "subject": "Cannot login", "description": "The code never arrives"}');
select public.create_support_ticket('{"ticket_type": "account", "subject": "Change my email", "description": "New address"}');
select tests.clear_authentication();
reset role;
select results_eq(
    $$select t.subject, t.ticket_type, coalesce((select array_agg(g.tag order by g.tag) from public.ticket_tags as g where g.ticket_id = t.id), '{}')
      from public.support_tickets as t
      where t.user_id = tests.get_supabase_uid('owner') and t.subject in ('Cannot login', 'Change my email') order by t.subject$$,
    $$values ('Cannot login', 'technical', array['access']), ('Change my email', 'account', '{}'::text[])$$,
    'a rule over requester, event, assignee, priority, type and subject sets the type and adds and removes tags on the ticket it matches alone'
);
select results_eq(
    $$select kind, from_value, to_value from public.ticket_events as e
      join public.support_tickets as t on t.id = e.ticket_id
      where t.subject = 'Cannot login' and e.rule_name = 'Unassigned login trouble' order by e.id$$,
    $$values ('type', 'account', 'technical'), ('tag_added', null, 'login'), ('tag_removed', 'login', null), ('tag_added', null, 'access')$$,
    'each of its actions is one history event naming it'
);

select * from finish();
rollback;
