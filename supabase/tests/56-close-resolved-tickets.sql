-- The scheduler's job: resolved tickets close after 7 days without a reply from the user.
begin;
select plan(10);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
-- Only this file's tickets are resolved (the others, such as the seed's, are set aside).
update public.support_tickets set status = 'closed' where status = 'resolved';
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values
    ('56000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'A', 'd', 'resolved', 'Done', '2030-01-01 00:00:00+00'),
    ('56000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'B', 'd', 'resolved', 'Done', '2030-01-05 00:00:00+00'),
    ('56000000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'billing', 'C', 'd', 'in_progress', null, null);

select is(private.close_resolved_tickets('2030-01-07 23:59:59+00'), 0, 'nothing closes before 7 days');
select is(private.close_resolved_tickets('2030-01-08 00:00:00+00'), 1, 'a ticket resolved 7 days ago closes');
select results_eq(
    $$select id::text, status from public.support_tickets where id::text like '56000000-%' order by id$$,
    $$values ('56000000-0000-4000-8000-000000000001', 'closed'), ('56000000-0000-4000-8000-000000000002', 'resolved'),
             ('56000000-0000-4000-8000-000000000003', 'in_progress')$$,
    'only the ticket resolved long enough ago closed; unresolved tickets are left alone'
);
select is(
    (select (kind, actor_kind, actor_id, from_value, to_value)::text from public.ticket_events
     where ticket_id = '56000000-0000-4000-8000-000000000001' order by id desc limit 1),
    '(status,system,,resolved,closed)',
    'the close is the system''s event'
);
select is(current_setting('support.actor_kind'), '', 'the system''s setting ends with the job');
select throws_ok(
    $$update public.support_tickets set status = 'open' where id = '56000000-0000-4000-8000-000000000001'$$,
    'PGRST', null, 'afterwards, support cannot reopen what the system closed'
);
select is(private.close_resolved_tickets('2030-02-01 00:00:00+00'), 1, 'a later run closes the other one');

-- Who may run it.
select tests.authenticate_as_service_role();
select lives_ok($$select private.close_resolved_tickets()$$, 'service_role runs the job (pg_cron, the stack runner)');
select tests.authenticate_as('agent');
select throws_ok($$select private.close_resolved_tickets()$$, '42501', null, 'staff cannot run the job');
select tests.authenticate_as('owner');
select throws_ok($$select private.close_resolved_tickets()$$, '42501', null, 'a user cannot run the job');

select * from finish();
rollback;
