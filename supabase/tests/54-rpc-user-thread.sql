-- The user's operations on the thread: reply_to_ticket, close_ticket, follow-ups, and what
-- get_ticket and list_my_tickets add.
begin;
select plan(35);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at, created_at)
values
    ('54000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Open', 'd', 'open', null, null, now() - interval '3 minutes'),
    ('54000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Resolved', 'd', 'resolved', 'Done', now() - interval '1 day', now() - interval '2 minutes'),
    ('54000000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'billing', 'Closed', 'd', 'closed', 'Done', now() - interval '9 days', now() - interval '1 minute'),
    ('54000000-0000-4000-8000-000000000005', tests.get_supabase_uid('other'), 'billing', 'Theirs', 'd', 'closed', 'Done', now() - interval '9 days', now());
insert into public.ticket_messages (ticket_id, body, author_id, author_kind, internal, created_at) values
    ('54000000-0000-4000-8000-000000000001', 'We are on it', tests.get_supabase_uid('agent'), 'agent', false, now() - interval '2 minutes'),
    ('54000000-0000-4000-8000-000000000001', 'INTERNAL-ONLY', tests.get_supabase_uid('agent'), 'agent', true, now() - interval '1 minute');

-- reply_to_ticket, as the owner.
select tests.authenticate_as('owner');
select is(
    array(select json_object_keys(public.reply_to_ticket('{"ticket_id": "54000000-0000-4000-8000-000000000001", "body": "Thanks"}'))),
    array['message_id', 'status', 'created_at'],
    'reply_to_ticket answers {message_id, status, created_at}'
);
select is(
    public.reply_to_ticket('{"ticket_id": "54000000-0000-4000-8000-000000000002", "body": "Not fixed"}') ->> 'status',
    'open',
    'a reply to a resolved ticket answers the reopened status'
);
select is(
    tests.error_of($$select public.reply_to_ticket('{"ticket_id": "54000000-0000-4000-8000-000000000003", "body": "Hello?"}')$$) ->> 'detail',
    '{"status" : 409, "headers" : {}}',
    'a reply to a closed ticket is a 409'
);
select is(
    tests.error_of($$select public.reply_to_ticket('{"ticket_id": "54000000-0000-4000-8000-000000000005", "body": "x"}')$$),
    tests.error_of($$select public.reply_to_ticket('{"ticket_id": "54000000-0000-4000-8000-000000000009", "body": "x"}')$$),
    'another user''s ticket and a missing one are refused alike'
);
select is(
    (tests.error_of($$select public.reply_to_ticket('{"ticket_id": "54000000-0000-4000-8000-000000000009", "body": "x"}')$$) ->> 'message')::json ->> 'message',
    'Ticket not found',
    'a missing ticket is a 404 "Ticket not found"'
);
select throws_ok(
    format('select public.reply_to_ticket(%L)', b), e, m, format('reply_to_ticket refuses %s', b)
)
from (values
    ('{"ticket_id": "54000000-0000-4000-8000-000000000001"}', '23502', 'body is required'),
    ('{"ticket_id": "54000000-0000-4000-8000-000000000001", "body": "  "}', '23514', 'body must not be blank'),
    ('{"ticket_id": "54000000-0000-4000-8000-000000000001", "body": 5}', '22023', 'body must be a string'),
    ('{"ticket_id": "54000000-0000-4000-8000-000000000001", "body": "x", "internal": true}', '22023', 'unknown field "internal"'),
    ('{"body": "x"}', 'PGRST', '{"code" : "parameter_required", "message" : "ticket_id is required", "details" : null, "hint" : null}'),
    ('{"ticket_id": "nope", "body": "x"}', 'PGRST', '{"code" : "invalid_uuid", "message" : "ticket_id must be a UUID", "details" : null, "hint" : null}'),
    ('[]', '22023', 'request body must be a JSON object')
) as t(b, e, m);
select is(
    (select count(*)::int from json_array_elements(public.get_ticket('54000000-0000-4000-8000-000000000001') -> 'messages')),
    2,
    'get_ticket shows the public thread: support''s reply and the user''s'
);
select is(
    array(select m ->> 'author_kind' from json_array_elements(public.get_ticket('54000000-0000-4000-8000-000000000001') -> 'messages') as m),
    array['agent', 'user'],
    'the thread is oldest first'
);
select is(
    array(select json_object_keys(public.get_ticket('54000000-0000-4000-8000-000000000001') -> 'messages' -> 0)),
    array['message_id', 'author_kind', 'body', 'created_at'],
    'a message shows its id, author kind, body and time'
);
select is(
    array(select e ->> 'kind' from json_array_elements(public.get_ticket('54000000-0000-4000-8000-000000000002') -> 'events') as e),
    array['created', 'public_reply', 'status'],
    'get_ticket shows the public history, oldest first'
);
select ok(
    public.get_ticket('54000000-0000-4000-8000-000000000001')::text !~ 'INTERNAL-ONLY|internal_note',
    'get_ticket shows neither the internal note nor its event'
);
select results_eq(
    $$select t ->> 'ticket_id', t ->> 'waiting_on', t ->> 'last_message_at' is not null
      from json_array_elements(public.list_my_tickets() -> 'tickets') as t$$,
    $$values ('54000000-0000-4000-8000-000000000003', null::text, false),
             ('54000000-0000-4000-8000-000000000002', 'support', true),
             ('54000000-0000-4000-8000-000000000001', 'support', true)$$,
    'list_my_tickets: waiting on support after the user''s reply, on nobody when closed; last_message_at set once there is a message'
);

-- close_ticket, as the owner.
select is(
    public.close_ticket('54000000-0000-4000-8000-000000000001')::jsonb - 'updated_at',
    '{"ticket_id": "54000000-0000-4000-8000-000000000001", "status": "closed"}'::jsonb,
    'the owner closes their open ticket'
);
select is(
    public.close_ticket('54000000-0000-4000-8000-000000000001') ->> 'status',
    'closed',
    'closing it again answers the same'
);
select is(
    (select (kind, actor_kind, from_value, to_value)::text from public.ticket_events
     where ticket_id = '54000000-0000-4000-8000-000000000001' order by id desc limit 1),
    '(status,user,open,closed)',
    'the close is the user''s event'
);
select is(
    (tests.error_of($$select public.close_ticket('54000000-0000-4000-8000-000000000005')$$) ->> 'message')::json ->> 'code',
    'P0002',
    'the owner cannot close another user''s ticket (404)'
);
select throws_ok($$select public.close_ticket('x')$$, 'PGRST', '{"code" : "invalid_uuid", "message" : "ticket_id must be a UUID", "details" : null, "hint" : null}', 'close_ticket checks the id');
select throws_ok(
    $$update public.support_tickets set status = 'closed' where id = '54000000-0000-4000-8000-000000000002'$$,
    '42501', null, 'the owner still cannot update a ticket directly'
);

-- Follow-ups.
select is(
    (public.create_support_ticket('{"ticket_type": "billing", "subject": "Again", "description": "Charged again", "follow_up_of": "54000000-0000-4000-8000-000000000003"}')
        ->> 'status'),
    'open',
    'the owner files a follow-up of their closed ticket'
);
select is(
    (select (kind, to_value = (select id::text from public.support_tickets where follow_up_of = '54000000-0000-4000-8000-000000000003'))::text
     from public.ticket_events where ticket_id = '54000000-0000-4000-8000-000000000003' order by id desc limit 1),
    '(linked,t)',
    'the closed ticket''s history links to the follow-up'
);
select throws_ok(
    format('select public.create_support_ticket(%L)', jsonb_build_object(
        'ticket_type', 'billing', 'subject', 's', 'description', 'd', 'follow_up_of', f)),
    'PGRST', '{"code" : "follow_up_not_closed", "message" : "follow_up_of must be one of your closed tickets", "details" : null, "hint" : null}', format('a follow-up of %s is refused', w)
)
from (values ('54000000-0000-4000-8000-000000000005', 'another user''s closed ticket'),
             ('54000000-0000-4000-8000-000000000002', 'a ticket that is not closed'),
             ('54000000-0000-4000-8000-000000000009', 'a missing ticket')) as t(f, w);
select throws_ok(
    $$select public.create_support_ticket('{"ticket_type": "billing", "subject": "s", "description": "d", "follow_up_of": "no"}')$$,
    'PGRST', '{"code" : "invalid_uuid", "message" : "follow_up_of must be a UUID", "details" : null, "hint" : null}', 'follow_up_of must be a UUID'
);

-- Another user, anon, service_role.
select tests.authenticate_as('other');
select is(
    (tests.error_of($$select public.reply_to_ticket('{"ticket_id": "54000000-0000-4000-8000-000000000002", "body": "x"}')$$) ->> 'message')::json ->> 'code',
    'P0002',
    'another user cannot reply on the owner''s ticket (404)'
);
select tests.clear_authentication();
select throws_ok($$select public.reply_to_ticket('{}')$$, '42501', null, 'anon cannot reply');
select throws_ok($$select public.close_ticket('54000000-0000-4000-8000-000000000002')$$, '42501', null, 'anon cannot close');
select tests.authenticate_as_service_role();
select throws_ok($$select public.reply_to_ticket('{}')$$, '42501', null, 'service_role cannot reply (it is nobody)');
select throws_ok($$select public.close_ticket('54000000-0000-4000-8000-000000000002')$$, '42501', null,
    'service_role cannot call close_ticket (it works on the table)');

select * from finish();
rollback;
