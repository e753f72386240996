-- Each user's choice of which notifications reach them by email.
--
-- Why: a user turns email off per kind of notification (and the one-click unsubscribe link in
-- every email does the same for its kind). No row means email on. Users read and write only
-- their own rows; the worker reads them at delivery time, so a change stops the next email
-- even for changes already queued.

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

create function public.set_email_notifications(kinds text[], enabled boolean)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    insert into public.notification_preferences as p (kind, email)
    select distinct k, enabled from pg_catalog.unnest(kinds) as k
    on conflict (user_id, kind) do update
        set email = excluded.email, updated_at = pg_catalog.now();
end;
$$;

comment on function public.set_email_notifications(text[], boolean) is
    'Turns the caller''s email for these notification kinds on or off (the unsubscribe link in '
    'an email calls it with its kinds and enabled = false). An unknown kind is a 409.';

revoke all on function public.set_email_notifications(text[], boolean) from public, anon, service_role;
grant execute on function public.set_email_notifications(text[], boolean) to authenticated;
