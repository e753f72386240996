-- The worker's role and its functions; dead notifications and the admin's retry.
begin;
select plan(15);

-- pgTAP and the helpers, for the worker's role too (rolled back with the rest).
grant usage on schema extensions, tests to support_worker;
grant execute on all functions in schema tests to support_worker;
select tests.create_supabase_user('owner', 'owner82@example.test');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');
update public.notification_settings set batch_window = interval '0';
-- The suite shares its database with the worker's own tests, which may have buried a
-- notification before it runs: what this file reads is only what it buries (rolled back).
delete from public.dead_notifications;

insert into public.support_tickets (id, user_id, ticket_type, subject, description) values
    ('82000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice');
select tests.authenticate_as('agent');
select public.support_reply('{"ticket_id": "82000000-0000-4000-8000-000000000001", "body": "Refunded"}');
reset role;
select set_config('request.jwt.claims', '', true);

create temporary table mine as
    select q.msg_id, (q.message ->> 'event_id')::bigint as event_id
    from pgmq.q_notifications as q
    where q.message ->> 'ticket_id' = '82000000-0000-4000-8000-000000000001';
grant select on mine to support_worker, authenticated;

-- The worker's role reads exactly what it delivers.
set local role support_worker;
select results_eq(
    $$select recipient_email, subject, reply, kind, email_wanted
      from private.notification_details(array(select event_id from mine))$$,
    $$values ('owner82@example.test', 'Charged twice', 'Refunded', 'reply', true)$$,
    'the worker reads the recipient''s address, the subject and the reply of its events'
);
select throws_ok('select email from auth.users', '42501', null,
    'the worker''s role cannot read auth.users directly');
select throws_ok('select * from public.support_tickets', '42501', null,
    'the worker''s role cannot read the tickets table');
select lives_ok($$select private.bury_notification((select msg_id from mine), 8, 'email: ConnectionRefusedError')$$,
    'the worker buries a notification after its last attempt');
reset role;
select is_empty($$select 1 from pgmq.q_notifications where msg_id = (select msg_id from mine)$$,
    'a buried notification leaves the queue');

select tests.authenticate_as('owner');
select throws_ok($$select * from private.notification_details(array[1::bigint])$$, '42501', null,
    'a user cannot call the worker''s functions');
select is_empty('select * from public.dead_notifications', 'a user sees no dead notification');
select throws_ok($$select public.retry_dead_notification((select id::text from public.dead_notifications limit 1))$$,
    'PGRST', null, 'a user cannot retry a dead notification');
select tests.authenticate_as('agent');
select is_empty('select * from public.dead_notifications', 'an agent sees no dead notification');

select tests.authenticate_as('admin');
select results_eq(
    $$select attempts, reason, (message ->> 'event_id')::bigint from public.dead_notifications$$,
    $$select 8, 'email: ConnectionRefusedError', event_id from mine$$,
    'an admin reads the dead notification with its attempts and reason'
);
select isnt(public.retry_dead_notification((select id::text from public.dead_notifications limit 1)), null,
    'an admin retries it');
reset role;
select results_eq(
    $$select (message ->> 'event_id')::bigint, read_ct from pgmq.q_notifications
      where message ->> 'ticket_id' = '82000000-0000-4000-8000-000000000001'$$,
    $$select event_id, 0 from mine$$,
    'the retried notification is queued again for the same event, with fresh attempts'
);
select is_empty('select * from public.dead_notifications', 'and it is no longer dead');
select tests.authenticate_as('admin');
select is((tests.error_of($$select public.retry_dead_notification('-1')$$)) ->> 'detail',
    '{"status" : 404, "headers" : {}}', 'retrying an unknown id is a 404');
select tests.authenticate_as_service_role();
select throws_ok($$select public.retry_dead_notification('1')$$, '42501', null,
    'service_role cannot call the admin''s retry');

select * from finish();
rollback;
