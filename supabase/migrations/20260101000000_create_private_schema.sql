-- Private schema and locked-down function defaults.
--
-- Why: PostgREST exposes every function in `public` that a role may execute, so nothing in
-- `public` is executable by `anon` or `authenticated` unless a migration grants it by name.
-- Helpers that the API functions, constraints and triggers need live in `private`, a schema
-- that PostgREST does not expose (Supabase exposes `public` and `graphql_public` only).

-- Supabase grants execute on new functions in public to anon and authenticated by default;
-- undo that so each RPC is granted explicitly. A per-schema revoke cannot remove PostgreSQL's
-- built-in PUBLIC execute grant, so every function below is also revoked from public by name.
alter default privileges in schema public revoke execute on functions from public, anon, authenticated;

create schema if not exists private;
comment on schema private is
    'Helpers for the support API (validation, rate limits, idempotency). Not exposed by PostgREST; '
    'signed-in users may call only the functions granted to them by name.';

revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- PUBLIC has no usage on this schema, so only the roles above can reach its functions at all;
-- each function is still revoked from public and granted to the roles that need it by name.
