-- Notifications are queued in the transaction of a user-visible change, for the owner only.
begin;
select plan(16);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
update public.notification_settings set batch_window = interval '15 seconds';
insert into public.support_tickets (id, user_id, ticket_type, subject, description) values
    ('80000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice'),
    ('80000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Refund', 'Please');

create temporary view queued as
    select q.message ->> 'kind' as kind, (q.message ->> 'event_id')::bigint as event_id,
        q.message ->> 'ticket_id' as ticket_id, q.message ->> 'recipient_id' as recipient_id, q.vt
    from pgmq.q_notifications as q
    where q.message ->> 'ticket_id' like '80000000-%';
grant select on queued to authenticated;

select is_empty('select * from queued', 'filing a ticket notifies nobody (the owner acted)');

select tests.authenticate_as('agent');
select lives_ok(
    $$select public.support_reply('{"ticket_id": "80000000-0000-4000-8000-000000000001", "body": "Looking into it"}')$$,
    'an agent replies publicly'
);
select tests.clear_authentication();
reset role;
select results_eq(
    $$select kind, recipient_id::uuid, event_id from queued$$,
    $$select 'reply', tests.get_supabase_uid('owner'), max(id) from public.ticket_events
      where ticket_id = '80000000-0000-4000-8000-000000000001' and kind = 'public_reply'$$,
    'the public reply queued one notification for the owner, naming its event'
);
select is(
    (select count(*)::int from pgmq.q_notifications as q
     where q.message::text like '%Looking into it%'),
    0,
    'the queued message carries ids, not the reply''s text'
);

select tests.authenticate_as('agent');
select lives_ok(
    $$select public.support_reply('{"ticket_id": "80000000-0000-4000-8000-000000000001", "body": "Card issuer?", "internal": true}')$$,
    'an agent adds an internal note'
);
select lives_ok(
    $$select public.support_update_ticket(('{"ticket_id": "80000000-0000-4000-8000-000000000001", "priority": "high", "assignee_id": "'
      || tests.get_supabase_uid('agent') || '"}')::jsonb)$$,
    'an agent raises the priority and takes the ticket'
);
reset role;
select is((select count(*)::int from queued), 1,
    'an internal note, a priority change and an assignment queue nothing');

select tests.authenticate_as('agent');
select lives_ok(
    $$select public.support_update_ticket('{"ticket_id": "80000000-0000-4000-8000-000000000001", "status": "in_progress"}')$$,
    'an agent starts work'
);
select lives_ok(
    $$select public.support_update_ticket('{"ticket_id": "80000000-0000-4000-8000-000000000001", "status": "resolved", "resolution": "Refunded"}')$$,
    'an agent resolves the ticket'
);
reset role;
select results_eq(
    $$select kind from queued order by event_id$$,
    array['reply', 'status_changed', 'resolved'],
    'a status change queues status_changed, and the change to resolved queues resolved'
);
select is(
    (select count(distinct vt)::int from queued),
    1,
    'changes to one ticket within the batch window become visible together (one email)'
);

select tests.authenticate_as('owner');
select lives_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('80000000-0000-4000-8000-000000000001', 'Thanks, but no')$$,
    'the owner answers, which reopens the resolved ticket'
);
reset role;
select is((select count(*)::int from queued), 3,
    'the owner''s own reply and the reopening it caused notify nobody');

-- A change that rolls back leaves no message.
select tests.authenticate_as('agent');
do $$
begin
    perform public.support_reply('{"ticket_id": "80000000-0000-4000-8000-000000000002", "body": "Soon"}');
    raise exception 'roll back';
exception when raise_exception then
    null;
end
$$;
reset role;
select is_empty($$select * from queued where ticket_id = '80000000-0000-4000-8000-000000000002'$$,
    'a reply that rolled back queued nothing');

select tests.authenticate_as('owner');
select throws_ok('select * from pgmq.q_notifications', '42501', null,
    'a user cannot read the queue');
select tests.authenticate_as_service_role();
select throws_ok($$select pgmq.send('notifications', '{}')$$, '42501', null,
    'service_role cannot write to the queue: only the triggers do');

select * from finish();
rollback;
