-- The ticket lifecycle as data: who may move a ticket from which status to which.
--
-- Why: statuses stay the contract's four. Each allowed move is a row of ticket_transitions for
-- one kind of actor: the ticket's owner ('user'), support staff and support's tools ('agent':
-- staff through the API, service_role, postgres in Studio) or the scheduler ('system',
-- private.close_resolved_tickets). A BEFORE UPDATE trigger on support_tickets refuses every
-- other move, for every role including service_role and postgres (triggers fire for
-- superusers too), with HTTP 409 naming both statuses. Admins change the rows in Studio or
-- through the API without a migration.

create table public.ticket_transitions (
    from_status text not null,
    to_status text not null,
    actor_kind text not null,
    requires_resolution boolean not null default false,
    only_within interval,
    only_after interval,
    description text,
    primary key (from_status, to_status, actor_kind),
    constraint ticket_transitions_from_status_valid
        foreign key (from_status) references public.ticket_statuses (code),
    constraint ticket_transitions_to_status_valid
        foreign key (to_status) references public.ticket_statuses (code),
    constraint ticket_transitions_actor_kind_valid check (actor_kind in ('user', 'agent', 'system')),
    constraint ticket_transitions_to_status_differs check (from_status <> to_status),
    constraint ticket_transitions_only_within_positive check (only_within > interval '0'),
    constraint ticket_transitions_only_after_positive check (only_after > interval '0')
);

comment on table public.ticket_transitions is
    'Allowed status changes of support tickets, per kind of actor (user = the ticket''s owner, '
    'agent = support staff and support''s tools, system = the scheduler). A change without a row '
    'here is refused on every path.';
comment on column public.ticket_transitions.requires_resolution is
    'The ticket must have a non-blank resolution after this move.';
comment on column public.ticket_transitions.only_within is
    'Allowed only this long after the ticket was resolved (a user''s reply reopens a resolved '
    'ticket within 14 days).';
comment on column public.ticket_transitions.only_after is
    'The scheduler makes this move only after this long without a reply from the user '
    '(resolved tickets close after 7 days).';
comment on constraint ticket_transitions_from_status_valid on public.ticket_transitions is
    'from_status must be one of {codes}';
comment on constraint ticket_transitions_to_status_valid on public.ticket_transitions is
    'to_status must be one of {codes}';
comment on constraint ticket_transitions_actor_kind_valid on public.ticket_transitions is
    'actor_kind must be one of user, agent, system';
comment on constraint ticket_transitions_to_status_differs on public.ticket_transitions is
    'to_status must differ from from_status';
comment on constraint ticket_transitions_only_within_positive on public.ticket_transitions is
    'only_within must be a positive interval';
comment on constraint ticket_transitions_only_after_positive on public.ticket_transitions is
    'only_after must be a positive interval';

create trigger ticket_transitions_vocabulary
    before insert or update of from_status, to_status on public.ticket_transitions
    for each row
    execute function private.check_vocabulary();

insert into public.ticket_transitions
    (from_status, to_status, actor_kind, requires_resolution, only_within, only_after, description)
values
    ('open', 'in_progress', 'agent', false, null, null, 'Support starts working the ticket.'),
    ('open', 'resolved', 'agent', true, null, null, 'Support resolves it at once.'),
    ('in_progress', 'resolved', 'agent', true, null, null, 'Support resolves it.'),
    ('in_progress', 'open', 'agent', false, null, null, 'Support puts it back in the queue.'),
    ('resolved', 'open', 'agent', false, null, null, 'Support reopens it.'),
    ('resolved', 'in_progress', 'agent', false, null, null, 'Support works it again.'),
    ('resolved', 'closed', 'agent', false, null, null, 'Support closes a resolved ticket.'),
    ('resolved', 'open', 'user', false, interval '14 days', null,
     'The user''s reply reopens a resolved ticket within 14 days.'),
    ('open', 'closed', 'user', false, null, null, 'The user closes their ticket.'),
    ('in_progress', 'closed', 'user', false, null, null, 'The user closes their ticket.'),
    ('resolved', 'closed', 'user', false, null, null, 'The user confirms the resolution.'),
    ('resolved', 'closed', 'system', false, null, interval '7 days',
     'Closed after 7 days resolved without a reply from the user.');

alter table public.ticket_transitions enable row level security;
revoke all on table public.ticket_transitions from anon, authenticated;
grant select, insert, delete on table public.ticket_transitions to authenticated;
grant update (requires_resolution, only_within, only_after, description)
    on table public.ticket_transitions to authenticated;
grant select, insert, update, delete on table public.ticket_transitions to service_role;

create policy "signed-in users read the lifecycle"
    on public.ticket_transitions
    for select
    to authenticated
    using (true);

create policy "admins add transitions"
    on public.ticket_transitions
    for insert
    to authenticated
    with check ((select private.is_admin()));

create policy "admins change transitions"
    on public.ticket_transitions
    for update
    to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));

create policy "admins remove transitions"
    on public.ticket_transitions
    for delete
    to authenticated
    using ((select private.is_admin()));

create function private.ticket_actor_kind(ticket_owner uuid)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
begin
    if caller is null then
        -- No user behind the request: the scheduler (which says so for its own transaction)
        -- or support's tools (service_role, postgres in Studio or psql).
        if current_setting('support.actor_kind', true) = 'system' then
            return 'system';
        end if;
        return 'agent';
    end if;
    if private.is_staff() then
        return 'agent';
    end if;
    if caller = ticket_owner then
        return 'user';
    end if;
    return null;
end;
$$;

comment on function private.ticket_actor_kind(uuid) is
    'Who is changing a ticket of this owner: agent (staff, service_role, postgres), user (the '
    'owner), system (private.close_resolved_tickets), null for anyone else.';

create function private.check_ticket_transition()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    actor text;
    rule public.ticket_transitions;
begin
    -- A missing or unknown status is left to the table's constraints (their messages name no value).
    if new.status is null or new.status = old.status
        or not exists (select 1 from public.ticket_statuses as s where s.code = new.status) then
        return new;
    end if;
    actor := private.ticket_actor_kind(old.user_id);
    select t.* into rule
    from public.ticket_transitions as t
    where t.from_status = old.status and t.to_status = new.status and t.actor_kind = actor;

    if not found or (rule.only_within is not null
                     and now() > coalesce(old.resolved_at, old.updated_at) + rule.only_within) then
        perform private.refuse(
            case
                when old.status = 'closed' then 'ticket_move_from_closed'
                when found then 'ticket_move_too_late'
                else 'ticket_move_refused'
            end,
            pg_catalog.jsonb_build_object('from', old.status, 'to', new.status, 'window', rule.only_within)
        );
    end if;
    if rule.requires_resolution and private.is_blank(coalesce(new.resolution, '')) then
        perform private.refuse(
            'resolution_required', pg_catalog.jsonb_build_object('from', old.status, 'to', new.status)
        );
    end if;
    return new;
end;
$$;

comment on function private.check_ticket_transition() is
    'Before update on public.support_tickets: refuses a status change that has no row in '
    'public.ticket_transitions for the actor (HTTP 409 naming both statuses) or that lacks a '
    'required resolution (400).';

revoke all on function private.ticket_actor_kind(uuid), private.check_ticket_transition() from public;
grant execute on function private.ticket_actor_kind(uuid) to authenticated, service_role;

-- Named to fire before support_tickets_track_status (same timing, name order).
create trigger support_tickets_check_transition
    before update of status on public.support_tickets
    for each row
    execute function private.check_ticket_transition();
