-- Row Level Security and grants, from each side: the owner, another user, anon, service_role.
begin;
select plan(40);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');

insert into public.support_tickets (id, user_id, ticket_type, subject, description)
values ('30000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice');
insert into public.user_feedback (id, user_id, category, description)
values ('30000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'praise', 'Great');

-- The owner.
select tests.authenticate_as('owner');
select results_eq(
    'select id from public.support_tickets',
    array['30000000-0000-4000-8000-000000000001'::uuid],
    'the owner reads their own ticket'
);
select results_eq(
    'select id from public.user_feedback',
    array['30000000-0000-4000-8000-000000000002'::uuid],
    'the owner reads their own feedback'
);
select lives_ok(
    $$insert into public.support_tickets (ticket_type, subject, description) values ('account', 'Locked out', 'Help')$$,
    'the owner files a ticket; user_id defaults to them'
);
select lives_ok(
    $$insert into public.user_feedback (category, description, rating) values ('improvement', 'Faster sync', 4)$$,
    'the owner submits feedback; user_id defaults to them'
);
select is(
    (select count(*)::int from public.support_tickets where user_id = tests.get_supabase_uid('owner')),
    2,
    'the new ticket is the owner''s'
);

-- Columns that belong to support, and the ones the database sets, are refused (42501).
select throws_ok(
    format('insert into public.support_tickets (ticket_type, subject, description, %I) values (''billing'', ''s'', ''d'', %L)', c.col, c.val),
    '42501',
    null,
    format('a user cannot set support_tickets.%s', c.col)
)
from (values
    ('status', 'resolved'), ('admin_notes', 'x'), ('resolution', 'x'), ('assigned_to', 'x'),
    ('resolved_at', '2026-01-01'), ('created_at', '2020-01-01'), ('updated_at', '2020-01-01'),
    ('id', '30000000-0000-4000-8000-000000000009'), ('meta_data', '{}')
) as c(col, val);
select throws_ok(
    format('insert into public.user_feedback (category, description, %I) values (''praise'', ''d'', %L)', c.col, c.val),
    '42501',
    null,
    format('a user cannot set user_feedback.%s', c.col)
)
from (values
    ('status', 'planned'), ('admin_response', 'x'), ('reviewed_at', '2026-01-01'), ('created_at', '2020-01-01')
) as c(col, val);

-- No updates or deletes by users, not even of their own rows.
select throws_ok(s, '42501', null, d)
from (values
    ($$update public.support_tickets set subject = 'changed'$$, 'the owner cannot edit their ticket'),
    ($$update public.support_tickets set status = 'closed'$$, 'the owner cannot change the status of their ticket'),
    ($$delete from public.support_tickets$$, 'the owner cannot delete their ticket'),
    ($$update public.user_feedback set rating = 1$$, 'the owner cannot edit their feedback'),
    ($$delete from public.user_feedback$$, 'the owner cannot delete their feedback')
) as t(s, d);

-- Another user.
select tests.authenticate_as('other');
select is_empty('select id from public.support_tickets', 'another user sees none of the owner''s tickets');
select is_empty('select id from public.user_feedback', 'another user sees none of the owner''s feedback');
select throws_ok(
    $$select topic from public.support_messages where message ~ '(a+)+b'$$,
    '42501', null,
    'a signed-in user cannot read the refusal catalog, nor run a regular expression over it'
);
select throws_ok(
    format($$insert into public.support_tickets (user_id, ticket_type, subject, description) values (%L, 'billing', 's', 'd')$$,
        tests.get_supabase_uid('owner')),
    '42501',
    'new row violates row-level security policy for table "support_tickets"',
    'another user cannot file a ticket in the owner''s name'
);
select throws_ok(
    format($$insert into public.user_feedback (user_id, category, description) values (%L, 'praise', 'd')$$,
        tests.get_supabase_uid('owner')),
    '42501',
    'new row violates row-level security policy for table "user_feedback"',
    'another user cannot submit feedback in the owner''s name'
);

-- Anonymous requests.
select tests.clear_authentication();
select throws_ok(format('select * from public.%I', t), '42501', null, format('anon cannot read %s', t))
from unnest(array['support_tickets', 'user_feedback', 'rate_limits', 'support_messages']) as t;
select throws_ok(
    $$insert into public.support_tickets (ticket_type, subject, description) values ('billing', 's', 'd')$$,
    '42501', null, 'anon cannot file a ticket'
);
select throws_ok(
    $$insert into public.user_feedback (category, description) values ('praise', 'd')$$,
    '42501', null, 'anon cannot submit feedback'
);

-- service_role: support's tools, not subject to RLS.
select tests.authenticate_as_service_role();
select is(
    (select count(*)::int from public.support_tickets
     where user_id in (tests.get_supabase_uid('owner'), tests.get_supabase_uid('other'))),
    2,
    'service_role reads every user''s tickets'
);
select lives_ok(
    $$update public.support_tickets set status = 'resolved', resolution = 'Refunded', assigned_to = 'sam'
      where id = '30000000-0000-4000-8000-000000000001'$$,
    'service_role works a ticket: status, resolution, assignee'
);
select lives_ok(
    $$update public.user_feedback set status = 'planned', admin_response = 'Soon'
      where id = '30000000-0000-4000-8000-000000000002'$$,
    'service_role answers feedback'
);
select lives_ok(
    format($$insert into public.support_tickets (user_id, ticket_type, subject, description, status, meta_data)
             values (%L, 'other', 'Filed by support', 'On the phone', 'in_progress', '{"channel": "phone"}')$$,
        tests.get_supabase_uid('other')),
    'service_role files a ticket for a user, with any column'
);
select lives_ok(
    $$delete from public.user_feedback where id = '30000000-0000-4000-8000-000000000002'$$,
    'service_role deletes feedback'
);

-- The owner sees support's work on their ticket.
select tests.authenticate_as('owner');
select results_eq(
    $$select status, resolution from public.support_tickets where id = '30000000-0000-4000-8000-000000000001'$$,
    $$values ('resolved', 'Refunded')$$,
    'the owner reads the status and resolution support set'
);

reset role;
select * from finish();
rollback;
