-- Reply collisions from each actor's side: a public reply written while a newer public message
-- arrived is refused (409 reply_collision naming that message, never its text), and nothing is
-- stored; without seen_message_id / seen_at a reply is sent as before.
begin;
select plan(14);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('stranger');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('agent2');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Sam Agent'),
    (tests.get_supabase_uid('agent2'), 'agent', 'Other Agent');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status) values
    ('23d00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice', 'open');

create function pg_temp.refusal(statement text) returns jsonb language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb else e end
    from tests.error_of(statement) as e
$$;

-- The agent reads the thread: one message of the user, an hour ago.
select tests.authenticate_as('owner');
select public.reply_to_ticket('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "Any news?"}');
reset role;
update public.ticket_messages set created_at = now() - interval '1 hour'
where ticket_id = '23d00000-0000-4000-8000-000000000001';
create temporary table seen as
    select id from public.ticket_messages where ticket_id = '23d00000-0000-4000-8000-000000000001';
grant select on seen to authenticated, service_role, anon;

-- agent: nothing newer than what they saw
select tests.authenticate_as('agent');
select lives_ok(
    format($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "Looking.", "seen_message_id": "%s"}')$$,
        (select id from seen)),
    'an agent''s reply goes out when no public message came after the one they saw'
);
select lives_ok(
    format($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "Me again.", "seen_message_id": "%s"}')$$,
        (select id from seen)),
    'the agent''s own replies since do not count as newer'
);

-- agent2 answers meanwhile; agent, still looking at the user's message, is refused
select tests.authenticate_as('agent2');
select lives_ok(
    $$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "Refunded."}')$$,
    'a reply without seen_message_id or seen_at is sent as before'
);
select tests.authenticate_as('agent');
select is(
    pg_temp.refusal(format($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "We refund.", "seen_message_id": "%s"}')$$,
        (select id from seen))) ->> 'code',
    'reply_collision',
    'a public reply written while another agent''s reply arrived is refused with reply_collision'
);
select is(
    (pg_temp.refusal(format($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "We refund.", "seen_message_id": "%s"}')$$,
        (select id from seen))) ->> 'details')::jsonb ->> 'author_kind',
    'agent',
    'the refusal names the newer message by its author kind'
);
select ok(
    (pg_temp.refusal(format($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "We refund.", "seen_message_id": "%s"}')$$,
        (select id from seen))) ->> 'details')::jsonb ? 'message_id',
    'the refusal names the newer message by its id'
);
select ok(
    pg_temp.refusal(format($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "We refund.", "seen_message_id": "%s"}')$$,
        (select id from seen)))::text not like '%Refunded%',
    'the refusal never quotes the newer message'
);
select is(
    pg_temp.refusal($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "We refund.", "seen_at": "2000-01-01T00:00:00Z"}')$$) ->> 'code',
    'reply_collision',
    'seen_at older than the thread''s newest public message is refused the same way'
);
select lives_ok(
    $$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "Note.", "internal": true, "seen_at": "2000-01-01T00:00:00Z"}')$$,
    'an internal note never collides'
);
select is(
    pg_temp.refusal($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "x", "seen_message_id": "23d00000-0000-4000-8000-0000000000ff"}')$$) ->> 'code',
    'seen_message_unknown',
    'a seen_message_id that is not a public message of the ticket is a 400'
);
reset role;
select is(
    (select count(*)::integer from public.ticket_messages
     where ticket_id = '23d00000-0000-4000-8000-000000000001' and body = 'We refund.'),
    0,
    'a refused reply stores nothing'
);

-- owner, another user, anon, service_role: support_reply is staff's
select tests.authenticate_as('owner');
select is(
    pg_temp.refusal($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "x", "seen_at": "2000-01-01T00:00:00Z"}')$$) ->> 'code',
    '42501',
    'the ticket''s owner cannot use the staff reply'
);
select tests.authenticate_as('stranger');
select is(
    pg_temp.refusal($$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "x"}')$$) ->> 'code',
    '42501',
    'another user cannot use the staff reply'
);
select tests.clear_authentication();
select throws_ok(
    $$select public.support_reply('{"ticket_id": "23d00000-0000-4000-8000-000000000001", "body": "x"}')$$,
    '42501', null, 'anon cannot call support_reply'
);

select * from finish();
rollback;
