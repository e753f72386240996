-- Linking uploads to tickets and messages (public.ticket_attachments), per actor: who links
-- what, and who reads which links (a message's visibility is its files').
begin;
select plan(31);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values
    ('93000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Open', 'd', 'open', null, null),
    ('93000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Soon closed', 'd', 'resolved', 'Done', now() - interval '1 day'),
    ('93000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'billing', 'Theirs', 'd', 'open', null, null);

insert into public.ticket_messages (id, ticket_id, author_id, author_kind, internal, body) values
    ('93000000-0000-4000-8000-0000000000a1', '93000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', false, 'Here is a guide'),
    ('93000000-0000-4000-8000-0000000000a2', '93000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', true, 'Server log'),
    ('93000000-0000-4000-8000-0000000000b1', '93000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'user', false, 'Screenshot attached'),
    ('93000000-0000-4000-8000-0000000000c1', '93000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'user', false, 'Mine');

create temporary table files (label text primary key, path text not null);
grant select on files to anon, authenticated, service_role;
insert into files values
    ('owner a', tests.get_supabase_uid('owner') || '/93000000-0000-4000-8000-000000000001/a.png'),
    ('owner b', tests.get_supabase_uid('owner') || '/93000000-0000-4000-8000-000000000001/b.png'),
    ('owner c', tests.get_supabase_uid('owner') || '/93000000-0000-4000-8000-000000000001/c.png'),
    ('owner closing', tests.get_supabase_uid('owner') || '/93000000-0000-4000-8000-000000000002/late.png'),
    ('other', tests.get_supabase_uid('other') || '/93000000-0000-4000-8000-000000000003/theirs.png'),
    ('staff public', 'staff/93000000-0000-4000-8000-000000000001/guide.pdf'),
    ('staff internal', 'staff/93000000-0000-4000-8000-000000000001/server.txt'),
    ('admin file', 'staff/93000000-0000-4000-8000-000000000001/admin.png'),
    ('never uploaded', tests.get_supabase_uid('owner') || '/93000000-0000-4000-8000-000000000001/ghost.png');
create function pg_temp.path_of(label text) returns text language sql stable
    as $$ select f.path from files as f where f.label = path_of.label $$;

select tests.storage_upload('owner', pg_temp.path_of('owner a'));
select tests.storage_upload('owner', pg_temp.path_of('owner b'));
select tests.storage_upload('owner', pg_temp.path_of('owner c'));
select tests.storage_upload('owner', pg_temp.path_of('owner closing'));
select tests.storage_upload('other', pg_temp.path_of('other'));
select tests.storage_upload('agent', pg_temp.path_of('staff public'), 'application/pdf', 100);
select tests.storage_upload('agent', pg_temp.path_of('staff internal'), 'text/plain', 100);
select tests.storage_upload('admin', pg_temp.path_of('admin file'));
reset role;
update public.support_tickets set status = 'closed' where id = '93000000-0000-4000-8000-000000000002';

-- The owner links their uploads.
select tests.authenticate_as('owner');
select lives_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000001', %L)$$, pg_temp.path_of('owner a')),
    'the owner attaches their upload to their ticket'
);
select lives_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000001', '93000000-0000-4000-8000-0000000000b1', %L)$$, pg_temp.path_of('owner b')),
    'the owner attaches their upload to their own reply'
);
select is(
    (select linked_by from public.ticket_attachments where object_name = pg_temp.path_of('owner a')),
    tests.get_supabase_uid('owner'),
    'the link records who made it, from the JWT'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000001', '93000000-0000-4000-8000-0000000000a1', %L)$$, pg_temp.path_of('owner c')),
    '42501', null,
    'the owner cannot attach a file to support''s reply'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000001', %L)$$, pg_temp.path_of('owner a')),
    '23505', null,
    'a file is attached once'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000003', %L)$$, pg_temp.path_of('owner c')),
    '42501', null,
    'the owner cannot attach their file to another user''s ticket'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000002', %L)$$, pg_temp.path_of('owner closing')),
    '42501', null,
    'the owner cannot attach files to a closed ticket'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000001', %L)$$, pg_temp.path_of('never uploaded')),
    '42501', null,
    'the owner cannot attach a file that was never uploaded'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name, linked_by) values ('93000000-0000-4000-8000-000000000001', %L, %L)$$, pg_temp.path_of('owner c'), tests.get_supabase_uid('other')),
    '42501', null,
    'the owner cannot say someone else linked it'
);
select throws_ok(
    $$update public.ticket_attachments set message_id = null$$,
    '42501', null,
    'the owner cannot change a link'
);
select throws_ok(
    $$delete from public.ticket_attachments$$,
    '42501', null,
    'the owner cannot remove a link'
);

-- Another user.
select tests.authenticate_as('other');
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000001', %L)$$, pg_temp.path_of('owner c')),
    '42501', null,
    'another user cannot attach the owner''s file'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000003', '93000000-0000-4000-8000-0000000000c1', %L)$$, pg_temp.path_of('owner c')),
    '42501', null,
    'another user cannot attach the owner''s file to their own ticket'
);
select lives_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000003', '93000000-0000-4000-8000-0000000000c1', %L)$$, pg_temp.path_of('other')),
    'another user attaches their own file to their own reply'
);
select is_empty(
    $$select 1 from public.ticket_attachments where ticket_id = '93000000-0000-4000-8000-000000000001'$$,
    'another user reads none of the owner''s links'
);

-- Staff.
select tests.authenticate_as('agent');
select lives_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000001', '93000000-0000-4000-8000-0000000000a1', %L)$$, pg_temp.path_of('staff public')),
    'an agent attaches their upload to their public reply'
);
select lives_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000001', '93000000-0000-4000-8000-0000000000a2', %L)$$, pg_temp.path_of('staff internal')),
    'an agent attaches their upload to their internal note'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000001', '93000000-0000-4000-8000-0000000000b1', %L)$$, pg_temp.path_of('owner c')),
    '42501', null,
    'an agent cannot attach a user''s file'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000001', '93000000-0000-4000-8000-0000000000a1', %L)$$, pg_temp.path_of('admin file')),
    '42501', null,
    'an agent cannot attach another staff member''s upload'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000001', %L)$$, pg_temp.path_of('staff public')),
    '42501', null,
    'an agent cannot attach support''s file to the ticket alone, outside a message'
);
select is(
    (select count(*)::int from public.ticket_attachments where ticket_id::text like '93000000-%'),
    5,
    'an agent reads every link, internal notes'' included'
);

select tests.authenticate_as('admin');
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, message_id, object_name) values ('93000000-0000-4000-8000-000000000001', '93000000-0000-4000-8000-0000000000a1', %L)$$, pg_temp.path_of('admin file')),
    '42501', null,
    'an admin cannot attach a file to a message someone else wrote'
);
select is(
    (select count(*)::int from public.ticket_attachments where ticket_id::text like '93000000-%'),
    5,
    'an admin reads every link'
);

-- The owner again: the internal note's file is not theirs to see.
select tests.authenticate_as('owner');
select results_eq(
    $$select object_name from public.ticket_attachments order by created_at, object_name$$,
    format($$select unnest(array[%L, %L, %L])$$, pg_temp.path_of('owner a'), pg_temp.path_of('owner b'), pg_temp.path_of('staff public')),
    'the owner reads their own links and support''s file on the public reply, not the internal note''s'
);
select is_empty(
    $$select 1 from public.support_tickets as t join public.ticket_attachments as a on a.ticket_id = t.id
      join public.ticket_messages as m on m.id = a.message_id where m.internal$$,
    'no join from the owner''s tickets reaches the internal note''s file (what embedding does)'
);

-- Anonymous callers and service_role.
select tests.clear_authentication();
select throws_ok(
    $$select 1 from public.ticket_attachments$$,
    '42501', null,
    'an anonymous caller cannot read links'
);
select throws_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000001', %L)$$, pg_temp.path_of('owner c')),
    '42501', null,
    'an anonymous caller cannot link'
);

select tests.authenticate_as_service_role();
select is(
    (select count(*)::int from public.ticket_attachments where ticket_id::text like '93000000-%'),
    5,
    'service_role reads every link'
);
select is(
    tests.error_of(format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000002', %L)$$, pg_temp.path_of('owner c'))) ->> 'constraint',
    'ticket_attachments_object_name_in_ticket',
    'not even service_role attaches a file to a ticket its path does not name'
);
select is(
    tests.error_of(format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000001', %L)$$, pg_temp.path_of('admin file'))) ->> 'constraint',
    'ticket_attachments_message_id_for_staff_files',
    'not even service_role attaches support''s file to the ticket alone: it goes on a message'
);
select lives_ok(
    format($$insert into public.ticket_attachments (ticket_id, object_name) values ('93000000-0000-4000-8000-000000000001', %L)$$, pg_temp.path_of('owner c')),
    'service_role attaches a user''s file to its ticket'
);

select * from finish();
rollback;
