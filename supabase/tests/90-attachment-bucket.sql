-- The support-attachments bucket and its settings, the per-ticket limits as data, and who may
-- change them.
begin;
select plan(20);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- The bucket, as the Storage API reads it before each upload.
select results_eq(
    $$select public, file_size_limit from storage.buckets where id = 'support-attachments'$$,
    $$values (false, 26214400::bigint)$$,
    'the bucket is private and takes files of at most 25 MiB'
);
select is(
    (select allowed_mime_types from storage.buckets where id = 'support-attachments'),
    array['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/heic', 'application/pdf',
          'text/plain', 'video/mp4', 'video/webm', 'video/quicktime'],
    'the bucket takes images, PDF, plain-text logs and short recordings only'
);
select is_empty(
    $$select t from storage.buckets, unnest(allowed_mime_types) as t
      where id = 'support-attachments' and (t like '%svg%' or t like '%html%' or t like '%javascript%' or t like '%/*')$$,
    'no type a browser runs as a page or script, and no wildcard, is allowed'
);
select ok(
    (select relrowsecurity from pg_class where oid = 'storage.objects'::regclass),
    'row level security is on for storage.objects'
);
select is(
    (select count(*)::int from pg_policies where schemaname = 'storage' and tablename = 'objects'
        and qual is distinct from null and qual not like '%support-attachments%'
        and policyname in (
            'users upload to their own open tickets', 'staff upload to the staff folder of any ticket',
            'users read the files of their own tickets', 'staff read every file of the bucket',
            'users replace their own files until linked', 'staff replace their own files until linked',
            'users delete their own files until linked', 'staff delete their own files until linked')),
    0,
    'every policy on storage.objects that reads rows is bound to the support-attachments bucket'
);
select is(
    (select count(*)::int from pg_policies where schemaname = 'storage' and tablename = 'objects'
        and coalesce(with_check, qual) like '%support-attachments%'),
    8,
    'eight policies on storage.objects belong to the bucket'
);
select is_empty(
    $$select policyname from pg_policies where schemaname = 'storage' and tablename = 'objects'
      and coalesce(with_check, qual) like '%support-attachments%' and roles <> '{authenticated}'$$,
    'the bucket''s policies are for signed-in users only (anon gets nothing)'
);

-- The per-ticket limits are a row admins change.
select results_eq(
    $$select max_files_per_ticket, max_bytes_per_ticket, unlinked_after from public.attachment_limits$$,
    $$values (10, 104857600::bigint, interval '24 hours')$$,
    'a ticket holds at most 10 files and 100 MiB of the user''s; unlinked uploads go after 24 hours'
);
select is(
    tests.error_of($$insert into public.attachment_limits (id, max_files_per_ticket, max_bytes_per_ticket, unlinked_after) values (false, 1, 1, '1 hour')$$) ->> 'constraint',
    'attachment_limits_id_single_row',
    'the limits are one row'
);
select is(
    tests.error_of($$update public.attachment_limits set max_files_per_ticket = 0$$) ->> 'constraint',
    'attachment_limits_max_files_per_ticket_positive',
    'a limit of zero files is refused'
);

select tests.authenticate_as('owner');
select results_eq(
    $$select max_files_per_ticket from public.attachment_limits$$,
    array[10],
    'a user reads the limits (an app shows them before an upload)'
);
select is_empty(
    $$update public.attachment_limits set max_files_per_ticket = 99 returning 1$$,
    'a user cannot change the limits'
);
select is_empty(
    $$update storage.buckets set public = true where id = 'support-attachments' returning 1$$,
    'a user cannot make the bucket public or change its limits'
);

select tests.authenticate_as('agent');
select is_empty(
    $$update public.attachment_limits set max_files_per_ticket = 99 returning 1$$,
    'an agent cannot change the limits'
);

select tests.authenticate_as('admin');
select results_eq(
    $$update public.attachment_limits set max_files_per_ticket = 12 returning max_files_per_ticket$$,
    array[12],
    'an admin changes the number of files a ticket may hold'
);
select throws_ok(
    $$update public.attachment_limits set id = false$$,
    '42501', null,
    'an admin cannot change the row''s key'
);

select tests.clear_authentication();
select throws_ok(
    $$select * from public.attachment_limits$$,
    '42501', null,
    'anonymous callers cannot read the limits'
);

select tests.authenticate_as_service_role();
select results_eq(
    $$update public.attachment_limits set max_bytes_per_ticket = 2000000 returning max_bytes_per_ticket$$,
    array[2000000::bigint],
    'service_role changes the limits'
);
select throws_ok(
    $$delete from public.attachment_limits$$,
    '42501', null,
    'not even service_role deletes the limits'
);

reset role;
select ok(
    (select tgenabled = 'O' from pg_trigger where tgrelid = 'storage.objects'::regclass
        and tgname = 'support_attachments_enforce_rules'),
    'the path and limit rules run on every write to storage.objects'
);

select * from finish();
rollback;
