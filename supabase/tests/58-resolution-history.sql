-- A resolution or admin_notes text changed after the fact is a public event in the ticket's
-- history, holding the texts before and after, and notifies the owner; the move to resolved
-- with its first resolution stays one status event.
begin;
select plan(14);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
-- 1 closed and rated, 2 open.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values
    ('58000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice', 'closed', 'Refunded', now()),
    ('58000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Refund', 'Please', 'open', null, null);
insert into public.ticket_ratings (ticket_id, user_id, rating) values
    ('58000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 5);

create temporary view queued as
    select q.message ->> 'kind' as kind, (q.message ->> 'event_id')::bigint as event_id,
        q.message ->> 'recipient_id' as recipient_id
    from pgmq.q_notifications as q
    where q.message ->> 'ticket_id' like '58000000-%';

-- Staff rewrite the resolution and the note of the closed, rated ticket.
select tests.authenticate_as('agent');
select lives_ok(
    $$select public.support_update_ticket('{"ticket_id": "58000000-0000-4000-8000-000000000001", "resolution": "No refund: the second charge was a hold"}')$$,
    'an agent rewrites the resolution of a closed, rated ticket'
);
select lives_ok(
    $$select public.support_update_ticket('{"ticket_id": "58000000-0000-4000-8000-000000000001", "admin_notes": "The hold drops in 5 days"}')$$,
    'an agent writes the note of the closed ticket'
);
select lives_ok(
    $$select public.support_update_ticket('{"ticket_id": "58000000-0000-4000-8000-000000000001", "resolution": "No refund: the second charge was a hold"}')$$,
    'an agent sends the same resolution again'
);
reset role;
select results_eq(
    $$select kind, internal, actor_id, actor_kind, from_value, to_value from public.ticket_events
      where ticket_id = '58000000-0000-4000-8000-000000000001' and kind in ('resolution', 'notes') order by id$$,
    $$values ('resolution', false, tests.get_supabase_uid('agent'), 'agent', 'Refunded', 'No refund: the second charge was a hold'),
             ('notes', false, tests.get_supabase_uid('agent'), 'agent', null::text, 'The hold drops in 5 days')$$,
    'the changed resolution and note are public events holding the texts before and after; an unchanged text records nothing'
);
select results_eq(
    $$select kind, recipient_id::uuid from queued order by event_id$$,
    $$values ('resolution_changed', tests.get_supabase_uid('owner')), ('notes_changed', tests.get_supabase_uid('owner'))$$,
    'each change queues a notification for the owner'
);

-- The owner reads them; another user does not.
select tests.authenticate_as('owner');
select results_eq(
    $$select kind, to_value from public.ticket_events
      where ticket_id = '58000000-0000-4000-8000-000000000001' and kind in ('resolution', 'notes') order by id$$,
    $$values ('resolution', 'No refund: the second charge was a hold'), ('notes', 'The hold drops in 5 days')$$,
    'the owner reads both events directly'
);
select is(
    (select count(*)::int from json_array_elements(public.get_ticket('58000000-0000-4000-8000-000000000001') -> 'events') as e
     where e ->> 'kind' = 'resolution' and e ->> 'from' = 'Refunded'),
    1, 'the owner reads the old resolution in get_ticket''s history'
);
select tests.authenticate_as('other');
select is_empty($$select id from public.ticket_events where ticket_id = '58000000-0000-4000-8000-000000000001'$$,
    'another user reads none of it');

-- Resolving with a first resolution is told by the status event alone.
select tests.authenticate_as('agent');
select lives_ok(
    $$select public.support_update_ticket('{"ticket_id": "58000000-0000-4000-8000-000000000002", "status": "resolved", "resolution": "Refunded"}')$$,
    'an agent resolves the open ticket with a resolution'
);
reset role;
select is_empty(
    $$select * from public.ticket_events where ticket_id = '58000000-0000-4000-8000-000000000002' and kind = 'resolution'$$,
    'the move to resolved with its resolution records no separate resolution event'
);
select results_eq(
    $$select kind from queued where event_id > (select max(event_id) from queued where kind = 'notes_changed') order by event_id$$,
    array['resolved'],
    'and queues the resolved notification only (one email, as before)'
);

-- Every path: an update by service_role (support's tools) is recorded too.
select tests.authenticate_as_service_role();
select lives_ok(
    $$update public.support_tickets set resolution = 'Refunded on May 3' where id = '58000000-0000-4000-8000-000000000002'$$,
    'service_role rewrites a resolution directly'
);
reset role;
select is(
    (select to_value from public.ticket_events where ticket_id = '58000000-0000-4000-8000-000000000002' and kind = 'resolution'),
    'Refunded on May 3', 'the direct rewrite is in the history too'
);

-- The owner cannot write either field.
select tests.authenticate_as('owner');
select throws_ok(
    $$update public.support_tickets set resolution = 'Mine' where id = '58000000-0000-4000-8000-000000000001'$$,
    '42501', null, 'the owner cannot rewrite the resolution'
);

select * from finish();
rollback;
