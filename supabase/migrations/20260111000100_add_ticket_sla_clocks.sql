-- SLA clocks on each ticket: when the first answer and the resolution are due, kept by triggers.
--
-- Why: every path that creates or changes a ticket (the RPCs, Studio, the scheduler) keeps the
-- clocks right, because triggers keep them. The clocks count in the business hours of the
-- priority's schedule (20260203000100_create_business_schedules.sql: private.sla_due_times),
-- or calendar time when no schedule applies, as below ("+" adds business minutes otherwise).
--   first_response_due_at = created_at + the priority's first_response_minutes.
--   first_responded_at    = support's first public reply (an internal note is no answer).
--   resolution_due_at     = sla_started_at + resolution_minutes + sla_paused_for
--                           (sla_paused_business_minutes under a schedule).
-- sla_started_at is created_at, and the time of the last reopen (resolved -> open/in_progress):
-- a reopened ticket gets a fresh resolution target. A change of priority recomputes both due
-- times from the same start with the new priority's targets.
-- The clock pauses while the ticket waits on the user: from support's public reply until the
-- user's next reply (sla_paused_at; the paused time adds to sla_paused_for and so moves
-- resolution_due_at later), as Zendesk, Plain and Intercom pause on "pending". The clock stops
-- when the ticket is resolved or closed (sla_paused_at holds the stop, or keeps the start of
-- the pause it was in). A ticket is breached when a target was missed: answered or resolved
-- after its due time, or still unanswered or unresolved, with the clock running, past it.
-- sla_next_due_at is the deadline the queue sorts by: the first response while unanswered,
-- then the resolution while the clock runs; null when nothing is due. sla_breached_at is the
-- one definition of a breach, derived like it: the earliest missed (or, with the clock running,
-- to be missed) due time, so a ticket is breached at `at` when sla_breached_at < at. Being a
-- column, it costs the queue and support_stats a comparison per row.
-- Bookkeeping of the clocks alone (a reply pausing the clock) leaves updated_at as it was, so
-- that a reply does not make a staff member's expected_updated_at stale.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file adding-field-with-default, require-concurrent-index-creation

alter table public.support_tickets
    add column first_response_due_at timestamptz,
    add column first_responded_at timestamptz,
    add column resolution_due_at timestamptz,
    add column sla_started_at timestamptz,
    add column sla_paused_at timestamptz,
    add column sla_paused_for interval not null default interval '0',
    add column sla_next_due_at timestamptz generated always as (
        case when status in ('open', 'in_progress') then
            case when first_responded_at is null then first_response_due_at
                 when sla_paused_at is null then resolution_due_at end
        end
    ) stored,
    add column sla_breached_at timestamptz generated always as (
        least(
            case when first_response_due_at
                      < coalesce(first_responded_at, sla_paused_at, 'infinity'::timestamptz)
                 then first_response_due_at end,
            case when resolution_due_at < coalesce(sla_paused_at, 'infinity'::timestamptz)
                 then resolution_due_at end
        )
    ) stored;

comment on column public.support_tickets.first_response_due_at is
    'When support''s first public reply is due (created_at + the priority''s target, in its schedule''s business minutes or calendar time).';
comment on column public.support_tickets.first_responded_at is
    'Support''s first public reply; null until then.';
comment on column public.support_tickets.resolution_due_at is
    'When the resolution is due: sla_started_at + the priority''s target + time spent waiting on the user.';
comment on column public.support_tickets.sla_started_at is
    'Start of the resolution clock: created_at, or the time of the last reopen.';
comment on column public.support_tickets.sla_paused_at is
    'Since when the clock stands: waiting on the user (support replied last) or stopped by resolve/close.';
comment on column public.support_tickets.sla_paused_for is
    'Time the resolution clock stood waiting on the user since sla_started_at.';
comment on column public.support_tickets.sla_next_due_at is
    'The next running deadline (first response, then resolution); null when nothing is due. Derived.';
comment on column public.support_tickets.sla_breached_at is
    'When the ticket missed (or, its clock running, will miss) a target: breached now when this is '
    'before now. Null when every target was or can still be met with the clock stopped. Derived.';

create index support_tickets_sla_next_due_at_idx on public.support_tickets (sla_next_due_at, id)
    where sla_next_due_at is not null;

-- Security definer: it reads public.sla_policies, which users may not read, for the tickets they
-- file (as invoker a user's ticket got no clock at all); it writes only the clock columns of the
-- row being written, which the caller's grants and RLS already let through.
create function private.keep_sla_clock()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    due record;
    clocks constant text[] := array[
        'first_response_due_at', 'first_responded_at', 'resolution_due_at', 'sla_started_at',
        'sla_paused_at', 'sla_paused_for', 'sla_paused_business_minutes', 'sla_next_due_at', 'sla_breached_at', 'updated_at',
        -- Kept by support_tickets_keep_priority_order, which may fire after this trigger.
        'priority_order'];
begin
    if tg_op = 'INSERT' then
        new.sla_started_at := coalesce(new.sla_started_at, new.created_at);
        if new.status in ('resolved', 'closed') then
            new.sla_paused_at := coalesce(new.sla_paused_at, new.resolved_at, new.created_at);
        end if;
    else
        if old.status in ('open', 'in_progress') and new.status in ('resolved', 'closed') then
            new.sla_paused_at := coalesce(old.sla_paused_at, now());
        elsif old.status in ('resolved', 'closed') and new.status in ('open', 'in_progress') then
            new.sla_started_at := now();
            new.sla_paused_for := interval '0';
            new.sla_paused_business_minutes := 0;
            new.sla_paused_at := null;
        end if;
        if new.priority is not distinct from old.priority
            and new.sla_started_at is not distinct from old.sla_started_at
            and new.sla_paused_for is not distinct from old.sla_paused_for
            and new.sla_paused_business_minutes is not distinct from old.sla_paused_business_minutes then
            if (pg_catalog.to_jsonb(new) - clocks) = (pg_catalog.to_jsonb(old) - clocks) then
                new.updated_at := old.updated_at;
            end if;
            return new;
        end if;
    end if;

    -- Business hours (20260203000100_create_business_schedules.sql): the targets count in the
    -- priority's schedule, or in calendar time without one.
    select d.* into due
    from private.sla_due_times(new.priority, new.created_at, new.sla_started_at, new.sla_paused_for,
                               new.sla_paused_business_minutes) as d;
    if exists (select 1 from public.sla_policies as p where p.priority = new.priority) then
        if tg_op = 'UPDATE' or new.first_response_due_at is null then
            new.first_response_due_at := due.first_response_due_at;
        end if;
        if tg_op = 'UPDATE' or new.resolution_due_at is null then
            new.resolution_due_at := due.resolution_due_at;
        end if;
    end if;
    if tg_op = 'UPDATE' and (pg_catalog.to_jsonb(new) - clocks) = (pg_catalog.to_jsonb(old) - clocks) then
        new.updated_at := old.updated_at;
    end if;
    return new;
end;
$$;

comment on function private.keep_sla_clock() is
    'Before insert or update on public.support_tickets: sets the due times from public.sla_policies '
    'on create, priority change and reopen; stops the clock on resolve/close; keeps updated_at '
    'when only the clocks changed. Security definer: it reads sla_policies, which users may not '
    'read, for the tickets they file; it writes only the clock columns of the row being written.';

-- Named to fire after support_tickets_track_status (same timing, name order), so that it sees
-- the updated_at that trigger set and may put it back.
create trigger support_tickets_update_sla_clock
    before insert or update on public.support_tickets
    for each row
    execute function private.keep_sla_clock();

-- Existing tickets get clocks as if the policies had applied from their creation (the trigger
-- above computes the due times and keeps updated_at).
update public.support_tickets as t
set sla_started_at = t.created_at,
    sla_paused_at = case when t.status in ('resolved', 'closed') then coalesce(t.resolved_at, t.updated_at) end;

-- Security definer: users hold no update on support_tickets, yet their reply restarts a paused
-- clock. It changes only the clock columns of the ticket of the message just inserted (which
-- RLS let the caller write).
create function private.track_sla_reply()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    if new.internal then
        return null;
    end if;
    if new.author_kind = 'user' then
        update public.support_tickets as t
        set sla_paused_for = t.sla_paused_for + (new.created_at - t.sla_paused_at),
            sla_paused_business_minutes = t.sla_paused_business_minutes + private.business_minutes(
                private.sla_schedule(t.priority), t.sla_paused_at, new.created_at),
            sla_paused_at = null
        where t.id = new.ticket_id
            and t.status in ('open', 'in_progress')
            and t.sla_paused_at is not null;
    else
        update public.support_tickets as t
        set first_responded_at = coalesce(t.first_responded_at, new.created_at),
            sla_paused_at = coalesce(t.sla_paused_at, new.created_at)
        where t.id = new.ticket_id
            and t.status in ('open', 'in_progress');
    end if;
    return null;
end;
$$;

comment on function private.track_sla_reply() is
    'After insert on public.ticket_messages: support''s public reply answers the ticket (first '
    'time) and pauses its clock; the user''s reply resumes it. Internal notes change nothing.';
revoke all on function private.keep_sla_clock(), private.track_sla_reply() from public;

-- Named to fire after ticket_messages_record: a user's reply that reopened a resolved ticket
-- has restarted its clock already.
create trigger ticket_messages_sla_clock
    after insert on public.ticket_messages
    for each row
    execute function private.track_sla_reply();
