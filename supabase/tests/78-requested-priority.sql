-- A user's priority is a request: a user's urgent is filed at high (the queue and the SLA clocks
-- take the effective priority), the asked one is kept; staff raise it; staff, service_role and
-- postgres file at the priority they give.
begin;
select plan(9);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');

select tests.authenticate_as('owner');
select is(
    public.create_support_ticket('{"ticket_type": "billing", "subject": "Charged twice", "description": "Twice", "priority": "urgent"}') ->> 'priority',
    'high', 'a user asking for urgent is answered with the priority support works by: high');
select is(
    public.create_support_ticket('{"ticket_type": "billing", "subject": "Low one", "description": "Later", "priority": "low"}') ->> 'priority',
    'low', 'a user''s low, medium or high is taken as asked');
select lives_ok(
    $$insert into public.support_tickets (ticket_type, subject, description, priority) values ('account', 'Locked out', 'Help', 'urgent')$$,
    'a direct insert at urgent is accepted');
reset role;
select results_eq(
    $$select subject, priority, requested_priority from public.support_tickets
      where user_id = tests.get_supabase_uid('owner') order by subject$$,
    $$values ('Charged twice', 'high', 'urgent'), ('Locked out', 'high', 'urgent'), ('Low one', 'low', 'low')$$,
    'on every path the effective priority is capped at high and the asked one kept');
select is(
    (select first_response_due_at - created_at from public.support_tickets where subject = 'Charged twice'
         and user_id = tests.get_supabase_uid('owner')),
    (select make_interval(mins => first_response_minutes) from public.sla_policies where priority = 'high'),
    'the SLA clock runs at high''s target, not urgent''s');

create temporary table asked as
    select id from public.support_tickets where subject = 'Charged twice' and user_id = tests.get_supabase_uid('owner');
grant select on asked to authenticated;

select tests.authenticate_as('agent');
select is(
    public.support_update_ticket(jsonb_build_object('ticket_id', (select id from asked), 'priority', 'urgent')) ->> 'priority',
    'urgent', 'an agent raises the ticket to urgent');
select is(
    public.support_ticket((select id from asked)::text) ->> 'requested_priority',
    'urgent', 'support_ticket shows staff what the user asked for');
select is(
    public.create_support_ticket('{"ticket_type": "technical", "subject": "Outage", "description": "Down", "priority": "urgent"}') ->> 'priority',
    'urgent', 'staff filing a ticket give it urgent');

select tests.authenticate_as_service_role();
select results_eq(
    $$insert into public.support_tickets (user_id, ticket_type, subject, description, priority)
      values (tests.get_supabase_uid('owner'), 'billing', 'From the CRM', 'Imported', 'urgent') returning priority$$,
    array['urgent'], 'service_role (support''s tools) files at the priority it gives');

select * from finish();
rollback;
