-- Macros from each actor's side: shared ones are admins', personal ones their author's alone;
-- a bad variable or change is refused at save; applying one goes through the reply and update
-- paths (history, notification, lifecycle, 409) and is all or nothing.
begin;
select plan(33);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('agent2');
select tests.create_supabase_user('admin');
update auth.users set raw_user_meta_data = raw_user_meta_data || '{"full_name": "Ada Lovelace"}'
where id = tests.get_supabase_uid('owner');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Sam Agent'),
    (tests.get_supabase_uid('agent2'), 'agent', 'Other Agent'),
    (tests.get_supabase_uid('admin'), 'admin', 'Alex Admin');
update public.notification_settings set batch_window = interval '15 seconds';
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status) values
    ('23c00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice', 'open'),
    ('23c00000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Closed one', 'Done', 'closed'),
    ('23c00000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'billing', 'Still open', 'Open', 'open');
delete from public.macros;

create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;
create function pg_temp.message(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'message' else e ->> 'message' end
    from tests.error_of(statement) as e
$$;

-- admin: shared macros
select tests.authenticate_as('admin');
select lives_ok($$
    insert into public.macros (id, name, body, changes, owner_id) values
        ('23c0000a-0000-4000-8000-000000000001', 'Refund and resolve',
         'Hi {{user.first_name}}, we refunded "{{ ticket.subject }}". {{agent.first_name}}',
         '{"status": "resolved", "resolution": "Refunded", "add_tags": ["refund"], "priority": "low"}', null),
        ('23c0000a-0000-4000-8000-000000000002', 'Take it', '',
         '{"status": "in_progress", "assignee_id": "me"}', null),
        ('23c0000a-0000-4000-8000-000000000003', 'Close it', 'Closing {{ticket.subject}}.',
         '{"status": "closed"}', null)$$,
    'an admin saves shared macros'
);

-- agent: personal macros, refusals at save
select tests.authenticate_as('agent');
select lives_ok(
    $$insert into public.macros (id, name, body) values ('23c0000a-0000-4000-8000-0000000000a1', 'My hello', 'Hello {{user.first_name}}!')$$,
    'an agent saves a personal macro (owner_id defaults to them)'
);
select is(
    pg_temp.refusal($$insert into public.macros (name, body, owner_id) values ('Shared by agent', 'Hi', null)$$),
    '42501',
    'an agent cannot save a shared macro'
);
select is(
    pg_temp.refusal($$insert into public.macros (name, body) values ('Bad var', 'Hi {{user.password_secret}}')$$),
    'macro_variable_unknown',
    'an unknown variable is refused at save'
);
select ok(
    pg_temp.message($$insert into public.macros (name, body) values ('Bad var', 'Hi {{user.password_secret}}')$$) not like '%password_secret%',
    'the refusal of an unknown variable does not quote it'
);
select is(
    pg_temp.refusal($$insert into public.macros (name, changes) values ('Bad key', '{"subject": "x"}')$$),
    'macro_change_unknown',
    'a change of a field macros cannot change is refused at save'
);
select is(
    pg_temp.message($$insert into public.macros (name, changes) values ('Bad status', '{"status": "archived"}')$$),
    'changes.status is not a value a manual change could set',
    'a status outside the lifecycle is refused at save, naming the field'
);
select is(
    pg_temp.message($$insert into public.macros (name, changes) values ('Bad status', '{"priority": "whenever"}')$$),
    'changes.priority is not a value a manual change could set',
    'a priority outside the vocabulary is refused at save'
);
select is(
    pg_temp.message(format($$insert into public.macros (name, changes) values ('Bad assignee', '{"assignee_id": "%s"}')$$,
        tests.get_supabase_uid('owner'))),
    'changes.assignee_id is not a value a manual change could set',
    'an assignee who is not staff is refused at save'
);
select is(
    pg_temp.message($$insert into public.macros (name, changes) values ('Bad tag', '{"add_tags": ["Not A Tag"]}')$$),
    'changes.add_tags is not a value a manual change could set',
    'a badly formed tag is refused at save'
);
select is(
    (select count(*)::integer from public.macros), 4,
    'an agent reads the shared macros and their own'
);
update public.macros set name = 'Renamed' where id = '23c0000a-0000-4000-8000-000000000001';
select is(
    (select name from public.macros where id = '23c0000a-0000-4000-8000-000000000001'),
    'Refund and resolve',
    'an agent cannot change a shared macro'
);

-- another agent and the admin do not see a personal macro
select tests.authenticate_as('agent2');
select is_empty(
    $$select id from public.macros where id = '23c0000a-0000-4000-8000-0000000000a1'$$,
    'another agent does not see a personal macro'
);
select is(
    pg_temp.refusal($$select public.support_render_macro('23c00000-0000-4000-8000-000000000001', '23c0000a-0000-4000-8000-0000000000a1')$$),
    'macro_not_found',
    'another agent cannot render someone else''s personal macro'
);
select is(
    pg_temp.refusal($$select public.support_apply_macro('{"ticket_id": "23c00000-0000-4000-8000-000000000001", "macro_id": "23c0000a-0000-4000-8000-0000000000a1"}')$$),
    'macro_not_found',
    'another agent cannot apply someone else''s personal macro'
);
select tests.authenticate_as('admin');
select is_empty(
    $$select id from public.macros where owner_id is not null$$,
    'an admin does not see agents'' personal macros either'
);

-- applying
select tests.authenticate_as('agent');
select is(
    public.support_render_macro('23c00000-0000-4000-8000-000000000001', '23c0000a-0000-4000-8000-000000000001')::jsonb ->> 'body',
    'Hi Ada, we refunded "Charged twice". Sam',
    'the database renders the variables for the preview'
);
select is(
    pg_temp.refusal($$select public.support_apply_macro('{"ticket_id": "23c00000-0000-4000-8000-000000000001", "macro_id": "23c0000a-0000-4000-8000-000000000001", "expected_updated_at": "2020-01-01T00:00:00Z"}')$$),
    'ticket_changed',
    'a stale expected_updated_at is a 409'
);
create temporary table applied as select public.support_apply_macro(jsonb_build_object(
    'ticket_id', '23c00000-0000-4000-8000-000000000001',
    'macro_id', '23c0000a-0000-4000-8000-000000000001',
    'expected_updated_at', public.support_ticket('23c00000-0000-4000-8000-000000000001')::jsonb ->> 'updated_at'
))::jsonb as answer;
select is(
    (select answer - 'message_id' - 'updated_at' - 'ticket_id' - 'macro_id' - 'assignee_id' from applied),
    '{"internal": false, "status": "resolved", "priority": "low", "ticket_type": "billing", "tags": ["refund"]}'::jsonb,
    'applying a macro replies and changes status, priority and tags at once'
);
select is(
    (select array_agg(e.value ->> 'kind' order by e.n)
     from jsonb_array_elements(public.support_ticket('23c00000-0000-4000-8000-000000000001')::jsonb -> 'events') with ordinality as e (value, n)
     where e.value ->> 'kind' <> 'created'),
    array['public_reply', 'status', 'priority', 'tag_added'],
    'one history event per change, as by hand'
);
select is(
    (select m ->> 'body' from jsonb_array_elements(public.support_ticket('23c00000-0000-4000-8000-000000000001')::jsonb -> 'messages') as m),
    'Hi Ada, we refunded "Charged twice". Sam',
    'the reply is the rendered body, authored by the agent'
);
select is(
    (select usage_count from public.macros where id = '23c0000a-0000-4000-8000-000000000001'), 1,
    'applying counts the use'
);
reset role;
select is(
    (select count(*)::integer from private.audit_log
     where table_name = 'public.macros' and row_key ->> 'id' = '23c0000a-0000-4000-8000-000000000001' and action = 'update'),
    0,
    'a use counted is not a change of configuration: the audit log does not record it'
);
select is(
    (select count(*)::integer from pgmq.q_notifications as q
     where q.message ->> 'ticket_id' = '23c00000-0000-4000-8000-000000000001' and q.message ->> 'kind' = 'reply'),
    1,
    'the reply notifies the owner as a manual reply would'
);

-- the lifecycle refuses what it refuses by hand, and nothing is half-applied
select tests.authenticate_as('agent');
select is(
    pg_temp.message($$select public.support_apply_macro('{"ticket_id": "23c00000-0000-4000-8000-000000000003", "macro_id": "23c0000a-0000-4000-8000-000000000003"}')$$),
    pg_temp.message($$select public.support_update_ticket('{"ticket_id": "23c00000-0000-4000-8000-000000000003", "status": "closed"}')$$),
    'a move the lifecycle refuses by hand is refused the same way through a macro'
);
select is(
    (select count(*)::integer from jsonb_array_elements(public.support_ticket('23c00000-0000-4000-8000-000000000003')::jsonb -> 'events') as e
     where e ->> 'kind' <> 'created'),
    0,
    'the reply of a macro whose change is refused is not sent either'
);
select is(
    pg_temp.refusal($$select public.support_apply_macro('{"ticket_id": "23c00000-0000-4000-8000-000000000002", "macro_id": "23c0000a-0000-4000-8000-000000000001"}')$$),
    'ticket_closed_for_support',
    'a macro cannot reply publicly on a closed ticket'
);
select is(
    (select count(*)::integer from jsonb_array_elements(public.support_ticket('23c00000-0000-4000-8000-000000000002')::jsonb -> 'events') as e
     where e ->> 'kind' <> 'created' and e ->> 'kind' <> 'status'),
    0,
    'a refused macro leaves nothing applied'
);
select is(
    (select usage_count from public.macros where id = '23c0000a-0000-4000-8000-000000000001'), 1,
    'a refused application is not counted'
);

-- owner, anon and service_role
select tests.authenticate_as('owner');
select is_empty($$select id from public.macros$$, 'a user reads no macro');
select is(
    pg_temp.refusal($$select public.support_apply_macro('{"ticket_id": "23c00000-0000-4000-8000-000000000001", "macro_id": "23c0000a-0000-4000-8000-000000000001"}')$$),
    '42501',
    'a user cannot apply a macro'
);
select tests.clear_authentication();
select throws_ok($$select * from public.macros$$, '42501', null, 'anon reads no macro');
select tests.authenticate_as_service_role();
select throws_ok(
    $$select public.support_apply_macro('{"ticket_id": "23c00000-0000-4000-8000-000000000001", "macro_id": "23c0000a-0000-4000-8000-000000000001"}')$$,
    '42501', null, 'service_role cannot apply a macro (it acts for nobody)'
);

select * from finish();
rollback;
