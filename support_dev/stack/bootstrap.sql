-- Local-only bootstrap: gives a plain PostgreSQL cluster what every Supabase project
-- already has, so that `supabase db push` applies supabase/migrations/ here exactly as it does
-- to a hosted project. Nothing in the migrations may depend on anything defined here that
-- Supabase lacks. Runs once, on a new database, as the superuser `postgres`.
-- Definitions follow Supabase's own (supabase/postgres init scripts and GoTrue's schema),
-- owners included: `supabase db reset --db-url` drops every schema that supabase_admin does
-- not own, so schemas the platform owns must belong to supabase_admin here too.

-- Roles, with the attributes Supabase gives them. `authenticator` is the role PostgREST logs
-- in as; it switches to the role named in the request's JWT. supabase_admin and
-- supabase_auth_admin own the platform's objects; no local service logs in as them.
-- Roles belong to the cluster, so a recreated database (`reset`) finds them already there.
do $$
begin
    if to_regrole('anon') is null then
        create role anon nologin noinherit;
        create role authenticated nologin noinherit;
        create role service_role nologin noinherit bypassrls;
        create role authenticator login noinherit password 'postgres';
    end if;
    if to_regrole('supabase_admin') is null then
        create role supabase_admin nologin superuser createdb createrole replication bypassrls;
        -- GoTrue's own role; on Supabase it also runs auth hooks
        -- (public.custom_access_token_hook).
        create role supabase_auth_admin nologin noinherit createrole;
    end if;
end
$$;
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;

-- Supabase's per-role limits: a slow anonymous or user query cannot hold a connection.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role postgres set search_path = "$user", public, extensions;

-- Supabase creates its schemas and extensions as supabase_admin.
set role supabase_admin;

-- Extensions live in their own schema, as on Supabase.
create schema extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension "uuid-ossp" with schema extensions;
create extension pgcrypto with schema extensions;
create extension pg_stat_statements with schema extensions;

reset role;

-- Supabase's default grants: every new object in public is granted to the API roles, and
-- Row Level Security decides what they see. Migrations narrow these grants themselves.
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;

-- The auth schema: the parts of GoTrue's schema that application migrations reference.
-- The schema is supabase_admin's; GoTrue's tables and functions are supabase_auth_admin's.
create schema auth authorization supabase_admin;
grant all on schema auth to supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;

create table auth.users (
    instance_id uuid,
    id uuid not null primary key,
    aud varchar(255),
    role varchar(255),
    email varchar(255),
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamptz,
    updated_at timestamptz,
    phone text unique default null,
    phone_confirmed_at timestamptz,
    banned_until timestamptz,
    deleted_at timestamptz,
    is_sso_user boolean not null default false,
    is_anonymous boolean not null default false
);
create unique index users_email_partial_key on auth.users (email) where is_sso_user = false;
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
grant select on auth.users to service_role;

create function auth.uid() returns uuid
    language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;
comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

create function auth.role() returns text
    language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';

create function auth.email() returns text
    language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;

create function auth.jwt() returns jsonb
    language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
    to anon, authenticated, service_role;

alter table auth.users owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;

-- Supabase Realtime's publication, empty as a new Supabase project has it; migrations add the
-- tables the app listens to.
do $$
begin
    if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end
$$;
