-- Reading (download, signed URL), listing, replacing and removing files of the
-- support-attachments bucket, per actor, as the Storage API does them (as the caller).
begin;
select plan(34);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values
    ('92000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Open', 'd', 'open', null, null),
    ('92000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Closed', 'd', 'resolved', 'Done', now() - interval '9 days'),
    ('92000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'billing', 'Theirs', 'd', 'open', null, null);

insert into public.ticket_messages (id, ticket_id, author_id, author_kind, internal, body) values
    ('92000000-0000-4000-8000-0000000000a1', '92000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', false, 'See the attached guide'),
    ('92000000-0000-4000-8000-0000000000a2', '92000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', true, 'Internal: raw server log attached');

-- Files: the owner's (one linked, one not, one on the closed ticket), the other user's, and
-- support's (on a public reply, on an internal note, not linked yet).
create temporary table files (label text primary key, path text not null);
grant select on files to anon, authenticated, service_role;
insert into files values
    ('owner unlinked', tests.get_supabase_uid('owner') || '/92000000-0000-4000-8000-000000000001/draft.png'),
    ('owner linked', tests.get_supabase_uid('owner') || '/92000000-0000-4000-8000-000000000001/crash.txt'),
    ('owner closed', tests.get_supabase_uid('owner') || '/92000000-0000-4000-8000-000000000002/old.pdf'),
    ('other', tests.get_supabase_uid('other') || '/92000000-0000-4000-8000-000000000003/theirs.png'),
    ('staff public', 'staff/92000000-0000-4000-8000-000000000001/guide.pdf'),
    ('staff internal', 'staff/92000000-0000-4000-8000-000000000001/server.log'),
    ('staff unlinked', 'staff/92000000-0000-4000-8000-000000000001/wip.png');
create function pg_temp.path_of(label text) returns text language sql stable
    as $$ select f.path from files as f where f.label = path_of.label $$;

-- The owner's file on the closed ticket was uploaded before it closed.
select tests.storage_upload('owner', pg_temp.path_of('owner unlinked'));
select tests.storage_upload('owner', pg_temp.path_of('owner linked'), 'text/plain', 100);
select tests.storage_upload('owner', pg_temp.path_of('owner closed'), 'application/pdf', 100);
select tests.storage_upload('other', pg_temp.path_of('other'));
select tests.storage_upload('agent', pg_temp.path_of('staff public'), 'application/pdf', 100);
select tests.storage_upload('agent', pg_temp.path_of('staff internal'), 'text/plain', 100);
select tests.storage_upload('agent', pg_temp.path_of('staff unlinked'));
reset role;
update public.support_tickets set status = 'closed' where id = '92000000-0000-4000-8000-000000000002';
insert into public.ticket_attachments (ticket_id, message_id, object_name, linked_by) values
    ('92000000-0000-4000-8000-000000000001', null, pg_temp.path_of('owner linked'), tests.get_supabase_uid('owner')),
    ('92000000-0000-4000-8000-000000000001', '92000000-0000-4000-8000-0000000000a1', pg_temp.path_of('staff public'), tests.get_supabase_uid('agent')),
    ('92000000-0000-4000-8000-000000000001', '92000000-0000-4000-8000-0000000000a2', pg_temp.path_of('staff internal'), tests.get_supabase_uid('agent'));

create function pg_temp.visible_labels() returns text[] language sql stable as $$
    select coalesce(array_agg(f.label order by f.label), '{}')
    from storage.objects as o join files as f on f.path = o.name
    where o.bucket_id = 'support-attachments'
$$;

-- Reading: what a download or createSignedUrl finds (a select as the caller).
select tests.act_as_storage_caller('owner', 'storage.object.get_authenticated');
select is(
    pg_temp.visible_labels(),
    array['owner closed', 'owner linked', 'owner unlinked', 'staff public'],
    'the owner reads their own files (closed tickets too) and support''s file on a public reply'
);
select is_empty(
    format($$select 1 from storage.objects where name = %L$$, pg_temp.path_of('staff internal')),
    'the owner cannot read the file of an internal note, though it is on their ticket'
);
select is_empty(
    format($$select 1 from storage.objects where name = %L$$, pg_temp.path_of('staff unlinked')),
    'the owner cannot read support''s file before support attaches it to a reply'
);
-- Listing: storage-js list(folder) selects by prefix as the caller.
select is_empty(
    format($$select name from storage.objects where bucket_id = 'support-attachments' and name like %L$$,
        tests.get_supabase_uid('other') || '/%'),
    'the owner lists another user''s folder and finds nothing'
);
select is(
    (select count(*)::int from storage.objects
        where bucket_id = 'support-attachments' and name like 'staff/92000000-0000-4000-8000-000000000001/%'),
    1,
    'listing support''s folder of their ticket shows the owner only the file on the public reply'
);

select tests.act_as_storage_caller('other', 'storage.object.get_authenticated');
select is(
    pg_temp.visible_labels(),
    array['other'],
    'another user reads only their own file'
);
select is_empty(
    format($$select name from storage.objects where name like %L$$, tests.get_supabase_uid('owner') || '/%'),
    'another user lists the owner''s folder and finds nothing'
);

select tests.act_as_storage_caller('agent', 'storage.object.get_authenticated');
select is(
    cardinality(pg_temp.visible_labels()),
    7,
    'an agent reads every file of the bucket'
);
select tests.act_as_storage_caller('admin', 'storage.object.get_authenticated');
select is(
    cardinality(pg_temp.visible_labels()),
    7,
    'an admin reads every file of the bucket'
);
select tests.act_as_storage_caller('anon', 'storage.object.get_authenticated');
select is(
    pg_temp.visible_labels(),
    '{}'::text[],
    'an anonymous caller reads nothing (the bucket is private)'
);
select tests.act_as_storage_caller('service_role', 'storage.object.get_authenticated');
select is(
    cardinality(pg_temp.visible_labels()),
    7,
    'service_role reads every file'
);

-- Updating (metadata, a move): only one's own file, and only until it is linked.
select tests.act_as_storage_caller('owner', 'storage.object.update');
select results_eq(
    format($$update storage.objects set user_metadata = '{"note": "cropped"}' where name = %L returning 1$$, pg_temp.path_of('owner unlinked')),
    array[1],
    'the owner updates their own file before it is linked'
);
select is_empty(
    format($$update storage.objects set user_metadata = '{}' where name = %L returning 1$$, pg_temp.path_of('owner linked')),
    'the owner cannot change a file once it is linked to the ticket'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L, 'text/plain', 50, upsert => true)$$, pg_temp.path_of('owner linked')),
    '42501', null,
    'the owner cannot overwrite a linked file with an upsert either'
);
select tests.act_as_storage_caller('owner', 'storage.object.update');
select is_empty(
    format($$update storage.objects set user_metadata = '{}' where name = %L returning 1$$, pg_temp.path_of('other')),
    'the owner cannot change another user''s file'
);
select is_empty(
    format($$update storage.objects set user_metadata = '{}' where name = %L returning 1$$, pg_temp.path_of('staff unlinked')),
    'the owner cannot change support''s file'
);
select throws_ok(
    format($$update storage.objects set name = %L where name = %L$$,
        tests.get_supabase_uid('other') || '/92000000-0000-4000-8000-000000000003/moved.png', pg_temp.path_of('owner unlinked')),
    '42501', null,
    'the owner cannot move their file into another user''s folder'
);
select throws_ok(
    format($$update storage.objects set name = %L where name = %L$$,
        tests.get_supabase_uid('owner') || '/92000000-0000-4000-8000-000000000002/moved.png', pg_temp.path_of('owner unlinked')),
    '42501', null,
    'the owner cannot move a file into a closed ticket'
);
select tests.act_as_storage_caller('other', 'storage.object.update');
select is_empty(
    format($$update storage.objects set owner_id = %L where name = %L returning 1$$, tests.get_supabase_uid('other'), pg_temp.path_of('owner unlinked')),
    'another user cannot take over the owner''s file'
);
select tests.act_as_storage_caller('agent', 'storage.object.update');
select is_empty(
    format($$update storage.objects set user_metadata = '{}' where name = %L returning 1$$, pg_temp.path_of('owner unlinked')),
    'an agent cannot change a user''s file'
);
select results_eq(
    format($$update storage.objects set user_metadata = '{"v": 2}' where name = %L returning 1$$, pg_temp.path_of('staff unlinked')),
    array[1],
    'an agent updates their own file before it is linked'
);
select is_empty(
    format($$update storage.objects set user_metadata = '{}' where name = %L returning 1$$, pg_temp.path_of('staff public')),
    'an agent cannot change support''s file once it is on a reply'
);
select tests.act_as_storage_caller('admin', 'storage.object.update');
select is_empty(
    format($$update storage.objects set user_metadata = '{}' where name = %L returning 1$$, pg_temp.path_of('staff unlinked')),
    'an admin cannot change another staff member''s file'
);
select tests.act_as_storage_caller('anon', 'storage.object.update');
select is_empty(
    $$update storage.objects set user_metadata = '{}' returning 1$$,
    'an anonymous caller changes nothing'
);

-- Removing: the Storage API deletes as the caller; what the policies hide is not removed.
select is(tests.storage_remove('anon', pg_temp.path_of('owner unlinked')), 0,
    'an anonymous caller removes nothing');
select is(tests.storage_remove('other', pg_temp.path_of('owner unlinked')), 0,
    'another user cannot remove the owner''s file');
select is(tests.storage_remove('agent', pg_temp.path_of('owner unlinked')), 0,
    'an agent cannot remove a user''s file');
select is(tests.storage_remove('owner', pg_temp.path_of('owner linked')), 0,
    'the owner cannot remove a file once it is linked to the ticket');
select is(tests.storage_remove('owner', pg_temp.path_of('staff unlinked')), 0,
    'the owner cannot remove support''s file');
select is(tests.storage_remove('owner', pg_temp.path_of('owner unlinked')), 1,
    'the owner removes their own file before it is linked');
select is(tests.storage_remove('admin', pg_temp.path_of('staff unlinked')), 0,
    'an admin cannot remove another staff member''s file');
select is(tests.storage_remove('agent', pg_temp.path_of('staff unlinked')), 1,
    'an agent removes their own file before it is linked');
select is(tests.storage_remove('service_role', pg_temp.path_of('other')), 1,
    'service_role (the clean-up) removes any file');

-- Outside the Storage API, a delete of rows would orphan the stored files: refused.
reset role;
select set_config('storage.allow_delete_query', 'false', true);
select throws_ok(
    $$delete from storage.objects where bucket_id = 'support-attachments'$$,
    '42501', 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
    'rows of storage.objects are not deleted except through the Storage API'
);

select * from finish();
rollback;
