-- SLA policies: how soon support promises a first answer and a resolution, per priority.
--
-- Why: the service levels are rules an admin changes (a new contract, a busier season) without
-- a migration, so they are rows. The clocks on public.support_tickets
-- (20260111000100_add_ticket_sla_clocks.sql) read them when a ticket is created, when its
-- priority changes and when it is reopened; a changed target applies to those moments from
-- then on, not to tickets already running. Targets are calendar minutes (nights and weekends
-- count), as documented in docs/service-levels.md.
-- Staff read the policies; admins change the targets; nobody adds or removes a priority (the
-- four are the contract's).

-- squawk: Minutes of a target: nowhere near the int limit squawk warns of.
-- squawk-ignore-file prefer-bigint-over-int

create table public.sla_policies (
    priority text primary key,
    first_response_minutes integer not null,
    resolution_minutes integer not null,
    updated_at timestamptz not null default now(),
    constraint sla_policies_priority_valid foreign key (priority) references public.ticket_priorities (code),
    constraint sla_policies_first_response_minutes_positive check (first_response_minutes > 0),
    constraint sla_policies_resolution_minutes_positive check (resolution_minutes > 0),
    constraint sla_policies_resolution_minutes_not_before_first_response
        check (resolution_minutes >= first_response_minutes)
);

comment on table public.sla_policies is
    'Service-level targets per priority, in calendar minutes: the first public reply of support '
    'and the resolution. Admins change the targets; a change applies to tickets created, '
    're-prioritised or reopened afterwards.';
comment on column public.sla_policies.first_response_minutes is
    'Minutes from creation to support''s first public reply.';
comment on column public.sla_policies.resolution_minutes is
    'Minutes from creation (or the last reopen) to resolution, not counting time spent waiting on '
    'the user.';
comment on constraint sla_policies_priority_valid on public.sla_policies is
    'priority must be one of {codes}';
comment on constraint sla_policies_first_response_minutes_positive on public.sla_policies is
    'first_response_minutes must be a positive number of minutes';
comment on constraint sla_policies_resolution_minutes_positive on public.sla_policies is
    'resolution_minutes must be a positive number of minutes';
comment on constraint sla_policies_resolution_minutes_not_before_first_response on public.sla_policies is
    'resolution_minutes must not be less than first_response_minutes';

create trigger sla_policies_vocabulary
    before insert or update of priority on public.sla_policies
    for each row
    execute function private.check_vocabulary();

insert into public.sla_policies (priority, first_response_minutes, resolution_minutes) values
    ('urgent', 60, 480),
    ('high', 240, 1440),
    ('medium', 1440, 4320),
    ('low', 4320, 10080);

create function private.touch_sla_policy()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

comment on function private.touch_sla_policy() is
    'Before update on public.sla_policies: updated_at = now().';
revoke all on function private.touch_sla_policy() from public;

create trigger sla_policies_touch
    before update on public.sla_policies
    for each row
    execute function private.touch_sla_policy();

alter table public.sla_policies enable row level security;
revoke all on table public.sla_policies from anon, authenticated;
grant select on table public.sla_policies to authenticated;
grant update (first_response_minutes, resolution_minutes) on table public.sla_policies to authenticated;
grant select, update on table public.sla_policies to service_role;

create policy "staff read the service levels"
    on public.sla_policies
    for select
    to authenticated
    using ((select private.is_staff()));

create policy "admins change the service levels"
    on public.sla_policies
    for update
    to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));
