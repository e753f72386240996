-- Test helpers for the pgTAP suite (runs first: pg_prove takes the files in name order).
--
-- These follow usebasejump/supabase-test-helpers: create users in auth.users and act as them
-- the way PostgREST does (a role plus request.jwt.claims). They live in schema `tests`, which
-- is created here, outside any migration: test helpers never ship with the application.
-- Everything is `create or replace`, so running the suite again on the same database is fine.

set client_min_messages = warning;
create extension if not exists pgtap with schema extensions;

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

create or replace function tests.create_supabase_user(identifier text, email text default null)
    returns uuid
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    user_id uuid := gen_random_uuid();
begin
    insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values (
        user_id, 'authenticated', 'authenticated',
        coalesce(email, identifier || '-' || user_id || '@test.example'),
        '{"provider": "email", "providers": ["email"]}',
        jsonb_build_object('test_identifier', identifier),
        now(), now()
    );
    return user_id;
end;
$$;

create or replace function tests.get_supabase_uid(identifier text)
    returns uuid
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    user_id uuid;
begin
    select u.id into user_id
    from auth.users as u
    where u.raw_user_meta_data ->> 'test_identifier' = identifier
    limit 1;
    if user_id is null then
        raise exception 'test user "%" does not exist', identifier;
    end if;
    return user_id;
end;
$$;

-- Act as a signed-in user, as PostgREST does for a request with that user's JWT.
create or replace function tests.authenticate_as(identifier text)
    returns void
    language plpgsql
    set search_path = ''
as $$
declare
    user_id uuid := tests.get_supabase_uid(identifier);
begin
    perform set_config('role', 'authenticated', true);
    perform set_config('request.jwt.claims', json_build_object(
        'sub', user_id, 'role', 'authenticated', 'aud', 'authenticated'
    )::text, true);
end;
$$;

create or replace function tests.authenticate_as_service_role()
    returns void
    language plpgsql
    set search_path = ''
as $$
begin
    perform set_config('role', 'service_role', true);
    perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
end;
$$;

-- Act as an anonymous request (no JWT: PostgREST's anon role).
create or replace function tests.clear_authentication()
    returns void
    language plpgsql
    set search_path = ''
as $$
begin
    perform set_config('role', 'anon', true);
    perform set_config('request.jwt.claims', '', true);
end;
$$;

-- The error a statement raises, as {code, message, detail, constraint}; null when it succeeds.
-- For asserting on which constraint broke and on errors whose message is JSON
-- (raise sqlstate 'PGRST').
create or replace function tests.error_of(statement text)
    returns jsonb
    language plpgsql
    set search_path = ''
as $$
declare
    code text;
    message text;
    detail text;
    broken text;
begin
    execute statement;
    return null;
exception
    when others then
        get stacked diagnostics code = returned_sqlstate, message = message_text,
            detail = pg_exception_detail, broken = constraint_name;
        return jsonb_build_object('code', code, 'message', message, 'detail', nullif(detail, ''),
            'constraint', nullif(broken, ''));
end;
$$;

-- An insert of one row given as a JSON object (only the keys given are inserted, so column
-- defaults apply to the others), e.g. tests.insert_row('public.user_feedback', '{...}').
create or replace function tests.insert_row(target regclass, row_values jsonb)
    returns text
    language sql
    stable
    set search_path = ''
as $$
    select format(
        'insert into %s (%s) select %2$s from jsonb_populate_record(null::%1$s, %3$L)',
        target,
        string_agg(quote_ident(k), ', ' order by k),
        row_values
    )
    from jsonb_object_keys(row_values) as k
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

begin;
select plan(1);
select ok(
    to_regprocedure('tests.authenticate_as(text)') is not null,
    'The test helpers are installed before the other test files run'
);
select * from finish();
rollback;
