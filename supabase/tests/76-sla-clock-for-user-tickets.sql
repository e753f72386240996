-- Service levels on the tickets users file: the clock trigger reads the policies for them,
-- while they still cannot read the policies themselves.
begin;
select plan(5);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');

select tests.authenticate_as('owner');
select lives_ok(
    $$select public.create_support_ticket('{"ticket_type": "technical", "subject": "Clock", "description": "Due?", "priority": "high"}')$$,
    'a user files a high-priority ticket'
);
select tests.authenticate_as_service_role();
select is(
    (select first_response_due_at - created_at from public.support_tickets
     where user_id = tests.get_supabase_uid('owner') and subject = 'Clock'),
    interval '4 hours',
    'the ticket a user filed is due for a first answer after the high target of 4 hours'
);
select is(
    (select sla_next_due_at = first_response_due_at and resolution_due_at - created_at = interval '24 hours'
     from public.support_tickets where user_id = tests.get_supabase_uid('owner') and subject = 'Clock'),
    true,
    'its running deadline is the first answer, and its resolution is due after 24 hours'
);

select tests.authenticate_as('owner');
select is_empty('select * from public.sla_policies', 'the user still does not read the service levels');

select tests.authenticate_as('agent');
select is(
    (select (t ->> 'next_due_at') is not null and not (t ->> 'breached')::boolean
     from json_array_elements(public.support_queue(q => 'Due', page_size => '100') -> 'tickets') as x(t)
     where t ->> 'subject' = 'Clock'),
    true,
    'the queue shows the user''s ticket with its deadline, not breached'
);

select * from finish();
rollback;
