-- A user's priority is a request; `urgent` is support's to give.
--
-- Why: any user could file at `urgent`, and the queue's order and the SLA clocks (an hour to
-- the first response) took them at their word. As helpdesks do, a ticket keeps the priority
-- its requester asked for (requested_priority, never changed) apart from the priority support
-- works by (priority, the effective one, which orders the queue and starts the clocks). A
-- signed-in user who is not staff files a priority at what its row of public.ticket_priorities
-- says (`user_request_becomes`: `urgent` becomes `high` as seeded) until an agent raises it
-- (support_update_ticket); the rule is data, so an admin may change or drop it. Staff filing for themselves, service_role and
-- postgres keep the priority they give. The create RPCs answer with the effective priority, so
-- the user reads what support will work to; requested_priority keeps what they asked.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file adding-foreign-key-constraint, constraint-missing-not-valid

alter table public.support_tickets
    add column requested_priority text,
    add constraint support_tickets_requested_priority_valid
        foreign key (requested_priority) references public.ticket_priorities (code);

comment on column public.support_tickets.requested_priority is
    'The priority the requester asked for, kept as filed; priority is the one support works by.';
comment on constraint support_tickets_requested_priority_valid on public.support_tickets is
    'requested_priority must be one of {codes}';

create function private.take_requested_priority()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    becomes text;
begin
    select p.user_request_becomes into becomes
    from public.ticket_priorities as p
    where p.code = new.priority;
    -- A priority that is no row is left for private.check_vocabulary to refuse by its own name.
    if not found then
        return new;
    end if;
    new.requested_priority := new.priority;
    if (select auth.uid()) is not null and not private.is_staff() then
        new.priority := coalesce(becomes, new.priority);
    end if;
    return new;
end;
$$;

comment on function private.take_requested_priority() is
    'Before insert on public.support_tickets: keeps the asked priority in requested_priority and '
    'files a user''s request at the priority its row''s user_request_becomes names (support '
    'raises it).';
revoke all on function private.take_requested_priority() from public;

-- Named to fire before support_tickets_update_sla_clock (same timing, name order): the clocks
-- start from the effective priority.
create trigger support_tickets_cap_requested_priority
    before insert on public.support_tickets
    for each row
    execute function private.take_requested_priority();
