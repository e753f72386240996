-- Saved views from each actor's side: shared ones are admins', personal ones their author's
-- alone (no other agent, no admin, no user sees them); a bad condition is refused at save with
-- a 400 naming the condition and its field; support_queue(view => id) returns exactly the
-- matching tickets with its keyset paging and total, and support_view_counts counts them.
begin;
select plan(43);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('agent2');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Sam Agent'),
    (tests.get_supabase_uid('agent2'), 'agent', 'Other Agent'),
    (tests.get_supabase_uid('admin'), 'admin', 'Alex Admin');
update auth.users set email = 'vwq-other@example.com' where id = tests.get_supabase_uid('other');
insert into public.custom_fields (key, label, field_type, options) values
    ('vwq_plan', 'Plan', 'one_of', '["free", "pro"]'),
    ('vwq_devices', 'Devices', 'many_of', '["ios", "android"]');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, priority, assignee_id, created_at) values
    ('23300000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'vwq charged twice', 'Twice', 'open', 'high',
        tests.get_supabase_uid('agent'), now() - interval '2 days'),
    ('23300000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'vwq invoice', 'Copy please', 'open', 'low',
        null, now() - interval '1 hour'),
    ('23300000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'bug', 'vwq crash', 'It crashes', 'open', 'high',
        null, now() - interval '3 days'),
    ('23300000-0000-4000-8000-000000000004', tests.get_supabase_uid('owner'), 'billing', 'vwq refund done', 'Done', 'closed', 'high',
        null, now() - interval '4 days'),
    ('23300000-0000-4000-8000-000000000005', tests.get_supabase_uid('other'), 'billing', 'vwq card declined', 'Declined', 'open', 'high',
        null, now() - interval '5 days');
insert into public.ticket_tags (ticket_id, tag) values
    ('23300000-0000-4000-8000-000000000001', 'vwq-vip'),
    ('23300000-0000-4000-8000-000000000004', 'vwq-vip'),
    ('23300000-0000-4000-8000-000000000005', 'vwq-vip');
insert into public.ticket_field_values (ticket_id, field_key, value) values
    ('23300000-0000-4000-8000-000000000001', 'vwq_plan', '"pro"'),
    ('23300000-0000-4000-8000-000000000002', 'vwq_plan', '"free"'),
    ('23300000-0000-4000-8000-000000000005', 'vwq_plan', '"pro"'),
    ('23300000-0000-4000-8000-000000000003', 'vwq_devices', '["ios", "android"]');

create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;
create function pg_temp.message(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'message' else e ->> 'message' end
    from tests.error_of(statement) as e
$$;
create function pg_temp.ids(answer json) returns text[] language sql as $$
    select array_agg(right(t ->> 'ticket_id', 1) order by n) from json_array_elements(answer -> 'tickets') with ordinality as x(t, n)
$$;
create function pg_temp.view_insert(name text, conditions text) returns text language sql as $$
    select format('insert into public.saved_views (name, conditions) values (%L, %L)', name, conditions)
$$;

-- admin: shared views
select tests.authenticate_as('admin');
select lives_ok($$
    insert into public.saved_views (id, name, owner_id, conditions, columns, sort) values
        ('233f0000-0000-4000-8000-000000000001', 'vwq open billing vip', null,
         '{"match": "all", "conditions": [{"field": "text", "op": "matches", "value": "vwq"},
           {"field": "ticket_type", "op": "is", "value": "billing"},
           {"field": "status", "op": "in", "value": ["open", "in_progress"]},
           {"field": "tags", "op": "has", "value": "vwq-vip"}]}',
         '{subject,requester,status}', 'created')$$,
    'an admin saves a shared view with conditions, columns and sort'
);

-- agent: personal views, refusals at save
select tests.authenticate_as('agent');
select lives_ok($$
    insert into public.saved_views (id, name, conditions) values
        ('233f0000-0000-4000-8000-0000000000a1', 'vwq mine or pro',
         '{"match": "any", "conditions": [{"field": "assignee", "op": "is", "value": "me"},
           {"field": "field.vwq_plan", "op": "is", "value": "pro"}]}')$$,
    'an agent saves a personal view (owner_id defaults to them)'
);
select is(
    pg_temp.refusal($$insert into public.saved_views (name, owner_id) values ('vwq shared by agent', null)$$),
    '42501',
    'an agent cannot save a shared view'
);
select is(
    pg_temp.message(pg_temp.view_insert('bad', '{"conditions": [{"field": "status", "op": "is", "value": "open"}, {"field": "password", "op": "is", "value": "x"}]}')),
    'Condition 2 names a field views cannot filter on',
    'an unknown field is refused at save, naming the condition'
);
select is(
    pg_temp.message(pg_temp.view_insert('bad', '{"conditions": [{"field": "status", "op": "contains", "value": "open"}]}')),
    'Condition 1 (status) uses an operator its field does not take',
    'an operator the field does not take is refused at save, naming the field'
);
select is(
    pg_temp.message(pg_temp.view_insert('bad', '{"conditions": [{"field": "priority", "op": "is", "value": "whenever"}]}')),
    'Condition 1 (priority) needs a code of public.ticket_priorities (a list of them for in)',
    'a value outside the vocabulary is refused at save, naming the field and what it needs'
);
select is(
    pg_temp.refusal(pg_temp.view_insert('bad', '{"conditions": [{"field": "age", "op": "older_than", "value": 24}]}')),
    'view_bad_value',
    'a value of the wrong type (a number for a duration) is refused at save'
);
select is(
    pg_temp.refusal(pg_temp.view_insert('bad', '{"conditions": [{"field": "status", "op": "in", "value": "open"}]}')),
    'view_bad_value',
    'in takes a list'
);
select is(
    pg_temp.message(pg_temp.view_insert('bad', '{"conditions": [{"field": "field.vwq_plan", "op": "is", "value": "enterprise"}]}')),
    'Condition 1 (field.vwq_plan) needs a value of the custom field (is, is_not, in; has and has_not for an option of a many-of field)',
    'a custom field value outside its options is refused at save, naming the field'
);
select is(
    pg_temp.refusal(pg_temp.view_insert('bad', '{"conditions": [{"field": "field.nope", "op": "is", "value": "x"}]}')),
    'view_unknown_field',
    'an unknown custom field is refused at save'
);
select is(
    pg_temp.refusal(pg_temp.view_insert('bad', '{"match": "some", "conditions": []}')),
    'view_malformed',
    'a match other than all or any is refused at save'
);
select is(
    pg_temp.refusal($$insert into public.saved_views (name, columns) values ('bad', '{subject,password_hash}')$$),
    'view_unknown_column',
    'a column outside public.view_columns is refused at save'
);
select ok(
    pg_temp.message(pg_temp.view_insert('bad', '{"conditions": [{"field": "secretfield", "op": "is", "value": "hunter2"}]}'))
        !~ '(secretfield|hunter2)',
    'a refusal never quotes the submitted field or value'
);
select is(
    (select array_agg(name order by name) from public.saved_views where name like 'vwq%'),
    array['vwq mine or pro', 'vwq open billing vip'],
    'an agent sees the shared views and their own'
);
select is(
    pg_temp.ids(public.support_queue(view => '233f0000-0000-4000-8000-000000000001')),
    array['1', '5'],
    'running the shared view returns exactly the matching tickets, in its sort (newest first)'
);
select is(
    (public.support_queue(view => '233f0000-0000-4000-8000-000000000001') -> 'view' -> 'columns')::jsonb,
    '["subject", "requester", "status"]'::jsonb,
    'the answer names the view''s columns'
);
select is(
    (public.support_queue(view => '233f0000-0000-4000-8000-000000000001', page_size => '1') ->> 'total')::int,
    2,
    'the total counts the view''s tickets'
);
select is(
    pg_temp.ids(public.support_queue(view => '233f0000-0000-4000-8000-000000000001', page_size => '1',
        cursor => public.support_queue(view => '233f0000-0000-4000-8000-000000000001', page_size => '1') ->> 'next_cursor')),
    array['5'],
    'the next page of a view continues where the first stopped'
);
select is(
    pg_temp.ids(public.support_queue(view => '233f0000-0000-4000-8000-000000000001', sort => 'priority', status => 'open', q => 'declined')),
    array['5'],
    'the queue''s own filters narrow a view further'
);
select is(
    pg_temp.ids(public.support_queue(view => '233f0000-0000-4000-8000-0000000000a1', q => 'vwq')),
    array['1', '5'],
    'an any-match view returns the tickets of either condition (assigned to me, or the pro plan)'
);

-- More conditions, each against the tickets it should find.
insert into public.saved_views (id, name, conditions, sort) values
    ('233f0000-0000-4000-8000-0000000000a2', 'vwq older than a day, not closed, unassigned',
     '{"conditions": [{"field": "text", "op": "matches", "value": "vwq"},
       {"field": "age", "op": "older_than", "value": "1 day"},
       {"field": "status", "op": "is_not", "value": "closed"},
       {"field": "assignee", "op": "is", "value": "unassigned"}]}', 'priority'),
    ('233f0000-0000-4000-8000-0000000000a3', 'vwq ios, from other, no vip',
     '{"match": "any", "conditions": [{"field": "field.vwq_devices", "op": "has", "value": "ios"},
       {"field": "requester", "op": "contains", "value": "vwq-other@"}]}', 'created'),
    ('233f0000-0000-4000-8000-0000000000a4', 'vwq without vip, not breached',
     '{"conditions": [{"field": "text", "op": "matches", "value": "vwq"},
       {"field": "tags", "op": "has_not", "value": "vwq-vip"},
       {"field": "breached", "op": "is", "value": false},
       {"field": "priority", "op": "in", "value": ["high", "low"]}]}', 'created');
select is(
    pg_temp.ids(public.support_queue(view => '233f0000-0000-4000-8000-0000000000a2')),
    array['5', '3'],
    'age, status is_not and unassigned conditions find exactly their tickets'
);
select is(
    pg_temp.ids(public.support_queue(view => '233f0000-0000-4000-8000-0000000000a3')),
    array['3', '5'],
    'a many-of custom field option and a requester''s email part find exactly their tickets'
);
select is(
    pg_temp.ids(public.support_queue(view => '233f0000-0000-4000-8000-0000000000a4')),
    array['2'],
    'has_not on a tag, breached false and priority in find exactly their tickets (the three-day-old high one missed its target)'
);
select is(
    (select (c ->> 'count')::int from json_array_elements(public.support_view_counts()) as c
     where c ->> 'id' = '233f0000-0000-4000-8000-0000000000a2'),
    2,
    'support_view_counts gives a view the count support_queue gives it'
);
select is(
    (select count(*)::int from json_array_elements(public.support_view_counts()) as c where c ->> 'name' like 'vwq%'),
    5,
    'support_view_counts lists the shared views and the agent''s own'
);
select lives_ok(
    $$update public.saved_views set columns = '{subject,status}' where id = '233f0000-0000-4000-8000-0000000000a4'$$,
    'an agent changes their own view'
);

-- another agent: someone else's personal view does not exist for them
select tests.authenticate_as('agent2');
select is_empty(
    $$select 1 from public.saved_views where owner_id = tests.get_supabase_uid('agent')$$,
    'another agent does not see someone''s personal views'
);
select is(
    pg_temp.refusal($$select public.support_queue(view => '233f0000-0000-4000-8000-0000000000a1')$$),
    'view_not_found',
    'another agent cannot run someone''s personal view (404, as for a view that does not exist)'
);
select is(
    pg_temp.refusal($$select public.support_export_tickets(view => '233f0000-0000-4000-8000-0000000000a1')$$),
    'view_not_found',
    'nor export it'
);
select is_empty(
    $$delete from public.saved_views where id = '233f0000-0000-4000-8000-0000000000a1' returning id$$,
    'another agent cannot delete someone''s personal view'
);
select is(
    (select count(*)::int from json_array_elements(public.support_view_counts()) as c where c ->> 'name' like 'vwq%'),
    1,
    'support_view_counts lists only the shared views for another agent'
);
select is(
    pg_temp.refusal($$update public.saved_views set name = 'mine now' where id = '233f0000-0000-4000-8000-000000000001' returning id$$),
    null,
    'an agent''s update of a shared view changes nothing (row level security hides it from updates)'
);

-- admin: personal views are their authors' alone, admins included
select tests.authenticate_as('admin');
select is_empty(
    $$select 1 from public.saved_views where owner_id = tests.get_supabase_uid('agent')$$,
    'an admin does not see an agent''s personal views'
);
select is(
    (select name from public.saved_views where id = '233f0000-0000-4000-8000-000000000001'),
    'vwq open billing vip',
    'the shared view is unchanged by the other agent''s update'
);

-- a user, the owner of tickets: no views, no queue
select tests.authenticate_as('owner');
select is_empty($$select 1 from public.saved_views$$, 'a user sees no views');
select is(
    tests.error_of($$select public.support_queue(view => '233f0000-0000-4000-8000-000000000001')$$) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    'a user cannot run a view (403)'
);
select is(
    pg_temp.refusal($$insert into public.saved_views (name) values ('vwq user view')$$),
    '42501',
    'a user cannot save a view'
);

-- another user, the requester of one of the tickets
select tests.authenticate_as('other');
select is_empty($$select 1 from public.saved_views$$, 'another user sees no views either');
select is(
    tests.error_of($$select public.support_view_counts()$$) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    'another user cannot count views (403)'
);

-- anon
select tests.clear_authentication();
select throws_ok($$select 1 from public.saved_views$$, '42501', null, 'anon cannot read views');
select throws_ok($$select public.support_view_counts()$$, '42501', null, 'anon cannot count views');

-- service_role: the table, still checked; the operations are for people
select tests.authenticate_as_service_role();
select is(
    (select count(*)::int from public.saved_views where name like 'vwq%'),
    5,
    'service_role reads every view'
);
select is(
    pg_temp.refusal(pg_temp.view_insert('bad', '{"conditions": [{"field": "status", "op": "is", "value": "archived"}]}')),
    'view_bad_value',
    'service_role''s views are checked too'
);

select * from finish();
rollback;
