-- Presence from each actor's side: staff send a heartbeat and see the other staff on the ticket
-- (never themselves, never a user); users, anon and service_role neither send nor read it.
begin;
select plan(12);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('stranger');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('agent2');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Sam Agent'),
    (tests.get_supabase_uid('agent2'), 'agent', 'Other Agent'),
    (tests.get_supabase_uid('admin'), 'admin', 'Alex Admin');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status) values
    ('23e00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice', 'open');

create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;

-- agent: alone at first
select tests.authenticate_as('agent');
select is(
    public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001"}')::jsonb -> 'others',
    '[]'::jsonb,
    'an agent alone on a ticket sees nobody else (not themselves)'
);

-- agent2 types; agent's next heartbeat shows them
select tests.authenticate_as('agent2');
select is(
    public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001", "state": "typing"}')::jsonb #>> '{others,0,name}',
    'Sam Agent',
    'another agent sees the agent viewing the ticket'
);
select tests.authenticate_as('agent');
select is(
    public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001"}')::jsonb #>> '{others,0,state}',
    'typing',
    'the agent sees the other agent typing'
);
select is(
    pg_temp.refusal($$select public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001", "state": "dancing"}')$$),
    'presence_state_unknown',
    'a state outside public.presence_states is a 400'
);
select is(
    pg_temp.refusal($$select public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-0000000000ff"}')$$),
    'P0002',
    'a heartbeat on a missing ticket is a 404'
);

-- a heartbeat older than 30 seconds is not shown, and one older than two minutes is deleted
reset role;
update private.ticket_presence set seen_at = now() - interval '45 seconds' where user_id = tests.get_supabase_uid('agent2');
insert into private.ticket_presence (ticket_id, user_id, state, seen_at)
values ('23e00000-0000-4000-8000-000000000001', tests.get_supabase_uid('admin'), 'viewing', now() - interval '3 minutes');
select tests.authenticate_as('agent');
select is(
    public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001"}')::jsonb -> 'others',
    '[]'::jsonb,
    'staff not seen for 30 seconds are no longer shown'
);
reset role;
select is(
    (select count(*)::integer from private.ticket_presence where user_id = tests.get_supabase_uid('admin')),
    0,
    'a heartbeat deletes rows older than two minutes'
);

-- owner, another user, anon, service_role
select tests.authenticate_as('owner');
select is(
    pg_temp.refusal($$select public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001"}')$$),
    '42501',
    'the ticket''s owner cannot send a heartbeat or see who is on it'
);
select tests.authenticate_as('stranger');
select is(
    pg_temp.refusal($$select public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001"}')$$),
    '42501',
    'another user cannot see presence'
);
select throws_ok($$select * from private.ticket_presence$$, '42501', null,
    'signed-in users cannot read the presence table');
select tests.clear_authentication();
select throws_ok($$select public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001"}')$$,
    '42501', null, 'anon cannot call support_presence');
select tests.authenticate_as_service_role();
select is(
    pg_temp.refusal($$select public.support_presence('{"ticket_id": "23e00000-0000-4000-8000-000000000001"}')$$),
    '42501',
    'service_role is nobody on a ticket: it cannot send a heartbeat'
);

select * from finish();
rollback;
