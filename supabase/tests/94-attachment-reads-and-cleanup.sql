-- Attachments in the ticket reads (get_ticket for the owner, support_ticket for staff) and the
-- clean-up's list of uploads never linked (public.unlinked_attachment_objects).
begin;
select plan(16);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');

insert into public.support_tickets (id, user_id, ticket_type, subject, description, status)
values
    ('94000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Open', 'd', 'open'),
    ('94000000-0000-4000-8000-000000000002', tests.get_supabase_uid('other'), 'billing', 'Theirs', 'd', 'open');
insert into public.ticket_messages (id, ticket_id, author_id, author_kind, internal, body) values
    ('94000000-0000-4000-8000-0000000000a1', '94000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', false, 'Guide attached'),
    ('94000000-0000-4000-8000-0000000000a2', '94000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', true, 'SECRET-NOTE with the server log');

create temporary table files (label text primary key, path text not null);
grant select on files to anon, authenticated, service_role;
insert into files values
    ('owner', tests.get_supabase_uid('owner') || '/94000000-0000-4000-8000-000000000001/screen.png'),
    ('owner stale', tests.get_supabase_uid('owner') || '/94000000-0000-4000-8000-000000000001/abandoned.png'),
    ('owner fresh', tests.get_supabase_uid('owner') || '/94000000-0000-4000-8000-000000000001/uploading.png'),
    ('staff public', 'staff/94000000-0000-4000-8000-000000000001/guide.pdf'),
    ('staff internal', 'staff/94000000-0000-4000-8000-000000000001/SECRET-server.txt');
create function pg_temp.path_of(label text) returns text language sql stable
    as $$ select f.path from files as f where f.label = path_of.label $$;

select tests.storage_upload('owner', pg_temp.path_of('owner'), 'image/png', 2048);
select tests.storage_upload('owner', pg_temp.path_of('owner stale'));
select tests.storage_upload('owner', pg_temp.path_of('owner fresh'));
select tests.storage_upload('agent', pg_temp.path_of('staff public'), 'application/pdf', 4000);
select tests.storage_upload('agent', pg_temp.path_of('staff internal'), 'text/plain', 100);
select tests.authenticate_as('owner');
insert into public.ticket_attachments (ticket_id, object_name)
values ('94000000-0000-4000-8000-000000000001', pg_temp.path_of('owner'));
select tests.authenticate_as('agent');
insert into public.ticket_attachments (ticket_id, message_id, object_name) values
    ('94000000-0000-4000-8000-000000000001', '94000000-0000-4000-8000-0000000000a1', pg_temp.path_of('staff public')),
    ('94000000-0000-4000-8000-000000000001', '94000000-0000-4000-8000-0000000000a2', pg_temp.path_of('staff internal'));

-- Uploaded two days ago (as if), never linked; the rest is recent or linked.
reset role;
update storage.objects set created_at = now() - interval '2 days'
where name in (pg_temp.path_of('owner stale'), pg_temp.path_of('owner'), pg_temp.path_of('staff internal'));

-- The owner's get_ticket.
select tests.authenticate_as('owner');
select results_eq(
    $$select a ->> 'path', a ->> 'name', a ->> 'content_type', (a ->> 'size')::int, a ->> 'bucket', a ->> 'message_id'
      from json_array_elements(public.get_ticket('94000000-0000-4000-8000-000000000001') -> 'attachments') as a
      order by 1$$,
    format($$values (%L, 'screen.png', 'image/png', 2048, 'support-attachments', null::text),
                    (%L, 'guide.pdf', 'application/pdf', 4000, 'support-attachments', '94000000-0000-4000-8000-0000000000a1')$$,
        pg_temp.path_of('owner'), pg_temp.path_of('staff public')),
    'get_ticket returns the owner''s file and support''s file on the public reply, as paths to sign'
);
select ok(
    public.get_ticket('94000000-0000-4000-8000-000000000001')::text not like '%SECRET%',
    'nothing get_ticket answers the owner mentions the internal note or its file'
);
select ok(
    (select bool_and(a ->> 'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
     from json_array_elements(public.get_ticket('94000000-0000-4000-8000-000000000001') -> 'attachments') as a),
    'attachment times are UTC, RFC 3339, ending in Z'
);

-- Another user: the same 404 as before, nothing about the files.
select tests.authenticate_as('other');
select is(
    (tests.error_of($$select public.get_ticket('94000000-0000-4000-8000-000000000001')$$) ->> 'detail')::json ->> 'status',
    '404',
    'another user''s get_ticket of the owner''s ticket is a 404'
);
select is(
    (public.get_ticket('94000000-0000-4000-8000-000000000002') -> 'attachments')::jsonb,
    '[]'::jsonb,
    'a ticket without files answers an empty list'
);

-- Staff: support_ticket has every file; staff asking get_ticket see only their own tickets.
select tests.authenticate_as('agent');
select results_eq(
    $$select a ->> 'name' from json_array_elements(public.support_ticket('94000000-0000-4000-8000-000000000001') -> 'attachments') as a order by 1$$,
    array['SECRET-server.txt', 'guide.pdf', 'screen.png'],
    'support_ticket returns every file of the ticket, the internal note''s included'
);
select is(
    (select a ->> 'message_id' from json_array_elements(public.support_ticket('94000000-0000-4000-8000-000000000001') -> 'attachments') as a
     where a ->> 'name' = 'SECRET-server.txt'),
    '94000000-0000-4000-8000-0000000000a2',
    'each file names the message it belongs to, so the dashboard shows it under the note'
);
select throws_ok(
    $$select * from public.unlinked_attachment_objects$$,
    '42501', null,
    'staff do not read the clean-up''s list'
);

select tests.authenticate_as('owner');
select throws_ok(
    $$select public.support_ticket('94000000-0000-4000-8000-000000000001')$$,
    'PGRST', null,
    'the owner cannot use support_ticket to reach the internal note''s file'
);
select throws_ok(
    $$select * from public.unlinked_attachment_objects$$,
    '42501', null,
    'users do not read the clean-up''s list'
);

select tests.clear_authentication();
select throws_ok(
    $$select public.get_ticket('94000000-0000-4000-8000-000000000001')$$,
    '42501', null,
    'anonymous callers cannot call get_ticket'
);
select throws_ok(
    $$select * from public.unlinked_attachment_objects$$,
    '42501', null,
    'anonymous callers do not read the clean-up''s list'
);

-- service_role: the clean-up's list.
select tests.authenticate_as_service_role();
select results_eq(
    $$select name from public.unlinked_attachment_objects where name like '%/94000000-%'$$,
    format($$values (%L)$$, pg_temp.path_of('owner stale')),
    'the clean-up lists only the upload never linked for longer than 24 hours'
);
reset role;
update public.attachment_limits set unlinked_after = interval '3 days';
select tests.authenticate_as_service_role();
select is_empty(
    $$select name from public.unlinked_attachment_objects where name like '%/94000000-%'$$,
    'the wait before the clean-up is the admins'' setting'
);
reset role;
update public.attachment_limits set unlinked_after = interval '1 minute';
update storage.objects set created_at = now() - interval '2 minutes' where name = pg_temp.path_of('owner fresh');
select tests.authenticate_as_service_role();
select results_eq(
    $$select name from public.unlinked_attachment_objects where name like '%/94000000-%' order by name$$,
    format($$values (%L), (%L)$$, pg_temp.path_of('owner stale'), pg_temp.path_of('owner fresh')),
    'a shorter wait lists the newer unlinked upload too, never a linked file'
);
select is(
    tests.storage_remove('service_role', pg_temp.path_of('owner stale')),
    1,
    'the worker removes a listed upload through the Storage API (a delete as service_role)'
);

select * from finish();
rollback;
