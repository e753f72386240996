-- Custom access token hook: the staff role as a JWT claim, for clients' UI.
--
-- Why: Supabase's RBAC guide (auth hooks, "custom claims"): GoTrue calls this function before
-- issuing a token and puts `staff_role` ('agent', 'admin' or null) in the claims, so an app can
-- show support's screens without a query. Nothing decides on the claim: policies and RPCs read
-- public.support_staff on each request, so a removed staff member loses access at once even
-- with a token that still carries the claim. Enable it in the dashboard (Authentication >
-- Hooks) or config.toml ([auth.hook.custom_access_token]). It lives in `public` because
-- Supabase requires hooks there; only supabase_auth_admin may execute it, so PostgREST does not
-- offer it to anyone.

create function public.custom_access_token_hook(event jsonb)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    claims jsonb := coalesce(event -> 'claims', '{}'::jsonb);
    found_role text;
begin
    select s.role into found_role
    from public.support_staff as s
    where s.user_id = (event ->> 'user_id')::uuid;

    claims := pg_catalog.jsonb_set(claims, '{staff_role}', coalesce(pg_catalog.to_jsonb(found_role), 'null'::jsonb));
    return pg_catalog.jsonb_set(event, '{claims}', claims);
end;
$$;

comment on function public.custom_access_token_hook(jsonb) is
    'Supabase Auth custom access token hook: adds the claim staff_role (agent, admin or null) '
    'from public.support_staff. For UI only; access is decided on the table, per request.';

revoke all on function public.custom_access_token_hook(jsonb) from public, anon, authenticated, service_role;
grant usage on schema public to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
grant select on table public.support_staff to supabase_auth_admin;

create policy "the auth server reads staff roles"
    on public.support_staff
    for select
    to supabase_auth_admin
    using (true);
