-- Ticket history: an append-only event for every change of a ticket.
--
-- Why: support needs to know who changed what and when, and the user sees how their ticket
-- moved. Triggers write the events (created, status, priority, type, assignee, resolution,
-- notes, public_reply, internal_note, rating, linked) in the same transaction as the change,
-- on every path. A resolution or admin_notes text changed is a public event holding the text
-- before and after: both are texts the owner reads (get_ticket), so a resolution rewritten
-- after the ticket was resolved, closed or rated is kept and the user is told (a notification
-- kind each, 20260112000100). A resolution set in the same change that resolves the ticket
-- needs no event of its own: the status event tells it and the row holds the text. No role
-- has insert, update or delete on the table, and a trigger refuses updates, deletes and
-- truncates even for postgres; the only way an event goes is with its ticket (a user deleted
-- from Auth takes their tickets with them).
-- Users read the public events of their own tickets; assignee changes and internal notes are
-- internal. Staff read everything through public.support_ticket (see
-- 20260110000800_create_ticket_operation_helpers.sql for why staff have no policy here).

create table public.ticket_events (
    id bigint generated always as identity primary key,
    ticket_id uuid not null references public.support_tickets (id) on delete cascade,
    kind text not null,
    internal boolean not null default false,
    -- No foreign key: the history keeps who acted even after that account is gone.
    actor_id uuid,
    actor_kind text not null,
    from_value text,
    to_value text,
    message_id uuid,
    -- Set by the rule runners (private.apply_rule_actions) for the length of a rule's actions,
    -- so every trigger that writes history names the rule without knowing of rules.
    rule_name text default nullif(pg_catalog.current_setting('support.rule_name', true), ''),
    created_at timestamptz not null default now(),
    constraint ticket_events_kind_valid foreign key (kind) references public.ticket_event_kinds (code),
    constraint ticket_events_actor_kind_valid check (actor_kind in ('user', 'agent', 'system'))
);

comment on table public.ticket_events is
    'Append-only history of support tickets, written by triggers. Nobody updates or deletes an '
    'event; events go only with their ticket.';
comment on column public.ticket_events.kind is
    'A code of public.ticket_event_kinds: created, status, priority, type, assignee, resolution, '
    'notes, public_reply, internal_note, rating, linked, merged (from = the merged ticket, to = '
    'the ticket merged into) or problem (to = the problem or report linked, from = the one '
    'unlinked).';
comment on column public.ticket_events.internal is
    'Hidden from the ticket''s owner (assignee changes, internal notes).';
comment on column public.ticket_events.actor_id is
    'The user or staff member who acted; null for the system and for support''s tools.';
comment on column public.ticket_events.actor_kind is 'user (the owner), agent (support) or system (the scheduler).';
comment on column public.ticket_events.from_value is
    'The value before (status, priority, type, assignee id, resolution or admin_notes text).';
comment on column public.ticket_events.to_value is
    'The value after; for linked, the id of the follow-up ticket.';
comment on column public.ticket_events.message_id is 'For public_reply and internal_note: the message.';
comment on column public.ticket_events.rule_name is
    'The event or time rule (docs/rules.md) that made this change, by the name it had then; null '
    'for a change made by hand. Staff read it; the owner does not.';
comment on constraint ticket_events_kind_valid on public.ticket_events is
    'kind must be one of {codes}';
comment on constraint ticket_events_actor_kind_valid on public.ticket_events is
    'actor_kind must be one of user, agent, system';

create index ticket_events_ticket_id_created_at_idx on public.ticket_events (ticket_id, created_at, id);

alter table public.ticket_events enable row level security;
revoke all on table public.ticket_events from anon, authenticated, service_role;
grant select on table public.ticket_events to authenticated, service_role;

create policy "users read the public events of their own tickets"
    on public.ticket_events
    for select
    to authenticated
    using (
        not internal
        and exists (
            select 1
            from public.support_tickets as t
            where t.id = ticket_events.ticket_id
                and t.user_id = (select auth.uid())
        )
    );

-- One guard for every append-only history table (ticket_events here, feedback_events in
-- 20260111000800). The trigger's arguments name the parent table and the column of the event
-- that references it, so that the cascade of a parent's deletion can be told apart.
create function private.refuse_event_change()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    parent_exists boolean;
begin
    if tg_op = 'DELETE' then
        execute pg_catalog.format(
            'select exists (select 1 from %s as p where p.id = ($1).%I)', tg_argv[0]::regclass, tg_argv[1]
        ) into parent_exists using old;
        -- The cascade of a parent's deletion (the parent is already gone) may take its events.
        if not parent_exists then
            return old;
        end if;
    end if;
    raise exception '% are append-only', pg_catalog.replace(tg_table_name, '_', ' ')
        using errcode = 'insufficient_privilege',
              hint = 'History is never changed; a correction is a new event.';
end;
$$;

comment on function private.refuse_event_change() is
    'Before update, delete or truncate on a history table (arguments: parent table, referencing '
    'column): refuses, for every role. Deletes cascading from a deleted parent pass.';
revoke all on function private.refuse_event_change() from public;

create trigger ticket_events_append_only
    before update or delete on public.ticket_events
    for each row
    execute function private.refuse_event_change('public.support_tickets', 'ticket_id');

create trigger ticket_events_no_truncate
    before truncate on public.ticket_events
    for each statement
    execute function private.refuse_event_change('public.support_tickets', 'ticket_id');

-- Security definer: no role may insert into ticket_events, so that history is written only
-- here, by triggers, in the transaction of the change. It inserts exactly the event of the row
-- that fired it; the actor comes from the request (auth.uid()), never from input.
create function private.record_ticket_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
    actor text;
begin
    if tg_op = 'INSERT' then
        -- The common case (a user files their own ticket) needs no staff lookup.
        actor := case when caller = new.user_id then 'user'
                      else coalesce(private.ticket_actor_kind(new.user_id), 'agent') end;
        insert into public.ticket_events (ticket_id, kind, actor_id, actor_kind, to_value)
        values (new.id, 'created', caller, actor, new.status);
        if new.follow_up_of is not null then
            insert into public.ticket_events (ticket_id, kind, actor_id, actor_kind, to_value)
            values (new.follow_up_of, 'linked', caller, actor, new.id::text);
        end if;
        return null;
    end if;

    actor := coalesce(private.ticket_actor_kind(old.user_id), 'agent');
    insert into public.ticket_events (ticket_id, kind, internal, actor_id, actor_kind, from_value, to_value)
    select new.id, c.kind, c.internal, caller, actor, c.before, c.after
    from (values
        ('status', false, old.status, new.status),
        ('priority', false, old.priority, new.priority),
        ('type', false, old.ticket_type, new.ticket_type),
        ('assignee', true, old.assignee_id::text, new.assignee_id::text),
        ('resolution', false, old.resolution, new.resolution),
        ('notes', false, old.admin_notes, new.admin_notes)
    ) as c(kind, internal, before, after)
    where c.before is distinct from c.after
        and not (c.kind = 'resolution' and new.status = 'resolved' and old.status is distinct from 'resolved');
    return null;
end;
$$;

comment on function private.record_ticket_change() is
    'After insert or update on public.support_tickets: appends the created (and linked) event, '
    'or one event per changed status, priority, type, assignee, resolution (unless set by the '
    'move to resolved) and admin_notes.';
revoke all on function private.record_ticket_change() from public;

create trigger support_tickets_record_history
    after insert or update on public.support_tickets
    for each row
    execute function private.record_ticket_change();
