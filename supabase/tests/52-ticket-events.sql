-- Ticket history: written by triggers, append-only for everyone, public part for the owner.
begin;
select plan(28);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- The owner files; an agent works the ticket through the staff operation.
-- (Filed as postgres with the owner's claims, to give the ticket a known id.)
select set_config('request.jwt.claims', json_build_object('sub', tests.get_supabase_uid('owner'))::text, true);
select lives_ok(
    $$insert into public.support_tickets (id, user_id, ticket_type, subject, description)
      values ('52000000-0000-4000-8000-000000000001', auth.uid(), 'billing', 'Charged twice', 'Twice')$$,
    'the owner files a ticket'
);
select set_config('request.jwt.claims', '', true);
select tests.authenticate_as('agent');
select lives_ok(
    format($$select public.support_update_ticket(%L)$$, jsonb_build_object(
        'ticket_id', '52000000-0000-4000-8000-000000000001', 'status', 'in_progress', 'priority', 'high',
        'ticket_type', 'account', 'assignee_id', tests.get_supabase_uid('agent'))),
    'an agent starts work, raises the priority, changes the type and takes the ticket'
);
select lives_ok(
    $$select public.support_reply('{"ticket_id": "52000000-0000-4000-8000-000000000001", "body": "Looking into it"}')$$,
    'an agent replies publicly'
);
select lives_ok(
    $$select public.support_reply('{"ticket_id": "52000000-0000-4000-8000-000000000001", "body": "Card issuer?", "internal": true}')$$,
    'an agent adds an internal note'
);

select is_empty('select id from public.ticket_events', 'staff read no event directly (support_ticket shows them)');
reset role;
select results_eq(
    $$select kind, actor_kind, from_value, to_value, internal from public.ticket_events
      where ticket_id = '52000000-0000-4000-8000-000000000001' order by id$$,
    $$values ('created', 'user', null, 'open', false),
             ('status', 'agent', 'open', 'in_progress', false),
             ('priority', 'agent', 'medium', 'high', false),
             ('type', 'agent', 'billing', 'account', false),
             ('assignee', 'agent', null, tests.get_supabase_uid('agent')::text, true),
             ('public_reply', 'agent', null, null, false),
             ('internal_note', 'agent', null, null, true)$$,
    'every change is an event, with actor kind, from and to, in order'
);
select is(
    (select count(*)::int from public.ticket_events
     where ticket_id = '52000000-0000-4000-8000-000000000001' and actor_id = tests.get_supabase_uid('agent')),
    6,
    'each of the agent''s events names the agent'
);
select is(
    (select count(*)::int from public.ticket_events e join public.ticket_messages m on m.id = e.message_id
     where e.ticket_id = '52000000-0000-4000-8000-000000000001'),
    2,
    'the reply and the note events point at their messages'
);

-- The owner sees the public history only; another user sees nothing.
select tests.authenticate_as('owner');
select results_eq(
    $$select kind from public.ticket_events where ticket_id = '52000000-0000-4000-8000-000000000001' order by id$$,
    array['created', 'status', 'priority', 'type', 'public_reply'],
    'the owner reads the public events of their ticket: no assignee change, no internal note'
);
select tests.authenticate_as('other');
select is_empty('select id from public.ticket_events', 'another user reads no event');
select tests.clear_authentication();
select throws_ok('select * from public.ticket_events', '42501', null, 'anon cannot read events');

-- Nobody writes, changes or deletes an event directly.
select tests.authenticate_as(a)
from unnest(array['owner']) as a;
select throws_ok(
    $$insert into public.ticket_events (ticket_id, kind, actor_kind) values ('52000000-0000-4000-8000-000000000001', 'rating', 'user')$$,
    '42501', null, 'the owner cannot write an event'
);
select throws_ok($$update public.ticket_events set kind = 'rating'$$, '42501', null, 'the owner cannot change an event');
select throws_ok($$delete from public.ticket_events$$, '42501', null, 'the owner cannot delete an event');
select tests.authenticate_as('admin');
select throws_ok(
    $$insert into public.ticket_events (ticket_id, kind, actor_kind) values ('52000000-0000-4000-8000-000000000001', 'rating', 'agent')$$,
    '42501', null, 'an admin cannot write an event'
);
select throws_ok($$update public.ticket_events set kind = 'rating'$$, '42501', null, 'an admin cannot change an event');
select throws_ok($$delete from public.ticket_events$$, '42501', null, 'an admin cannot delete an event');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.ticket_events where ticket_id = '52000000-0000-4000-8000-000000000001'), 7,
    'service_role reads every event');
select throws_ok(
    $$insert into public.ticket_events (ticket_id, kind, actor_kind) values ('52000000-0000-4000-8000-000000000001', 'rating', 'agent')$$,
    '42501', null, 'service_role cannot write an event'
);
select throws_ok($$update public.ticket_events set kind = 'rating'$$, '42501', null, 'service_role cannot change an event');
select throws_ok($$delete from public.ticket_events$$, '42501', null, 'service_role cannot delete an event');
reset role;
select throws_ok($$update public.ticket_events set kind = 'rating'$$, '42501', 'ticket events are append-only',
    'postgres cannot change an event either (the trigger refuses)');
select throws_ok($$delete from public.ticket_events$$, '42501', 'ticket events are append-only',
    'postgres cannot delete an event either');
select throws_ok($$truncate public.ticket_events$$, '42501', 'ticket events are append-only',
    'postgres cannot truncate the history');

-- Changes by support's tools and the system are recorded as theirs.
update public.support_tickets set status = 'resolved', resolution = 'Refunded'
where id = '52000000-0000-4000-8000-000000000001';
select is(
    (select (actor_kind, actor_id)::text from public.ticket_events
     where ticket_id = '52000000-0000-4000-8000-000000000001' order by id desc limit 1),
    '(agent,)',
    'a change in Studio (postgres) is an agent''s event without an actor id'
);
select ok(private.close_resolved_tickets(now() + interval '8 days') >= 1, 'the scheduler closes the ticket');
select is(
    (select (kind, actor_kind, from_value, to_value)::text from public.ticket_events
     where ticket_id = '52000000-0000-4000-8000-000000000001' order by id desc limit 1),
    '(status,system,resolved,closed)',
    'the scheduler''s close is the system''s event'
);

-- A user deleted from Auth is erased first: their ticket and its history stay, without them
-- (docs/privacy.md).
create temporary table leaving as select tests.get_supabase_uid('owner') as id;
delete from auth.users where id = (select id from leaving);
select is(
    (select count(*) filter (where actor_id = (select id from leaving)) = 0 and count(*) > 0
     from public.ticket_events where ticket_id = '52000000-0000-4000-8000-000000000001'),
    true,
    'deleting a user keeps their ticket''s history, without them as the actor'
);

select * from finish();
rollback;
