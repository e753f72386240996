-- Business hours: who reads and edits schedules; business minutes across a weekend, a holiday,
-- a date override and the clock changes of two time zones; the SLA clocks counting in them
-- (paused while waiting on the user); a schedule change moving open tickets' due times.
begin;
select plan(42);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- Who edits the schedules: admins; agents read them; users and anon neither.
select tests.authenticate_as('admin');
select lives_ok(
    $$insert into public.business_schedules (name, time_zone) values ('Paris test', 'Europe/Paris'), ('New York test office', 'America/New_York')$$,
    'an admin adds schedules'
);
select lives_ok(
    $$insert into public.business_hours (schedule_id, weekday, opens, closes)
      select s.id, d, '09:00', '17:00' from public.business_schedules as s, generate_series(1, 5) as d
      where s.name in ('Paris test', 'New York test office')$$,
    'an admin sets their weekly hours: Monday to Friday, 9:00 to 17:00'
);
select throws_ok(
    $$insert into public.business_hours (schedule_id, weekday, opens, closes)
      select id, 1, '16:00', '18:00' from public.business_schedules where name = 'Paris test'$$,
    'PGRST', '{"code" : "schedule_hours_overlap", "message" : "Business hours of the same day must not overlap", "details" : null, "hint" : "Change or remove the window that overlaps, or merge the two."}',
    'two windows of the same weekday cannot overlap'
);
select throws_ok(
    $$insert into public.business_schedules (name, time_zone) values ('Nowhere', 'Mars/Olympus')$$,
    'PGRST', '{"code" : "schedule_time_zone_unknown", "message" : "time_zone must be an IANA time zone name", "details" : null, "hint" : "For example Europe/Paris or America/New_York (see pg_timezone_names)."}',
    'a schedule names a time zone PostgreSQL knows'
);
select throws_ok(
    $$insert into public.business_hours (schedule_id, weekday, opens, closes)
      select id, 8, '09:00', '17:00' from public.business_schedules where name = 'Paris test'$$,
    '23514', null, 'a weekday is 1 (Monday) to 7 (Sunday)'
);
select throws_ok(
    $$insert into public.business_schedule_dates (schedule_id, day, opens)
      select id, '2026-12-25', '09:00' from public.business_schedules where name = 'Paris test'$$,
    '23514', null, 'a date override has both an opening and a closing time, or neither'
);
select isnt_empty(
    $$update public.business_schedules set name = 'Paris test office' where name = 'Paris test' returning 1$$,
    'an admin changes a schedule'
);
reset role;
select is(
    (select count(*)::int from private.audit_log where table_name = 'public.business_schedules' and changed_at = now()),
    3, 'changes to schedules are recorded in the audit log'
);

select tests.authenticate_as('agent');
select is((select count(*)::int from public.business_schedules where name like '% test office'), 2,
    'an agent reads the schedules');
select is((select count(*)::int from public.business_hours as h join public.business_schedules as s on s.id = h.schedule_id
           where s.name like '% test office'), 10, 'an agent reads the weekly hours');
select throws_ok($$insert into public.business_schedules (name, time_zone) values ('Agent', 'UTC')$$,
    '42501', null, 'an agent cannot add a schedule');
select is_empty($$update public.business_hours set closes = '18:00' returning 1$$,
    'an agent cannot change business hours');
select is_empty($$delete from public.business_schedules returning 1$$, 'an agent cannot delete a schedule');
select throws_ok(
    $$insert into public.business_schedule_dates (schedule_id, day)
      select id, '2026-12-25' from public.business_schedules where name = 'Paris test office'$$,
    '42501', null, 'an agent cannot add a holiday');
select is_empty($$update public.sla_policies set schedule_id = null returning 1$$,
    'an agent cannot choose the schedule of a priority');

select tests.authenticate_as('owner');
select is_empty('select * from public.business_schedules', 'a user does not read the schedules');
select is_empty('select * from public.business_hours', 'a user does not read the business hours');
select throws_ok($$insert into public.business_schedules (name, time_zone) values ('Mine', 'UTC')$$,
    '42501', null, 'a user cannot add a schedule');
select tests.clear_authentication();
select throws_ok('select * from public.business_schedules', '42501', null, 'anon cannot read the schedules');
select tests.authenticate_as_service_role();
select lives_ok('select * from public.business_schedule_dates', 'service_role reads the schedule dates');
reset role;

create temporary table s as
select (select id from public.business_schedules where name = 'Paris test office') as paris,
       (select id from public.business_schedules where name = 'New York test office') as new_york;

-- A weekend: Friday 16:00 in Paris (15:00 UTC, winter) plus two business hours is Monday 10:00.
select is(private.business_add((select paris from s), '2026-03-06 15:00+00', 120),
    '2026-03-09 09:00+00'::timestamptz,
    'two business hours from Friday 16:00 in Paris end on Monday at 10:00: the weekend does not count');
select is(private.business_minutes((select paris from s), '2026-03-06 15:00+00', '2026-03-09 09:00+00'), 120::numeric,
    'from Friday 16:00 to Monday 10:00 in Paris are 120 business minutes');
select is(private.business_minutes((select paris from s), '2026-03-07 10:00+00', '2026-03-08 10:00+00'), 0::numeric,
    'a weekend holds no business minute');

-- The clock changes: Paris on Sunday 29 March 2026, New York on Sunday 8 March 2026.
select is(private.business_add((select paris from s), '2026-03-27 15:00+00', 120),
    '2026-03-30 08:00+00'::timestamptz,
    'across the Paris clock change, Friday 16:00 CET plus two business hours is Monday 10:00 CEST (08:00 UTC)');
select is(private.business_add((select new_york from s), '2026-03-06 21:00+00', 120),
    '2026-03-09 14:00+00'::timestamptz,
    'across the New York clock change, Friday 16:00 EST plus two business hours is Monday 10:00 EDT (14:00 UTC)');
select is(private.business_minutes((select new_york from s), '2026-03-06 21:00+00', '2026-03-09 14:00+00'), 120::numeric,
    'from Friday 16:00 EST to Monday 10:00 EDT are 120 business minutes in New York');
insert into public.business_hours (schedule_id, weekday, opens, closes)
select id, 7, '00:00', '24:00' from public.business_schedules where name in ('Paris test office', 'New York test office');
select is(private.business_minutes((select paris from s), '2026-03-28 12:00+00', '2026-03-30 00:00+00'), 1380::numeric,
    'a Sunday open from midnight to midnight holds 23 hours in Paris the day the clocks go forward');
select is(private.business_minutes((select new_york from s), '2026-10-31 12:00+00', '2026-11-02 06:00+00'), 1500::numeric,
    'and 25 hours in New York the day the clocks go back');
delete from public.business_hours where weekday = 7;

-- A holiday and a date override.
insert into public.business_schedule_dates (schedule_id, day, note)
select paris, '2026-03-09', 'Holiday' from s;
select is(private.business_add((select paris from s), '2026-03-06 15:00+00', 120),
    '2026-03-10 09:00+00'::timestamptz,
    'a holiday on Monday does not count: two business hours from Friday 16:00 end on Tuesday at 10:00');
insert into public.business_schedule_dates (schedule_id, day, opens, closes, note)
select paris, '2026-03-10', '13:00', '15:00', 'Afternoon only' from s;
select is(private.business_add((select paris from s), '2026-03-06 15:00+00', 120),
    '2026-03-10 13:00+00'::timestamptz,
    'a date open 13:00 to 15:00 replaces its weekday''s hours: the hour left ends on Tuesday at 14:00');
delete from public.business_schedule_dates where schedule_id = (select paris from s);

-- The SLA clocks in business time: high counts in the Paris hours, 2 h to answer, 8 h to resolve.
update public.sla_policies set first_response_minutes = 120, resolution_minutes = 480, schedule_id = (select paris from s)
where priority = 'high';
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, created_at, updated_at)
values ('79000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Friday evening', 'Yxwvut hours', 'high',
        '2026-03-06 15:00+00', '2026-03-06 15:00+00'),
       ('79000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Still waiting', 'Yxwvut hours', 'high',
        '2026-03-06 15:00+00', '2026-03-06 15:00+00');
select results_eq(
    $$select first_response_due_at, resolution_due_at from public.support_tickets where id = '79000000-0000-4000-8000-000000000001'$$,
    $$values ('2026-03-09 09:00+00'::timestamptz, '2026-03-09 15:00+00'::timestamptz)$$,
    'a ticket filed on Friday 16:00 in Paris hours is due for an answer Monday 10:00 and a resolution Monday 16:00'
);

-- Support answers on Monday 10:30 Paris; the user replies on Tuesday 9:00: the 6.5 business
-- hours waiting on the user (Monday 10:30-17:00) move the resolution to Tuesday 14:30.
insert into public.ticket_messages (ticket_id, author_id, author_kind, body, created_at)
values ('79000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', 'Which card?', '2026-03-09 09:30+00');
insert into public.ticket_messages (ticket_id, author_id, author_kind, body, created_at)
values ('79000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'user', 'The blue one', '2026-03-10 08:00+00');
select results_eq(
    $$select sla_paused_business_minutes, sla_paused_for, resolution_due_at
      from public.support_tickets where id = '79000000-0000-4000-8000-000000000001'$$,
    $$values (390::numeric, interval '22 hours 30 minutes', '2026-03-10 13:30+00'::timestamptz)$$,
    'the 390 business minutes waiting on the user (22.5 calendar hours) move the resolution to Tuesday 14:30 Paris'
);

-- support_stats reports both: 66.5 calendar hours to the first answer, 150 business minutes.
select tests.authenticate_as('agent');
select is(
    (select public.support_stats(since => '2026-03-06T15:00:00Z', until => '2026-03-06T15:00:01Z') -> 'first_response')::jsonb,
    '{"count": 1, "median_minutes": 3990.0, "p90_minutes": 3990.0, "business_median_minutes": 150.0, "business_p90_minutes": 150.0}'::jsonb,
    'support_stats gives the first response in calendar minutes and in the business minutes of the Paris hours'
);
reset role;

-- A schedule change moves the running due times of open tickets, not the met ones.
select tests.authenticate_as('admin');
select lives_ok(
    $$insert into public.business_schedule_dates (schedule_id, day, note)
      select id, '2026-03-09', 'Holiday' from public.business_schedules where name = 'Paris test office'$$,
    'an admin declares a holiday'
);
reset role;
select is((select first_response_due_at from public.support_tickets where id = '79000000-0000-4000-8000-000000000002'),
    '2026-03-10 09:00+00'::timestamptz,
    'the unanswered ticket''s first answer moves to Tuesday 10:00 with the holiday');
select is((select first_response_due_at from public.support_tickets where id = '79000000-0000-4000-8000-000000000001'),
    '2026-03-09 09:00+00'::timestamptz,
    'the answered ticket keeps the due time it was answered against');
select is((select resolution_due_at from public.support_tickets where id = '79000000-0000-4000-8000-000000000001'),
    '2026-03-11 13:30+00'::timestamptz,
    'its open resolution moves a business day later, to Wednesday 14:30 Paris');
select is((select updated_at from public.support_tickets where id = '79000000-0000-4000-8000-000000000002'),
    (select created_at from public.support_tickets where id = '79000000-0000-4000-8000-000000000002'),
    'moving due times is bookkeeping: updated_at stays');

-- The queue's due and breached filters read the moved times.
select tests.authenticate_as('agent');
select is(
    (select (t ->> 'breached')::boolean and (t ->> 'next_due_at') = '2026-03-10T09:00:00Z'
     from json_array_elements(public.support_queue(q => 'Yxwvut', breached => 'true', page_size => '100') -> 'tickets') as x(t)
     where t ->> 'subject' = 'Still waiting'),
    true,
    'the queue lists the unanswered ticket as breached with its moved deadline'
);

-- Choosing no schedule for a priority (and no default) is calendar time again.
select tests.authenticate_as('admin');
select isnt_empty($$update public.sla_policies set schedule_id = null where priority = 'high' returning 1$$,
    'an admin sets a priority back to the default schedule');
reset role;
select is((select first_response_due_at from public.support_tickets where id = '79000000-0000-4000-8000-000000000002'),
    '2026-03-06 17:00+00'::timestamptz,
    'without any schedule the open ticket is due two calendar hours after its creation');
update public.sla_policies set schedule_id = (select paris from s) where priority = 'high';
select throws_ok(
    format('delete from public.business_schedules where id = %s', (select paris from s)), '23503', null,
    'a schedule a priority uses cannot be deleted'
);

select * from finish();
rollback;
