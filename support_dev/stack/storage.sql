-- Local-only bootstrap, part two: the `storage` schema as Supabase's Storage server leaves it
-- after its own migrations (supabase/storage, migrations/tenant/, up to 0063 as of 2026).
-- There is no Storage server on this machine, so nothing writes files here; what this gives
-- the local database is the tables and helpers that our migrations' bucket, policies and
-- triggers act on, with the same columns, defaults, owner, grants and row level security, so
-- that pgTAP can insert into storage.objects exactly as the Storage API does.
-- Runs after bootstrap.sql and before supabase/migrations/, as the superuser `postgres`.
-- Never a migration: on Supabase the Storage server owns this schema.
--
-- Left out, because nothing of ours touches them: S3 multipart uploads, analytics (Iceberg)
-- and vector buckets, the search/list functions the server calls, and storage.migrations'
-- rows. The Storage server writes the objects' files and enforces the bucket's size and MIME
-- limits on the upload itself; here only their settings exist.

-- The role the Storage server logs in as; it owns the schema's tables and functions.
do $$
begin
    if to_regrole('supabase_storage_admin') is null then
        create role supabase_storage_admin nologin noinherit createrole;
    end if;
end
$$;

create schema storage authorization supabase_storage_admin;
grant usage on schema storage to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
    grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
    grant all on sequences to postgres, anon, authenticated, service_role;

set role supabase_storage_admin;

create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');

create table storage.migrations (
    id integer primary key,
    name varchar(100) unique not null,
    hash varchar(40) not null,
    executed_at timestamp default current_timestamp
);
alter table storage.migrations enable row level security;

create table storage.buckets (
    id text not null primary key,
    name text not null,
    owner uuid,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    public boolean default false,
    avif_autodetection boolean default false,
    file_size_limit bigint,
    allowed_mime_types text[],
    owner_id text,
    type storage.buckettype not null default 'STANDARD',
    versioning_status text not null default 'DISABLED',
    constraint buckets_versioning_status_check
        check (versioning_status in ('DISABLED', 'ENABLED', 'SUSPENDED')),
    constraint buckets_versioning_standard_only_check
        check (type = 'STANDARD' or versioning_status = 'DISABLED'),
    constraint buckets_versioning_dark_check check (versioning_status = 'DISABLED')
);
create unique index bname on storage.buckets using btree (name);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';
alter table storage.buckets enable row level security;

create table storage.objects (
    id uuid not null default gen_random_uuid() primary key,
    bucket_id text,
    name text,
    owner uuid,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    last_accessed_at timestamptz default now(),
    metadata jsonb,
    path_tokens text[] generated always as (string_to_array(name, '/')) stored,
    version text,
    owner_id text,
    user_metadata jsonb,
    archived_at timestamptz,
    is_delete_marker boolean not null default false,
    is_versioned boolean not null default false,
    constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id)
);
create unique index bucketid_objname on storage.objects using btree (bucket_id, name);
create index name_prefix_search on storage.objects (name text_pattern_ops);
create index idx_objects_bucket_id_name on storage.objects (bucket_id, name collate "C");
create index idx_objects_bucket_id_name_lower on storage.objects (bucket_id, (lower(name) collate "C"));
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';
alter table storage.objects enable row level security;

-- The path helpers storage policies use: a/b/c.png -> {a,b}, c.png, png.
create function storage.foldername(name text)
    returns text[]
    language plpgsql
    immutable
as $$
declare
    parts text[] := string_to_array(name, '/');
begin
    return parts[1 : array_length(parts, 1) - 1];
end
$$;

create function storage.filename(name text)
    returns text
    language plpgsql
    immutable
as $$
declare
    parts text[] := string_to_array(name, '/');
begin
    return parts[array_length(parts, 1)];
end
$$;

create function storage.extension(name text)
    returns text
    language plpgsql
    immutable
as $$
declare
    parts text[] := string_to_array(name, '/');
begin
    return reverse(split_part(reverse(parts[array_length(parts, 1)]), '.', 1));
end
$$;

-- The operation the Storage server is performing (e.g. storage.object.upload), set per request.
create function storage.operation()
    returns text
    language plpgsql
    stable
as $$
begin
    return current_setting('storage.operation', true);
end
$$;

create function storage.get_size_by_bucket()
    returns table (size bigint, bucket_id text)
    language plpgsql
    stable
as $$
begin
    return query
        select sum((o.metadata ->> 'size')::bigint)::bigint, o.bucket_id
        from storage.objects as o
        group by o.bucket_id;
end
$$;

create function storage.update_updated_at_column()
    returns trigger
    language plpgsql
as $$
begin
    new.updated_at = now();
    return new;
end
$$;

create trigger update_objects_updated_at
    before update on storage.objects
    for each row execute function storage.update_updated_at_column();

create function storage.enforce_bucket_name_length()
    returns trigger
    language plpgsql
as $$
begin
    if length(new.name) > 100 then
        raise exception 'bucket name is too long (% characters). Max is 100.', length(new.name);
    end if;
    return new;
end
$$;

create trigger enforce_bucket_name_length_trigger
    before insert or update of name on storage.buckets
    for each row execute function storage.enforce_bucket_name_length();

-- Rows of buckets and objects go only through the Storage API, which sets
-- storage.allow_delete_query for its own deletes: a plain DELETE would orphan the files.
create function storage.protect_delete()
    returns trigger
    language plpgsql
as $$
begin
    if coalesce(current_setting('storage.allow_delete_query', true), 'false') <> 'true' then
        raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
            using hint = 'This prevents accidental data loss from orphaned objects.',
                  errcode = '42501';
    end if;
    return null;
end
$$;

create trigger protect_buckets_delete
    before delete on storage.buckets
    for each statement execute function storage.protect_delete();

create trigger protect_objects_delete
    before delete on storage.objects
    for each statement execute function storage.protect_delete();

reset role;

-- The API roles hold every privilege on buckets and objects; row level security decides.
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to postgres with grant option;
