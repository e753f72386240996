-- Service levels: the policies (who reads and changes them) and the clocks on each ticket
-- (per priority, after a priority change, paused while waiting on the user, after a reopen),
-- and the queue's breached flag, filter and due sort.
begin;
select plan(40);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- The defaults of the issue.
select results_eq(
    'select priority, first_response_minutes, resolution_minutes from public.sla_policies order by first_response_minutes',
    $$values ('urgent', 60, 480), ('high', 240, 1440), ('medium', 1440, 4320), ('low', 4320, 10080)$$,
    'the default targets: urgent 1 h / 8 h, high 4 h / 24 h, medium 24 h / 72 h, low 72 h / 168 h'
);

-- Who reads and changes the policies.
select tests.authenticate_as('owner');
select is_empty('select * from public.sla_policies', 'a user does not read the service levels');
select is_empty($$update public.sla_policies set first_response_minutes = 1 returning 1$$,
    'a user cannot change a service level');
select tests.authenticate_as('agent');
select is((select count(*)::int from public.sla_policies), 4, 'an agent reads the service levels');
select is_empty($$update public.sla_policies set first_response_minutes = 1 returning 1$$,
    'an agent cannot change a service level');
select throws_ok($$insert into public.sla_policies values ('low', 1, 2)$$, '42501', null,
    'nobody adds a priority through the API');
select tests.authenticate_as('admin');
select isnt_empty($$update public.sla_policies set first_response_minutes = 30 where priority = 'urgent' returning 1$$,
    'an admin changes a target');
select throws_ok($$update public.sla_policies set first_response_minutes = 0 where priority = 'urgent'$$,
    '23514', 'new row for relation "sla_policies" violates check constraint "sla_policies_first_response_minutes_positive"',
    'a target must be positive');
select throws_ok($$delete from public.sla_policies where priority = 'low'$$, '42501', null,
    'an admin cannot remove a priority');
update public.sla_policies set first_response_minutes = 60 where priority = 'urgent';
select tests.clear_authentication();
select throws_ok('select * from public.sla_policies', '42501', null, 'anon cannot read the service levels');
select tests.authenticate_as_service_role();
select isnt_empty($$update public.sla_policies set first_response_minutes = 60 where priority = 'urgent' returning 1$$,
    'service_role changes a target');
reset role;

-- One ticket per priority, created two days ago (times are explicit: every statement of this
-- transaction has the same now()). The queue calls below search for their word (q), so that
-- other tickets of a shared database (the pytest session's) never push them off a page.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, created_at, updated_at)
select ('70000000-0000-4000-8000-00000000000' || n)::uuid, tests.get_supabase_uid('owner'), 'billing',
       'SLA ' || p, 'Zyxwvu clock test', p, now() - interval '2 days', now() - interval '2 days'
from unnest(array['urgent', 'high', 'medium', 'low']) with ordinality as x(p, n);

select results_eq(
    $$select priority, first_response_due_at - created_at, resolution_due_at - created_at
      from public.support_tickets where id::text like '70000000-%' order by priority_order$$,
    $$values ('urgent', interval '1 hour', interval '8 hours'), ('high', interval '4 hours', interval '24 hours'),
             ('medium', interval '24 hours', interval '72 hours'), ('low', interval '72 hours', interval '168 hours')$$,
    'a new ticket is due by its priority''s targets, from its creation'
);
select is(
    (select sla_next_due_at from public.support_tickets where id = '70000000-0000-4000-8000-000000000001'),
    (select first_response_due_at from public.support_tickets where id = '70000000-0000-4000-8000-000000000001'),
    'while unanswered, the next deadline is the first response'
);

-- The queue: breached, the breached filter and the due sort.
select tests.authenticate_as('agent');
select is(
    (select array_agg((t ->> 'breached')::boolean order by t ->> 'priority') from json_array_elements(
        public.support_queue(status => 'open', q => 'zyxwvu', page_size => '100') -> 'tickets') as t
     where t ->> 'ticket_id' like '70000000-%'),
    array[true, false, true, true],
    'urgent (1 h) and high (4 h) and medium (24 h) unanswered after two days are breached; low (72 h) is not'
);
select is(
    (select array_agg(t ->> 'ticket_id' order by n) from json_array_elements(
        public.support_queue(breached => 'true', q => 'zyxwvu', page_size => '100') -> 'tickets') with ordinality as x(t, n)
     where t ->> 'ticket_id' like '70000000-%'),
    array['70000000-0000-4000-8000-000000000003', '70000000-0000-4000-8000-000000000002', '70000000-0000-4000-8000-000000000001'],
    'breached=true lists the breached tickets only'
);
select is(
    (select array_agg(t ->> 'ticket_id' order by n) from json_array_elements(
        public.support_queue(sort => 'due', q => 'zyxwvu', page_size => '100') -> 'tickets') with ordinality as x(t, n)
     where t ->> 'ticket_id' like '70000000-%'),
    array['70000000-0000-4000-8000-000000000001', '70000000-0000-4000-8000-000000000002',
          '70000000-0000-4000-8000-000000000003', '70000000-0000-4000-8000-000000000004'],
    'sort=due: the soonest deadline first'
);
select is(
    (select count(*)::int from json_array_elements(
        public.support_queue(due_before => (now() - interval '1 day')::text, q => 'zyxwvu', page_size => '100') -> 'tickets') as t
     where t ->> 'ticket_id' like '70000000-%'),
    2,
    'due_before: only tickets whose next deadline is before that time'
);
select throws_ok($$select public.support_queue(breached => 'maybe')$$, 'PGRST', '{"code" : "invalid_boolean", "message" : "breached must be true or false", "details" : null, "hint" : null}',
    'breached takes true or false');
select throws_ok($$select public.support_queue(due_before => 'soon')$$, 'PGRST', '{"code" : "invalid_time", "message" : "due_before must be a date or time (RFC 3339)", "details" : null, "hint" : null}',
    'due_before takes a time');
-- The cursor of sort=due pages on.
select is(
    (select t ->> 'ticket_id' from json_array_elements(public.support_queue(sort => 'due', q => 'zyxwvu',
        cursor => (public.support_queue(sort => 'due', q => 'zyxwvu', page_size => '1') ->> 'next_cursor')) -> 'tickets') as t limit 1),
    (select (public.support_queue(sort => 'due', q => 'zyxwvu', page_size => '2') -> 'tickets' -> 1) ->> 'ticket_id'),
    'the next page of sort=due starts where the first ended'
);

-- A priority change recomputes both due times from the creation.
select public.support_update_ticket(jsonb_build_object('ticket_id', '70000000-0000-4000-8000-000000000004', 'priority', 'urgent'));
-- Staff read tickets only through the staff operations; the clocks are read as postgres.
reset role;
select results_eq(
    $$select first_response_due_at - created_at, resolution_due_at - created_at
      from public.support_tickets where id = '70000000-0000-4000-8000-000000000004'$$,
    $$values (interval '1 hour', interval '8 hours')$$,
    'raising the priority to urgent moves both due times to urgent''s targets'
);
select tests.authenticate_as('agent');

-- The first public reply answers; an internal note does not; the reply pauses the clock and
-- leaves updated_at alone.
select public.support_reply('{"ticket_id": "70000000-0000-4000-8000-000000000002", "body": "Looking", "internal": true}');
-- Staff read tickets only through the staff operations; the clocks are read as postgres.
reset role;
select is((select first_responded_at from public.support_tickets where id = '70000000-0000-4000-8000-000000000002'),
    null, 'an internal note is not a first response');
select tests.authenticate_as('agent');
select public.support_reply('{"ticket_id": "70000000-0000-4000-8000-000000000002", "body": "Which card?"}');
-- Staff read tickets only through the staff operations; the clocks are read as postgres.
reset role;
select results_eq(
    $$select first_responded_at = now(), sla_paused_at = now(), sla_next_due_at is null, updated_at = created_at
      from public.support_tickets where id = '70000000-0000-4000-8000-000000000002'$$,
    $$values (true, true, true, true)$$,
    'support''s public reply is the first response, pauses the clock (nothing due) and keeps updated_at'
);
select tests.authenticate_as('agent');
select is(
    (select (t ->> 'waiting_on_user')::boolean from json_array_elements(public.support_queue(q => 'zyxwvu', page_size => '100') -> 'tickets') as t
     where t ->> 'ticket_id' = '70000000-0000-4000-8000-000000000002'),
    true, 'the queue shows the ticket waiting on the user'
);
-- As postgres without a request (the authors below are given, as in the seed).
select tests.clear_authentication();
reset role;

-- Pause arithmetic with explicit times: support answers one hour after creation, the user
-- replies four hours after that: resolution moves four hours later.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, created_at)
values ('70000000-0000-4000-8000-000000000005', tests.get_supabase_uid('owner'), 'billing', 'Pause', 'Pause', 'high',
        '2030-01-01 00:00:00+00');
insert into public.ticket_messages (ticket_id, author_id, author_kind, body, created_at)
values ('70000000-0000-4000-8000-000000000005', tests.get_supabase_uid('agent'), 'agent', 'Which card?', '2030-01-01 01:00:00+00');
insert into public.ticket_messages (ticket_id, author_id, author_kind, body, created_at)
values ('70000000-0000-4000-8000-000000000005', tests.get_supabase_uid('owner'), 'user', 'The blue one', '2030-01-01 05:00:00+00');
select results_eq(
    $$select first_responded_at, sla_paused_at, sla_paused_for, resolution_due_at, sla_next_due_at
      from public.support_tickets where id = '70000000-0000-4000-8000-000000000005'$$,
    $$values ('2030-01-01 01:00:00+00'::timestamptz, null::timestamptz, interval '4 hours',
              '2030-01-02 04:00:00+00'::timestamptz, '2030-01-02 04:00:00+00'::timestamptz)$$,
    'the four hours waiting on the user do not count: resolution is due 24 h + 4 h after creation'
);
insert into public.ticket_messages (ticket_id, author_id, author_kind, body, created_at)
values ('70000000-0000-4000-8000-000000000005', tests.get_supabase_uid('agent'), 'agent', 'Refunded', '2030-01-01 06:00:00+00');
select is((select first_responded_at from public.support_tickets where id = '70000000-0000-4000-8000-000000000005'),
    '2030-01-01 01:00:00+00'::timestamptz, 'a later reply does not move the first response');
select is((select sla_paused_at from public.support_tickets where id = '70000000-0000-4000-8000-000000000005'),
    '2030-01-01 06:00:00+00'::timestamptz, 'each public reply of support pauses the clock again');

-- Resolving stops the clock; a late resolution is a breach, a timely one is not.
select tests.authenticate_as('agent');
select public.support_update_ticket('{"ticket_id": "70000000-0000-4000-8000-000000000003", "status": "resolved", "resolution": "Done"}');
-- Staff read tickets only through the staff operations; the clocks are read as postgres.
reset role;
select results_eq(
    $$select sla_paused_at = now(), sla_next_due_at is null, sla_breached_at < now() + interval '1 year'
      from public.support_tickets as t where id = '70000000-0000-4000-8000-000000000003'$$,
    $$values (true, true, true)$$,
    'resolving stops the clock; medium unanswered for two days stays breached'
);
select tests.authenticate_as('agent');
select public.support_update_ticket('{"ticket_id": "70000000-0000-4000-8000-000000000005", "status": "resolved", "resolution": "Done"}');
-- Staff read tickets only through the staff operations; the clocks are read as postgres.
reset role;
select is(
    (select sla_breached_at from public.support_tickets as t
     where id = '70000000-0000-4000-8000-000000000005'),
    null,
    'a ticket answered and resolved in time (the clock stood while it waited on the user) is not breached, however late one asks'
);
select tests.authenticate_as('agent');

-- A reopen starts a fresh resolution clock from the reopen.
select public.support_update_ticket('{"ticket_id": "70000000-0000-4000-8000-000000000003", "status": "open"}');
-- Staff read tickets only through the staff operations; the clocks are read as postgres.
reset role;
select results_eq(
    $$select sla_started_at = now(), resolution_due_at = now() + interval '72 hours', sla_paused_at, sla_paused_for
      from public.support_tickets where id = '70000000-0000-4000-8000-000000000003'$$,
    $$values (true, true, null::timestamptz, interval '0')$$,
    'a reopened ticket gets its priority''s full resolution time from the reopen'
);
select is((select first_response_due_at - created_at from public.support_tickets where id = '70000000-0000-4000-8000-000000000003'),
    interval '24 hours', 'a reopen keeps the first response target of the creation');

-- A user's reply reopening a resolved ticket restarts the clock the same way.
select tests.authenticate_as('owner');
select public.reply_to_ticket('{"ticket_id": "70000000-0000-4000-8000-000000000005", "body": "Not refunded yet"}');
select tests.clear_authentication();
reset role;
select results_eq(
    $$select status, sla_started_at = now(), resolution_due_at = now() + interval '24 hours'
      from public.support_tickets where id = '70000000-0000-4000-8000-000000000005'$$,
    $$values ('open', true, true)$$,
    'the user''s reply reopens the ticket with a fresh resolution clock'
);

-- Nobody but the triggers writes the clocks.
select tests.authenticate_as('owner');
select throws_ok($$update public.support_tickets set resolution_due_at = now() + interval '1 year' where id = '70000000-0000-4000-8000-000000000001'$$,
    '42501', null, 'the owner cannot move a due time');
select throws_ok(tests.insert_row('public.support_tickets', jsonb_build_object(
        'ticket_type', 'billing', 'subject', 's', 'description', 'd', 'first_response_due_at', '2099-01-01')),
    '42501', null, 'the owner cannot file a ticket with its own due time');
select is(
    (select count(*)::int from public.support_tickets where id::text like '70000000-%'), 5,
    'the owner reads their tickets with their clocks'
);
select tests.authenticate_as('other');
select is_empty($$select 1 from public.support_tickets where id::text like '70000000-%'$$,
    'another user sees none of those tickets or their clocks');
select throws_ok($$select public.support_queue(breached => 'true')$$, 'PGRST',
    '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'a user cannot list breached tickets');
select tests.clear_authentication();
select throws_ok($$select public.support_queue(sort => 'due')$$, '42501', null, 'anon cannot use the queue');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_queue(sort => 'due')$$, '42501', null,
    'service_role does not use the staff queue');
select is((select count(*)::int from public.support_tickets where id::text like '70000000-%' and resolution_due_at is not null), 5,
    'service_role reads the clocks of every ticket');

select * from finish();
rollback;
