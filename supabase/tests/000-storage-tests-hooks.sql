-- Test helpers that act on storage.objects as Supabase's Storage API does (runs after
-- 000-setup-tests-hooks.sql: pg_prove takes the files in name order).
--
-- The Storage API sets, per request and transaction-local, the caller's role and JWT claims
-- (request.jwt.claims, request.jwt.claim.sub, request.jwt.claim.role), the operation
-- (storage.operation) and storage.allow_delete_query; then:
--   upload: inserts the object's row as the caller (owner and owner_id = the JWT's sub, metadata
--           {mimetype, contentLength} as declared) and rolls it back: the permission check.
--           Then it stores the file and writes the row again, as its super user (service_role),
--           with the stored file's metadata (size, mimetype, ...). With upsert, both writes are
--           INSERT ... ON CONFLICT (name, bucket_id) DO UPDATE.
--   download, signed URL, list: selects rows as the caller. remove: deletes as the caller.
-- `who` is a test user's identifier, 'anon' or 'service_role'.

set client_min_messages = warning;

create or replace function tests.act_as_storage_caller(who text, operation text)
    returns void
    language plpgsql
    set search_path = ''
as $$
begin
    if who = 'anon' then
        perform tests.clear_authentication();
        perform set_config('request.jwt.claims', '{"role": "anon"}', true);
    elsif who = 'service_role' then
        perform tests.authenticate_as_service_role();
    else
        perform tests.authenticate_as(who);
    end if;
    perform set_config('request.jwt.claim.role', current_setting('role'), true);
    perform set_config('request.jwt.claim.sub',
        coalesce(current_setting('request.jwt.claims', true)::jsonb ->> 'sub', ''), true);
    perform set_config('storage.operation', operation, true);
    perform set_config('storage.allow_delete_query', 'true', true);
end;
$$;

-- The Storage API's settings last one request (one transaction); a test file is one
-- transaction, so the helpers below clear the request-scoped ones when done, keeping the role
-- and claims: a stale request.jwt.claim.sub would otherwise outlive a later
-- tests.authenticate_as (auth.uid() reads it first).
create or replace function tests.end_storage_request()
    returns void
    language plpgsql
    set search_path = ''
as $$
begin
    perform set_config('request.jwt.claim.sub', '', true);
    perform set_config('request.jwt.claim.role', '', true);
    perform set_config('storage.operation', '', true);
    perform set_config('storage.allow_delete_query', '', true);
end;
$$;

create or replace function tests.storage_upload(
    who text,
    path text,
    mimetype text default 'image/png',
    size bigint default 1024,
    upsert boolean default false,
    bucket text default 'support-attachments'
)
    returns void
    language plpgsql
    set search_path = ''
as $$
declare
    owner_text text;
begin
    perform tests.act_as_storage_caller(who, 'storage.object.upload');
    owner_text := nullif(current_setting('request.jwt.claim.sub', true), '');

    -- The permission check, as the caller, rolled back whatever happens.
    begin
        if upsert then
            insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
            values (bucket, path, owner_text::uuid, owner_text,
                    jsonb_build_object('mimetype', mimetype, 'contentLength', size), '{}', '1')
            on conflict (name, bucket_id) do update
            set metadata = excluded.metadata, user_metadata = excluded.user_metadata,
                version = excluded.version, owner = excluded.owner, owner_id = excluded.owner_id;
        else
            insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
            values (bucket, path, owner_text::uuid, owner_text,
                    jsonb_build_object('mimetype', mimetype, 'contentLength', size), '{}', '1');
        end if;
        raise sqlstate 'PT200' using message = 'ROLLBACK';
    exception
        when sqlstate 'PT200' then
            null;
    end;

    -- The file is stored; the Storage API records it as its super user.
    perform tests.act_as_storage_caller('service_role', 'storage.object.upload');
    insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
    values (bucket, path, owner_text::uuid, owner_text,
            jsonb_build_object('size', size, 'mimetype', mimetype, 'contentLength', size,
                               'eTag', '"' || md5(path) || '"', 'cacheControl', 'max-age=3600',
                               'lastModified', now(), 'httpStatusCode', 200),
            '{}', gen_random_uuid()::text)
    on conflict (name, bucket_id) do update
    set metadata = excluded.metadata, user_metadata = excluded.user_metadata,
        version = excluded.version, owner = excluded.owner, owner_id = excluded.owner_id;

    perform tests.act_as_storage_caller(who, 'storage.object.upload');
    perform tests.end_storage_request();
end;
$$;

-- Removes objects as the Storage API does for `remove([path])`: a delete as the caller; rows
-- the policies hide are simply not deleted. Returns how many were.
create or replace function tests.storage_remove(who text, path text, bucket text default 'support-attachments')
    returns integer
    language plpgsql
    set search_path = ''
as $$
declare
    removed integer;
begin
    perform tests.act_as_storage_caller(who, 'storage.object.delete');
    delete from storage.objects as o where o.bucket_id = bucket and o.name = path;
    get diagnostics removed = row_count;
    perform tests.end_storage_request();
    return removed;
end;
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

begin;
select plan(1);
select ok(
    to_regprocedure('tests.storage_upload(text, text, text, bigint, boolean, text)') is not null,
    'The storage test helpers are installed before the other test files run'
);
select * from finish();
rollback;
