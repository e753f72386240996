-- Support staff: which signed-in users work tickets, and as what.
--
-- Why: staff are ordinary Supabase Auth users (role `authenticated`); a row here makes one an
-- agent or an admin. Every policy and RPC that gives staff more than a user decides against
-- this table on each request (private.staff_role()), never against a JWT claim, so removing a
-- row takes effect on the caller's next request even while their token is still valid. The
-- `staff_role` claim that public.custom_access_token_hook adds is for clients' UI only.
-- Admins manage staff; agents and admins read the staff list (to assign tickets).

create table public.support_staff (
    user_id uuid primary key references auth.users (id) on delete cascade,
    role text not null,
    display_name text not null,
    created_at timestamptz not null default now(),
    constraint support_staff_role_valid check (role in ('agent', 'admin')),
    constraint support_staff_display_name_not_blank check (not private.is_blank(display_name)),
    constraint support_staff_display_name_max_length check (char_length(display_name) <= 100),
    constraint support_staff_display_name_one_line check (private.is_one_line(display_name))
);

comment on table public.support_staff is
    'Support staff: a row makes a signed-in user an agent (works tickets and feedback) or an '
    'admin (also manages staff, rate limits and the lifecycle rules). Deleting a row takes '
    'effect on that person''s next request.';
comment on column public.support_staff.role is 'agent or admin.';
comment on column public.support_staff.display_name is 'The name other staff see; at most 100 characters.';
comment on constraint support_staff_role_valid on public.support_staff is
    'role must be one of agent, admin';
comment on constraint support_staff_display_name_not_blank on public.support_staff is
    'display_name must not be blank';
comment on constraint support_staff_display_name_max_length on public.support_staff is
    'display_name must be at most 100 characters';
comment on constraint support_staff_display_name_one_line on public.support_staff is
    'display_name must be one line, without control characters';

-- Security definer: the policies of support_staff itself ask "is the caller staff?", which
-- an invoker function could not answer without recursing into those policies. It reads one
-- row, the caller's own (auth.uid() from the request's JWT), and takes no input.
create function private.staff_role()
    returns text
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return (
        select s.role
        from public.support_staff as s
        where s.user_id = (select auth.uid())
    );
end;
$$;

comment on function private.staff_role() is
    'The caller''s staff role (agent or admin), null for everyone else. Read from '
    'public.support_staff on every call, never from the JWT.';

create function private.is_staff()
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.staff_role() is not null;
end;
$$;

comment on function private.is_staff() is 'True when the caller is an agent or an admin.';

create function private.is_admin()
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return coalesce(private.staff_role() = 'admin', false);
end;
$$;

comment on function private.is_admin() is 'True when the caller is a support admin.';

revoke all on function private.staff_role(), private.is_staff(), private.is_admin() from public;
grant execute on function private.staff_role(), private.is_staff(), private.is_admin()
    to authenticated, service_role;

create function private.require_staff()
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    -- 403, not 404: the operation exists for everyone to see in the OpenAPI document; what a
    -- non-staff caller lacks is the right to use it.
    if not private.is_staff() then
        perform private.refuse('staff_only');
    end if;
end;
$$;

comment on function private.require_staff() is
    'Raises HTTP 403 (code 42501, "Only support staff can do this") unless the caller is staff.';

revoke all on function private.require_staff() from public;
grant execute on function private.require_staff() to authenticated, service_role;

alter table public.support_staff enable row level security;
revoke all on table public.support_staff from anon, authenticated;
grant select, delete on table public.support_staff to authenticated;
grant insert (user_id, role, display_name), update (role, display_name)
    on table public.support_staff to authenticated;
grant select, insert, update, delete on table public.support_staff to service_role;

create policy "staff read the staff list"
    on public.support_staff
    for select
    to authenticated
    using ((select private.is_staff()));

create policy "admins add staff"
    on public.support_staff
    for insert
    to authenticated
    with check ((select private.is_admin()));

create policy "admins change staff"
    on public.support_staff
    for update
    to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));

create policy "admins remove staff"
    on public.support_staff
    for delete
    to authenticated
    using ((select private.is_admin()));
