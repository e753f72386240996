-- Retention: admins set it (audited), staff read it, users not; private.apply_retention
-- anonymises only what is past its setting, at most `batch` of each kind per run.
begin;
select plan(8);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada');
insert into public.support_tickets (user_id, ticket_type, subject, description, status, resolution, resolved_at)
select tests.get_supabase_uid('owner'), 'billing', 'Old ' || n, 'Old', 'resolved', 'Done', now() - interval '400 days'
from generate_series(1, 5) as n;
insert into public.support_tickets (user_id, ticket_type, subject, description, status, resolution, resolved_at)
values (tests.get_supabase_uid('owner'), 'billing', 'Recent', 'New', 'resolved', 'Done', now() - interval '1 day');

select tests.authenticate_as('owner');
select is_empty('select * from public.retention_settings', 'a user does not see the retention settings');
select tests.authenticate_as('agent');
update public.retention_settings set resolved_tickets = interval '1 day';
select is(
    (select resolved_tickets from public.retention_settings), null::interval,
    'an agent cannot change retention (the update matches nothing)'
);
select tests.authenticate_as('admin');
update public.retention_settings set resolved_tickets = interval '365 days';
reset role;
select is(
    (select new_values ->> 'resolved_tickets' from private.audit_log
     where table_name = 'public.retention_settings' order by id desc limit 1),
    '365 days',
    'an admin''s change of retention is in the audit log'
);

select is(
    (private.apply_retention(2)::jsonb ->> 'tickets')::integer, 2,
    'a retention run anonymises at most its batch'
);
select is(
    (private.apply_retention(2)::jsonb ->> 'tickets')::integer, 2,
    'the next run takes the next batch'
);
select is(
    (private.apply_retention(2)::jsonb ->> 'tickets')::integer, 1,
    'then what is left'
);
select is(
    (private.apply_retention(2)::jsonb ->> 'tickets')::integer, 0,
    'and then nothing: a ticket is anonymised once'
);
select results_eq(
    $$select subject from public.support_tickets where user_id = tests.get_supabase_uid('owner')$$,
    $$values ('Recent'::text)$$,
    'a ticket resolved within the setting is kept as it is'
);

select * from finish();
rollback;
