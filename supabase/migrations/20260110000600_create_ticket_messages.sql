-- The conversation thread of a ticket: public replies and internal notes.
--
-- Why: "ticket threading for back-and-forth with support" (the contract's future
-- enhancements). A user reads and writes only public messages on their own tickets; staff read
-- everything and write public replies or internal notes, through the staff operations (which
-- check that the caller is staff; see 20260110000800). Internal notes are hidden by RLS and
-- users cannot insert the internal column, so no path (RPCs, table reads, embedding) reaches
-- them for the ticket's owner.
-- Triggers: the author is the caller (never input); a user's reply to a closed ticket is a 409
-- telling them to open a follow-up; a user's reply to a resolved ticket reopens it (within the
-- window of public.ticket_transitions); each message is an event in the ticket's history.
-- Closed is final for support's public replies too (409): the user could not answer one, and
-- no move leads out of closed, so support answers in the user's follow-up ticket; internal
-- notes on a closed ticket stay possible (they reach no one).

create table public.ticket_messages (
    id uuid primary key default gen_random_uuid(),
    ticket_id uuid not null references public.support_tickets (id) on delete cascade,
    author_id uuid references auth.users (id) on delete set null,
    author_kind text not null,
    internal boolean not null default false,
    body text not null,
    created_at timestamptz not null default now(),
    constraint ticket_messages_body_not_blank check (not private.is_blank(body)),
    constraint ticket_messages_body_max_length check (char_length(body) <= 10000),
    constraint ticket_messages_author_kind_valid check (author_kind in ('user', 'agent', 'system')),
    constraint ticket_messages_internal_staff_only check (not internal or author_kind <> 'user')
);

comment on table public.ticket_messages is
    'The thread of each support ticket: public replies (user and support) and internal notes '
    '(support only, never shown to the user).';
comment on column public.ticket_messages.author_id is 'Who wrote it (set from the JWT, not from input).';
comment on column public.ticket_messages.author_kind is 'user (the ticket''s owner), agent (support) or system.';
comment on column public.ticket_messages.internal is 'An internal note: staff only.';
comment on column public.ticket_messages.body is 'At most 10000 characters, not blank.';
comment on constraint ticket_messages_body_not_blank on public.ticket_messages is
    'body must not be blank';
comment on constraint ticket_messages_body_max_length on public.ticket_messages is
    'body must be at most 10000 characters';
comment on constraint ticket_messages_author_kind_valid on public.ticket_messages is
    'author_kind must be one of user, agent, system';
comment on constraint ticket_messages_internal_staff_only on public.ticket_messages is
    'only support staff can write internal notes';

create index ticket_messages_ticket_id_created_at_idx on public.ticket_messages (ticket_id, created_at, id);
create index ticket_messages_author_id_created_at_idx on public.ticket_messages (author_id, created_at desc)
    where author_kind = 'user';

alter table public.ticket_messages enable row level security;
revoke all on table public.ticket_messages from anon, authenticated, service_role;
grant select on table public.ticket_messages to authenticated, service_role;
grant insert (ticket_id, body) on table public.ticket_messages to authenticated;

create policy "users read the public messages of their own tickets"
    on public.ticket_messages
    for select
    to authenticated
    using (
        not internal
        and exists (
            select 1
            from public.support_tickets as t
            where t.id = ticket_messages.ticket_id
                and t.user_id = (select auth.uid())
        )
    );

create policy "users reply publicly on their own tickets"
    on public.ticket_messages
    for insert
    to authenticated
    with check (
        not internal
        and author_kind = 'user'
        and exists (
            select 1
            from public.support_tickets as t
            where t.id = ticket_messages.ticket_id
                and t.user_id = (select auth.uid())
        )
    );

create function private.prepare_ticket_message()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
    ticket record;
    reopen public.ticket_transitions;
begin
    -- postgres (seed, Studio) writes the author fields itself; a request's caller is the author.
    if caller is not null then
        new.author_id := caller;
        new.author_kind := case when private.is_staff() then 'agent' else 'user' end;
    end if;
    if new.author_kind is distinct from 'user' then
        if not new.internal and exists (
            select 1 from public.support_tickets as t where t.id = new.ticket_id and t.status = 'closed'
        ) then
            perform private.refuse('ticket_closed_for_support');
        end if;
        return new;
    end if;

    -- A ticket the caller cannot see is left to RLS and the foreign key (the same refusal as
    -- for a ticket that does not exist).
    select t.status, t.resolved_at into ticket
    from public.support_tickets as t
    where t.id = new.ticket_id;
    if found then
        select r.* into reopen
        from public.ticket_transitions as r
        where r.from_status = 'resolved' and r.to_status = 'open' and r.actor_kind = 'user';
        if ticket.status = 'closed' or (ticket.status = 'resolved' and (
            reopen.from_status is null
            or now() > ticket.resolved_at + reopen.only_within
        )) then
            perform private.refuse('ticket_closed');
        end if;
    end if;

    perform private.enforce_rate_limit(new.author_id, 'ticket_reply');
    return new;
end;
$$;

comment on function private.prepare_ticket_message() is
    'Before insert on public.ticket_messages: the author is the caller; a user''s reply to a '
    'closed ticket (or one resolved longer ago than the reopen window) and support''s public '
    'reply to a closed ticket are HTTP 409; user replies are rate limited (ticket_reply).';

-- Security definer: users hold no update on support_tickets (they never edit a ticket), yet
-- their reply must reopen a resolved one, and no role inserts events directly. It acts only on
-- the ticket of the message just inserted (which RLS let the caller write); the transition
-- trigger still checks the reopen as the user's move.
create function private.record_ticket_message()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    insert into public.ticket_events (ticket_id, kind, internal, actor_id, actor_kind, message_id)
    values (
        new.ticket_id,
        case when new.internal then 'internal_note' else 'public_reply' end,
        new.internal, new.author_id, new.author_kind, new.id
    );
    if new.author_kind = 'user' then
        update public.support_tickets as t
        set status = 'open'
        where t.id = new.ticket_id and t.status = 'resolved';
    end if;
    return null;
end;
$$;

comment on function private.record_ticket_message() is
    'After insert on public.ticket_messages: appends the public_reply or internal_note event; a '
    'user''s reply reopens a resolved ticket.';

revoke all on function private.prepare_ticket_message(), private.record_ticket_message() from public;

create trigger ticket_messages_prepare
    before insert on public.ticket_messages
    for each row
    execute function private.prepare_ticket_message();

create trigger ticket_messages_record
    after insert on public.ticket_messages
    for each row
    execute function private.record_ticket_message();
