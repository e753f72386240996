-- Each user's choice of which notifications reach them by email.
--
-- Why: a user turns email off per kind of notification (and the one-click unsubscribe link in
-- every email does the same for its kind). No row means email on. Users read and write only
-- their own rows; the worker reads them at delivery time, so a change stops the next email
-- even for changes already queued. set_email_notifications takes its arguments as jsonb and
-- checks their types itself: PostgREST casts typed RPC arguments before the call, and the
-- cast's error quotes the caller's value (`malformed array literal: "…"`).

create table public.notification_preferences (
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    kind text not null references public.notification_kinds (kind) on delete cascade,
    email boolean not null,
    updated_at timestamptz not null default now(),
    primary key (user_id, kind)
);

comment on table public.notification_preferences is
    'Per user and notification kind: email on or off. No row means on.';
comment on column public.notification_preferences.email is 'false: no email for this kind.';

create index notification_preferences_kind_idx on public.notification_preferences (kind);

alter table public.notification_preferences enable row level security;
revoke all on table public.notification_preferences from anon, authenticated, service_role;
grant select, delete on table public.notification_preferences to authenticated;
grant insert (kind, email), update (email, updated_at) on table public.notification_preferences to authenticated;
grant select on table public.notification_preferences to service_role;

create policy "users read their own notification preferences"
    on public.notification_preferences for select to authenticated
    using (user_id = (select auth.uid()));
create policy "users add their own notification preferences"
    on public.notification_preferences for insert to authenticated
    with check (user_id = (select auth.uid()));
create policy "users change their own notification preferences"
    on public.notification_preferences for update to authenticated
    using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "users remove their own notification preferences"
    on public.notification_preferences for delete to authenticated
    using (user_id = (select auth.uid()));

create function public.set_email_notifications(kinds jsonb, enabled jsonb)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    -- Two checks, not one "or": SQL does not promise to skip the elements of a non-array.
    if pg_catalog.jsonb_typeof(kinds) is distinct from 'array' then
        perform private.refuse('notification_kinds_invalid');
    end if;
    if exists (
        select 1 from pg_catalog.jsonb_array_elements(kinds) as k
        where pg_catalog.jsonb_typeof(k) <> 'string'
    ) then
        perform private.refuse('notification_kinds_invalid');
    end if;
    if pg_catalog.jsonb_typeof(enabled) is distinct from 'boolean' then
        perform private.refuse('invalid_boolean', '{"name": "enabled"}');
    end if;
    insert into public.notification_preferences as p (kind, email)
    select distinct k, enabled::boolean from pg_catalog.jsonb_array_elements_text(kinds) as k
    on conflict (user_id, kind) do update
        set email = excluded.email, updated_at = pg_catalog.now();
end;
$$;

comment on function public.set_email_notifications(jsonb, jsonb) is
    'Turns the caller''s email for these notification kinds (a JSON array of kinds) on or off '
    '(enabled: true or false); the unsubscribe link in an email calls it with its kinds and '
    'enabled = false. A value of another type is a 400 quoting nothing; an unknown kind is a 409.';

revoke all on function public.set_email_notifications(jsonb, jsonb) from public, anon, service_role;
grant execute on function public.set_email_notifications(jsonb, jsonb) to authenticated;
