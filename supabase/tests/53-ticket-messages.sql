-- The thread: who reads and writes which messages, the rules of a message, the reply limit,
-- closed tickets, and the reopen by a user's reply.
begin;
select plan(40);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');

insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values
    ('53000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Open', 'd', 'open', null, null),
    ('53000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Resolved', 'd', 'resolved', 'Done', now() - interval '2 days'),
    ('53000000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'billing', 'Closed', 'd', 'closed', 'Done', now() - interval '9 days'),
    ('53000000-0000-4000-8000-000000000004', tests.get_supabase_uid('owner'), 'billing', 'Long resolved', 'd', 'resolved', 'Done', now() - interval '15 days'),
    ('53000000-0000-4000-8000-000000000005', tests.get_supabase_uid('other'), 'billing', 'Theirs', 'd', 'open', null, null);

-- Staff write public replies and internal notes through support_reply; the author comes from
-- the JWT. They hold no policy on the table itself.
select tests.authenticate_as('agent');
select lives_ok(
    $$select public.support_reply('{"ticket_id": "53000000-0000-4000-8000-000000000001", "body": "We are on it"}')$$,
    'an agent replies publicly on any ticket'
);
select lives_ok(
    $$select public.support_reply('{"ticket_id": "53000000-0000-4000-8000-000000000001", "body": "SECRET-NOTE", "internal": true}')$$,
    'an agent adds an internal note'
);
select lives_ok(
    $$select public.support_reply('{"ticket_id": "53000000-0000-4000-8000-000000000003", "body": "Post-mortem", "internal": true}')$$,
    'an agent may still note on a closed ticket'
);
select is_empty('select id from public.ticket_messages', 'staff read no message directly (support_ticket shows them)');
select throws_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000005', 'direct')$$,
    '42501', null, 'staff do not insert into the table directly'
);
reset role;
select results_eq(
    $$select author_kind, author_id, internal from public.ticket_messages where ticket_id = '53000000-0000-4000-8000-000000000001' order by internal$$,
    $$values ('agent', tests.get_supabase_uid('agent'), false), ('agent', tests.get_supabase_uid('agent'), true)$$,
    'each is the agent''s'
);

-- The owner.
select tests.authenticate_as('owner');
select results_eq(
    $$select body from public.ticket_messages where ticket_id = '53000000-0000-4000-8000-000000000001'$$,
    array['We are on it'],
    'the owner reads the public reply, not the internal note'
);
select is_empty(
    $$select 1 from public.support_tickets t join public.ticket_messages m on m.ticket_id = t.id where m.internal$$,
    'no join from the owner''s tickets reaches an internal note (what embedding does)'
);
select is(
    (select count(*)::int from json_array_elements(public.get_ticket('53000000-0000-4000-8000-000000000001') -> 'messages') as m
     where m::text like '%SECRET-NOTE%'),
    0,
    'get_ticket does not show the internal note'
);
select ok(
    public.get_ticket('53000000-0000-4000-8000-000000000001')::text not like '%SECRET-NOTE%'
        and public.list_my_tickets()::text not like '%SECRET-NOTE%',
    'nothing the owner''s RPCs answer contains the internal note'
);
select lives_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000001', 'Thanks!')$$,
    'the owner replies on their ticket'
);
select throws_ok(
    $$select author_id from public.ticket_messages where ticket_id = '53000000-0000-4000-8000-000000000001'$$,
    '42501', null,
    'the owner cannot read who wrote a message (author_id: the agent behind a reply), as get_ticket does not show it'
);
select throws_ok(
    $$select * from public.ticket_messages$$,
    '42501', null,
    'the owner''s select of every column is refused as a whole, never answered with author_id'
);
select results_eq(
    $$select author_kind from public.ticket_messages where ticket_id = '53000000-0000-4000-8000-000000000001' order by author_kind$$,
    array['agent', 'user'],
    'the owner reads the columns get_ticket shows: who wrote each message by kind'
);
reset role;
select is(
    (select (author_kind, author_id = tests.get_supabase_uid('owner'))::text from public.ticket_messages where body = 'Thanks!'),
    '(user,t)',
    'the owner''s reply is theirs'
);
select tests.authenticate_as('owner');
select throws_ok(
    $$insert into public.ticket_messages (ticket_id, body, internal) values ('53000000-0000-4000-8000-000000000001', 'psst', true)$$,
    '42501', null, 'the owner cannot write an internal note'
);
select throws_ok(
    $$insert into public.ticket_messages (ticket_id, body, author_kind) values ('53000000-0000-4000-8000-000000000001', 'x', 'agent')$$,
    '42501', null, 'the owner cannot set the author'
);
select throws_ok(
    $$update public.ticket_messages set body = 'edited'$$, '42501', null, 'the owner cannot edit a message'
);
select throws_ok(
    $$delete from public.ticket_messages$$, '42501', null, 'the owner cannot delete a message'
);
select throws_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000005', 'hi')$$,
    '42501', null, 'the owner cannot write on another user''s ticket'
);

-- Rules of a message.
select is(
    tests.error_of($$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000001', E' \n\t')$$) ->> 'constraint',
    'ticket_messages_body_not_blank', 'a blank body is refused'
);
select is(
    tests.error_of(format($$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000001', %L)$$, repeat('x', 10001))) ->> 'constraint',
    'ticket_messages_body_max_length', 'a body over 10,000 characters is refused'
);
select lives_ok(
    format($$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000001', %L)$$, repeat('x', 10000)),
    'a body of exactly 10,000 characters is accepted'
);

-- Closed is final; a resolved ticket reopens on the user's reply within 14 days.
select is(
    tests.error_of($$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000003', 'Again?')$$),
    jsonb_build_object('code', 'PGRST',
        'message', '{"code" : "ticket_closed", "message" : "This ticket is closed. Please open a follow-up ticket.", "details" : null, "hint" : "Create a ticket with follow_up_of set to this ticket''s id."}',
        'detail', '{"status" : 409, "headers" : {}}', 'constraint', null),
    'a reply to a closed ticket is a 409 telling the user to open a follow-up'
);
select is(
    (tests.error_of($$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000004', 'Again?')$$)
        ->> 'detail')::json ->> 'status',
    '409',
    'a reply to a ticket resolved more than 14 days ago is a 409 too'
);
select lives_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000002', 'Still broken')$$,
    'the owner replies to a ticket resolved 2 days ago'
);
select is(
    (select (status, resolved_at)::text from public.support_tickets where id = '53000000-0000-4000-8000-000000000002'),
    '(open,)',
    'the reply reopened it'
);
select results_eq(
    $$select kind, actor_kind, from_value, to_value from public.ticket_events
      where ticket_id = '53000000-0000-4000-8000-000000000002' and kind <> 'created' order by id$$,
    $$values ('public_reply', 'user', null::text, null::text), ('status', 'user', 'resolved', 'open')$$,
    'the history shows the reply and the reopen, both the user''s'
);

-- Another user.
select tests.authenticate_as('other');
select is_empty(
    $$select 1 from public.ticket_messages where ticket_id = '53000000-0000-4000-8000-000000000001'$$,
    'another user reads no message of the owner''s ticket'
);
select throws_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000001', 'hijack')$$,
    '42501', null, 'another user cannot write on the owner''s ticket'
);

-- anon and service_role.
select tests.clear_authentication();
select throws_ok('select * from public.ticket_messages', '42501', null, 'anon cannot read messages');
select throws_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000001', 'x')$$,
    '42501', null, 'anon cannot write messages'
);
select tests.authenticate_as_service_role();
select ok((select count(*) from public.ticket_messages) >= 5, 'service_role reads every message');
select throws_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000001', 'x')$$,
    '42501', null, 'service_role does not write messages (it is nobody)'
);
select throws_ok($$delete from public.ticket_messages$$, '42501', null, 'service_role cannot delete messages');

-- The reply limit: 30 an hour for users, none for staff.
reset role;
insert into public.ticket_messages (ticket_id, body, author_id, author_kind, created_at)
select '53000000-0000-4000-8000-000000000005', 'earlier ' || n, tests.get_supabase_uid('other'), 'user', now() - make_interval(mins => n)
from generate_series(1, 29) as n;
insert into public.ticket_messages (ticket_id, body, author_id, author_kind, created_at)
select '53000000-0000-4000-8000-000000000005', 'older', tests.get_supabase_uid('other'), 'user', now() - interval '61 minutes';
select tests.authenticate_as('other');
select lives_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000005', 'thirtieth')$$,
    'a user''s 30th reply within the hour goes through'
);
select is(
    (tests.error_of($$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000005', 'thirty-first')$$)
        ->> 'message')::json ->> 'code',
    'P0429',
    'the 31st reply within the hour is refused (429)'
);
select is(
    (tests.error_of($$insert into public.ticket_messages (ticket_id, body) values ('53000000-0000-4000-8000-000000000005', 'thirty-first')$$)
        ->> 'message')::json ->> 'message',
    'You have sent too many replies in the last hour.',
    'the refusal says so in the words of support_messages'
);
select is(
    (select count(*)::int from public.ticket_messages where body = 'thirty-first'),
    0,
    'nothing of a refused reply is stored'
);
reset role;
insert into public.ticket_messages (ticket_id, body, author_id, author_kind)
select '53000000-0000-4000-8000-000000000005', 'agent ' || n, tests.get_supabase_uid('agent'), 'agent'
from generate_series(1, 40) as n;
select tests.authenticate_as('agent');
select lives_ok(
    $$select public.support_reply('{"ticket_id": "53000000-0000-4000-8000-000000000005", "body": "forty-first"}')$$,
    'staff replies are not limited'
);

select * from finish();
rollback;
