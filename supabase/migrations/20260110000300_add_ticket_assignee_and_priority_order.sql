-- Ticket columns for working a ticket: the assignee as a staff member and the priority's place
-- in the queue.
--
-- Why: the contract's assigned_to is free text (at most 100 characters); a queue filtered by
-- "mine" or "unassigned" needs a reference to a staff member. assigned_to stays, kept equal to
-- the assignee's display name by public.support_update_ticket. (follow_up_of, the closed ticket
-- a new one follows up, is a column of the table from 20260101000200.)
-- priority_order sorts urgent first with an ordinary index (the queue's "by priority" view): the
-- rank of the priority's row in public.ticket_priorities, copied by a trigger when a ticket is
-- written (a generated column cannot read a table), so a new priority is one row there.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file require-concurrent-index-creation, adding-foreign-key-constraint, adding-field-with-default, prefer-bigint-over-smallint

alter table public.support_tickets
    add column assignee_id uuid references public.support_staff (user_id) on delete set null,
    add column priority_order smallint;

comment on column public.support_tickets.assignee_id is
    'The staff member working the ticket (public.support_staff); null when unassigned. Cleared '
    'when that person leaves support.';
comment on column public.support_tickets.priority_order is
    'Sort key of priority, most urgent first: public.ticket_priorities.rank, kept by a trigger.';

create function private.keep_priority_order()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    -- Null for an unknown priority, which support_tickets_vocabulary refuses after this.
    new.priority_order := (select p.rank from public.ticket_priorities as p where p.code = new.priority);
    return new;
end;
$$;

comment on function private.keep_priority_order() is
    'Before insert or update on public.support_tickets: priority_order is the rank of the '
    'ticket''s priority (public.ticket_priorities).';
revoke all on function private.keep_priority_order() from public;

create trigger support_tickets_keep_priority_order
    before insert or update on public.support_tickets
    for each row
    execute function private.keep_priority_order();

