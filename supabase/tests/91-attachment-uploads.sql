-- Uploads into the support-attachments bucket, per actor, as the Storage API performs them:
-- the permission check as the caller, then the stored file's row as service_role.
begin;
select plan(41);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values
    ('91000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Open', 'd', 'open', null, null),
    ('91000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Closed', 'd', 'closed', 'Done', now() - interval '9 days'),
    ('91000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'billing', 'Theirs', 'd', 'open', null, null),
    ('91000000-0000-4000-8000-000000000004', tests.get_supabase_uid('owner'), 'bug', 'Resolved', 'd', 'resolved', 'Fixed', now() - interval '1 day');

-- Paths used below.
create temporary table paths (label text primary key, path text not null);
grant select on paths to anon, authenticated, service_role;
insert into paths values
    ('own', tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000001/screen.png'),
    ('own resolved', tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000004/log.txt'),
    ('own closed', tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000002/late.png'),
    ('own folder, their ticket', tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000003/sneaky.png'),
    ('their folder', tests.get_supabase_uid('other') || '/91000000-0000-4000-8000-000000000003/theirs.png'),
    ('owner folder by other', tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000001/planted.png'),
    ('too deep', tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000001/a/b.png'),
    ('staff', 'staff/91000000-0000-4000-8000-000000000001/answer.png'),
    ('staff closed', 'staff/91000000-0000-4000-8000-000000000002/post-mortem.pdf'),
    ('staff no ticket', 'staff/91000000-0000-4000-8000-0000000000ff/ghost.png');

create function pg_temp.path_of(label text) returns text language sql stable
    as $$ select p.path from paths as p where p.label = path_of.label $$;

-- The owner.
select lives_ok(
    format($$select tests.storage_upload('owner', %L, 'image/png', 2048)$$, pg_temp.path_of('own')),
    'the owner uploads into their folder of their open ticket'
);
reset role;
select results_eq(
    format($$select owner, owner_id, (metadata ->> 'size')::bigint, path_tokens[2] from storage.objects where name = %L$$, pg_temp.path_of('own')),
    format($$values (%L::uuid, %L, 2048::bigint, '91000000-0000-4000-8000-000000000001')$$,
        tests.get_supabase_uid('owner'), tests.get_supabase_uid('owner')),
    'the stored row carries the owner from the JWT and the stored size'
);
select lives_ok(
    format($$select tests.storage_upload('owner', %L, 'text/plain', 500)$$, pg_temp.path_of('own resolved')),
    'the owner uploads into a resolved ticket (it is not closed)'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L)$$, pg_temp.path_of('own closed')),
    '42501', null,
    'the owner cannot upload into a closed ticket'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L)$$, pg_temp.path_of('own folder, their ticket')),
    '42501', null,
    'the owner cannot upload for another user''s ticket, even into their own folder'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L)$$, pg_temp.path_of('their folder')),
    '42501', null,
    'the owner cannot upload into another user''s folder'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L)$$, pg_temp.path_of('staff')),
    '42501', null,
    'the owner cannot upload into support''s folder'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L)$$, pg_temp.path_of('too deep')),
    '42501', null,
    'the owner cannot upload into a sub-folder: the path is {user}/{ticket}/{file name}'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L)$$, pg_temp.path_of('own')),
    '23505', null,
    'an upload to a path that exists, without upsert, is a duplicate'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L, bucket => 'avatars')$$, pg_temp.path_of('own')),
    '42501', null,
    'the policies give the owner nothing in another bucket'
);

-- Upsert (storage-js upload with upsert: true) needs the insert, select and update policies.
select lives_ok(
    format($$select tests.storage_upload('owner', %L, 'image/png', 4096, upsert => true)$$, pg_temp.path_of('own')),
    'the owner replaces their own file with an upsert'
);
reset role;
select is(
    (select (metadata ->> 'size')::int from storage.objects where name = pg_temp.path_of('own')),
    4096,
    'the upsert replaced the file: one row, the new size'
);

-- Another user.
select throws_ok(
    format($$select tests.storage_upload('other', %L)$$, pg_temp.path_of('owner folder by other')),
    '42501', null,
    'another user cannot upload into the owner''s folder'
);
select throws_ok(
    format($$select tests.storage_upload('other', %L, upsert => true)$$, pg_temp.path_of('own')),
    '42501', null,
    'another user cannot overwrite the owner''s file with an upsert'
);
select lives_ok(
    format($$select tests.storage_upload('other', %L)$$, pg_temp.path_of('their folder')),
    'another user uploads into their own ticket'
);

-- Staff.
select lives_ok(
    format($$select tests.storage_upload('agent', %L, 'application/pdf', 10000)$$, pg_temp.path_of('staff')),
    'an agent uploads into the staff folder of a ticket'
);
select lives_ok(
    format($$select tests.storage_upload('admin', %L, 'application/pdf', 10000)$$, pg_temp.path_of('staff closed')),
    'an admin uploads into the staff folder of a closed ticket (support still documents it)'
);
select throws_ok(
    format($$select tests.storage_upload('agent', %L)$$, pg_temp.path_of('owner folder by other')),
    '42501', null,
    'an agent cannot upload into a user''s folder'
);
select throws_ok(
    format($$select tests.storage_upload('agent', %L)$$, pg_temp.path_of('staff no ticket')),
    '42501', null,
    'an agent cannot upload for a ticket that does not exist'
);
select throws_ok(
    format($$select tests.storage_upload('agent', %L, upsert => true)$$, pg_temp.path_of('own')),
    '42501', null,
    'an agent cannot overwrite a user''s file'
);

-- Anonymous callers.
select throws_ok(
    format($$select tests.storage_upload('anon', %L)$$, pg_temp.path_of('owner folder by other')),
    '42501', null,
    'an anonymous caller cannot upload'
);

-- service_role (the Storage API with the service key; RLS does not apply, the path rules do).
select lives_ok(
    format($$select tests.storage_upload('service_role', %L)$$, pg_temp.path_of('owner folder by other')),
    'service_role uploads into a user''s folder of their ticket'
);
select throws_ok(
    format($$select tests.storage_upload('service_role', %L)$$, pg_temp.path_of('too deep')),
    '42501',
    'An attachment''s path must be {user_id}/{ticket_id}/{file name} or staff/{ticket_id}/{file name}',
    'service_role cannot store a file outside the path rule'
);
select throws_ok(
    format($$select tests.storage_upload('service_role', %L)$$, pg_temp.path_of('own folder, their ticket')),
    '42501', 'Ticket not found',
    'service_role cannot store a user''s file under a ticket that is not theirs'
);
select throws_ok(
    format($$select tests.storage_upload('service_role', %L)$$, pg_temp.path_of('staff no ticket')),
    '42501', 'Ticket not found',
    'service_role cannot store a file for a ticket that does not exist'
);

-- Names that a store or a reader would take for something else, refused for every caller.
select throws_ok(
    format($$select tests.storage_upload('service_role', %L)$$,
        tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000001/' || n.file_name),
    '42501', n.message,
    format('a file named %s is refused with a message naming the rule', n.label)
)
from (values
    ('.', '.', 'No part of an attachment''s path may be . or ..'),
    ('..', '..', 'No part of an attachment''s path may be . or ..'),
    ('%2e%2e', '%2e%2e', 'No part of an attachment''s path may be . or ..'),
    ('with a backslash', 'a\..\b.png', 'An attachment''s path must not contain backslashes, control characters or bidirectional text controls'),
    ('with a control character', e'a\tb.png', 'An attachment''s path must not contain backslashes, control characters or bidirectional text controls'),
    ('with a bidi override', e'invoice\u202egnp.exe', 'An attachment''s path must not contain backslashes, control characters or bidirectional text controls'),
    ('with a leading space', ' a.png', 'No part of an attachment''s path may begin or end with a space'),
    ('with a trailing space', 'a.png ', 'No part of an attachment''s path may begin or end with a space'),
    ('blank', '   ', 'No part of an attachment''s path may begin or end with a space')
) as n (label, file_name, message);

-- The per-ticket limits (public.attachment_limits): count and total size of the owner's files.
reset role;
update public.attachment_limits set max_files_per_ticket = 4, max_bytes_per_ticket = 10000;
-- The ticket holds own (4096 bytes) and planted (1024): two files, 5120 bytes.
select lives_ok(
    format($$select tests.storage_upload('owner', %L, 'image/png', 1000)$$,
        tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000001/third.png'),
    'the owner uploads a third file'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L, 'video/mp4', 3881)$$,
        tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000001/big.mp4'),
    '42501', 'A ticket''s files can take at most 10000 bytes together',
    'a file that would take the ticket past its total size is refused'
);
select lives_ok(
    format($$select tests.storage_upload('owner', %L, 'video/mp4', 3880)$$,
        tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000001/fits.mp4'),
    'a file that fills the ticket to exactly its total size is accepted'
);
select throws_ok(
    format($$select tests.storage_upload('owner', %L, 'text/plain', 0)$$,
        tests.get_supabase_uid('owner') || '/91000000-0000-4000-8000-000000000001/fifth.txt'),
    '42501', 'A ticket can hold at most 4 files',
    'a fifth file is refused once the ticket holds four'
);
select lives_ok(
    format($$select tests.storage_upload('owner', %L, 'image/png', 100, upsert => true)$$, pg_temp.path_of('own')),
    'replacing a file of a full ticket is not a new file: it is accepted'
);
select lives_ok(
    format($$select tests.storage_upload('agent', %L, 'image/png', 50000)$$,
        'staff/91000000-0000-4000-8000-000000000001/more.png'),
    'support''s files are not counted against the ticket''s limits'
);
reset role;
select is(
    (select count(*)::int from storage.objects where path_tokens[2] = '91000000-0000-4000-8000-000000000001'
        and path_tokens[1] = tests.get_supabase_uid('owner')::text),
    4,
    'the owner''s folder of the ticket holds exactly the four accepted files'
);

select * from finish();
rollback;
