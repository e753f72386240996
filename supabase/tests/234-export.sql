-- The export batches from each actor's side: staff export a view's tickets in its columns, or a
-- date range, batch after batch; internal notes only when an admin asks; feedback the same;
-- users get 403, anon and service_role cannot call them.
begin;
select plan(17);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Sam Agent'),
    (tests.get_supabase_uid('admin'), 'admin', 'Alex Admin');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, created_at) values
    ('23400000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'xpq =HYPERLINK("x")', 'One', 'open', '2031-01-03'),
    ('23400000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'xpq second', 'Two', 'open', '2031-01-02'),
    ('23400000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'bug', 'xpq third', 'Three', 'open', '2031-01-01');
insert into public.ticket_messages (ticket_id, author_kind, internal, body) values
    ('23400000-0000-4000-8000-000000000001', 'agent', true, 'xpq secret internal note');
insert into public.user_feedback (id, user_id, category, description, created_at) values
    ('23400000-0000-4000-8000-0000000000f1', tests.get_supabase_uid('owner'), 'praise', 'xpq lovely', '2031-02-01'),
    ('23400000-0000-4000-8000-0000000000f2', tests.get_supabase_uid('owner'), 'praise', 'xpq older', '2030-02-01');
insert into public.saved_views (id, name, owner_id, conditions, columns) values
    ('234f0000-0000-4000-8000-000000000001', 'xpq billing', null,
     '{"conditions": [{"field": "text", "op": "matches", "value": "xpq"}, {"field": "ticket_type", "op": "is", "value": "billing"}]}',
     '{ticket_id,subject,requester}');

create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;

-- agent
select tests.authenticate_as('agent');
select is(
    (public.support_export_tickets(view => '234f0000-0000-4000-8000-000000000001') -> 'columns')::jsonb,
    '["ticket_id", "subject", "requester"]'::jsonb,
    'an export of a view has the view''s columns'
);
select is(
    (public.support_export_tickets(view => '234f0000-0000-4000-8000-000000000001') -> 'labels')::jsonb,
    '["Ticket", "Subject", "Requester"]'::jsonb,
    'and their labels, for the header'
);
select is(
    (select json_array_length(public.support_export_tickets(view => '234f0000-0000-4000-8000-000000000001') -> 'rows')),
    2,
    'an export of a view holds exactly its tickets'
);
select is(
    (select json_agg(r -> 1) from json_array_elements(public.support_export_tickets(view => '234f0000-0000-4000-8000-000000000001') -> 'rows') as r)::jsonb,
    '["xpq =HYPERLINK(\"x\")", "xpq second"]'::jsonb,
    'rows come newest first, as texts (the CSV writer, not the database, makes cells formula-safe)'
);
select is(
    (select json_agg(r -> 0) from json_array_elements(public.support_export_tickets(
        view => '234f0000-0000-4000-8000-000000000001', batch_size => '1',
        cursor => public.support_export_tickets(view => '234f0000-0000-4000-8000-000000000001', batch_size => '1') ->> 'next_cursor') -> 'rows') as r)::jsonb,
    '["23400000-0000-4000-8000-000000000002"]'::jsonb,
    'the next batch continues where the first stopped'
);
select is(
    public.support_export_tickets(view => '234f0000-0000-4000-8000-000000000001', batch_size => '2') ->> 'next_cursor',
    null,
    'the last batch has no next cursor'
);
select is(
    (select array_agg(r ->> 0 order by n) from json_array_elements(public.support_export_tickets(
        created_from => '2031-01-01T12:00:00Z', created_to => '2031-01-03') -> 'rows') with ordinality as x(r, n)),
    array['23400000-0000-4000-8000-000000000002'],
    'a date range exports the tickets created in [created_from, created_to)'
);
select is(
    (select count(*)::int from json_array_elements_text(public.support_export_tickets(created_from => '2031-01-01') -> 'columns') as c),
    (select count(*)::int from public.view_columns),
    'without a view, every column of public.view_columns is exported'
);
select ok(
    public.support_export_tickets(created_from => '2031-01-01')::text !~ 'secret internal note',
    'without the flag no internal note is exported'
);
select is(
    pg_temp.refusal($$select public.support_export_tickets(created_from => '2031-01-01', include_internal => 'true')$$),
    'export_internal_admins_only',
    'an agent asking for internal notes is refused (403)'
);
select is(
    pg_temp.refusal($$select public.support_export_tickets(cursor => 'not-a-cursor')$$),
    'queue_cursor_invalid',
    'a cursor the export did not give is refused'
);
select is(
    (select array_agg(r ->> 8 order by n) from json_array_elements(public.support_export_feedback(created_from => '2031-01-01') -> 'rows')
        with ordinality as x(r, n)),
    array['xpq lovely'],
    'staff export the feedback of a date range'
);

-- admin
select tests.authenticate_as('admin');
select is(
    (select r ->> 3 from json_array_elements(public.support_export_tickets(
        view => '234f0000-0000-4000-8000-000000000001', include_internal => 'true') -> 'rows') as r
     where r ->> 0 = '23400000-0000-4000-8000-000000000001') ~ 'xpq secret internal note$',
    true,
    'an admin who asks gets the internal notes as a last column'
);

-- a user
select tests.authenticate_as('owner');
select is(
    tests.error_of($$select public.support_export_tickets()$$) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    'a user cannot export tickets (403)'
);
select is(
    tests.error_of($$select public.support_export_feedback()$$) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    'a user cannot export feedback, even their own (403)'
);

-- anon, service_role
select tests.clear_authentication();
select throws_ok($$select public.support_export_tickets()$$, '42501', null, 'anon cannot export');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_export_feedback()$$, '42501', null, 'service_role cannot export (it is nobody)');

select * from finish();
rollback;
