-- support_queue rows carry requester_email, last_message_at and waiting_on for staff; the
-- helper that reads them refuses everyone else.
begin;
select plan(13);

select tests.create_supabase_user('owner', 'owner81@test.example');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Queue');

insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, created_at, updated_at)
values
    ('81000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing',
     'Rowfields alpha', 'Rowfields waiting for support', 'open', null, '2031-01-01 00:00+00', '2031-01-01 00:00+00'),
    ('81000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing',
     'Rowfields beta', 'Rowfields answered by support', 'in_progress', null, '2031-01-01 00:01+00', '2031-01-01 00:01+00'),
    ('81000000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'billing',
     'Rowfields gamma', 'Rowfields resolved', 'resolved', 'Done', '2031-01-01 00:02+00', '2031-01-01 00:02+00');
-- Written as postgres, with the author given: a public reply on beta, and on alpha an internal
-- note after the user's message (a note is not an answer to the user).
insert into public.ticket_messages (ticket_id, author_id, author_kind, internal, body, created_at) values
    ('81000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'user', false, 'Any news?', '2031-01-02 00:00+00'),
    ('81000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', true, 'Checking', '2031-01-02 00:05+00'),
    ('81000000-0000-4000-8000-000000000002', tests.get_supabase_uid('agent'), 'agent', false, 'Try again', '2031-01-02 00:10+00');

create temporary table rows81 as select null::json as t limit 0;
grant select, insert on rows81 to authenticated;

select tests.authenticate_as('agent');
insert into rows81
select t from json_array_elements(public.support_queue(q => 'rowfields', page_size => '100') -> 'tickets') as t;

select is(
    (select t ->> 'requester_email' from rows81 where t ->> 'ticket_id' = '81000000-0000-4000-8000-000000000001'),
    'owner81@test.example',
    'staff see the requester''s email on each queue row'
);
select is(
    (select t ->> 'waiting_on' from rows81 where t ->> 'ticket_id' = '81000000-0000-4000-8000-000000000001'),
    'support',
    'a ticket whose last public message is the user''s waits on support, whatever internal notes follow'
);
select is(
    (select t ->> 'last_message_at' from rows81 where t ->> 'ticket_id' = '81000000-0000-4000-8000-000000000001'),
    '2031-01-02T00:00:00Z',
    'last_message_at is the newest public message, not an internal note'
);
select is(
    (select t ->> 'waiting_on' from rows81 where t ->> 'ticket_id' = '81000000-0000-4000-8000-000000000002'),
    'user',
    'a ticket support answered last waits on the user'
);
select is(
    (select t ->> 'waiting_on' from rows81 where t ->> 'ticket_id' = '81000000-0000-4000-8000-000000000003'),
    'user',
    'a resolved ticket waits on the user'
);
select is(
    (select t -> 'last_message_at' from rows81 where t ->> 'ticket_id' = '81000000-0000-4000-8000-000000000003')::text,
    'null',
    'a ticket without messages has last_message_at null'
);
select is(
    array(select json_object_keys((select t from rows81 limit 1)))
        @> array['ticket_id', 'subject', 'status', 'user_id', 'created_at', 'updated_at'],
    true,
    'the queue''s own fields are still there'
);
select is(
    array(select json_object_keys(public.support_queue(q => 'rowfields'))),
    array['tickets', 'next_cursor', 'total', 'total_capped'],
    'the answer keeps its shape {tickets, next_cursor, total, total_capped}'
);

-- Everyone else: the ticket's owner, another user, anon; the helper itself over a direct call.
select tests.authenticate_as('owner');
select throws_ok(
    $$select public.support_queue(q => 'rowfields')$$,
    'PGRST',
    null,
    'the ticket''s owner cannot read the queue'
);
select throws_ok(
    $$select private.support_queue_row_fields('81000000-0000-4000-8000-000000000001'::uuid)$$,
    '42501',
    null,
    'a user cannot read requester emails through the helper'
);
select tests.authenticate_as('other');
select throws_ok(
    $$select private.support_queue_row_fields('81000000-0000-4000-8000-000000000001'::uuid)$$,
    '42501',
    null,
    'another user cannot read requester emails through the helper'
);
select tests.clear_authentication();
set local role anon;
select throws_ok(
    $$select public.support_queue()$$,
    '42501',
    null,
    'anon cannot call the queue at all'
);
reset role;
select tests.authenticate_as_service_role();
select throws_ok(
    $$select public.support_queue()$$,
    '42501',
    null,
    'service_role holds no execute on the queue (support''s tools read the tables)'
);
select tests.clear_authentication();

select * from finish();
rollback;
