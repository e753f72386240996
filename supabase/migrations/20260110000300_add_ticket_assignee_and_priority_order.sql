-- Ticket columns for working a ticket: the assignee as a staff member and the priority's place
-- in the queue.
--
-- Why: the contract's assigned_to is free text (at most 100 characters); a queue filtered by
-- "mine" or "unassigned" needs a reference to a staff member. assigned_to stays, kept equal to
-- the assignee's display name by public.support_update_ticket. (follow_up_of, the closed ticket
-- a new one follows up, is a column of the table from 20260101000200.)
-- priority_order sorts urgent first with an ordinary index (the queue's "by priority" view).

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file require-concurrent-index-creation, adding-foreign-key-constraint, adding-field-with-default, prefer-bigint-over-smallint

alter table public.support_tickets
    add column assignee_id uuid references public.support_staff (user_id) on delete set null,
    add column priority_order smallint generated always as (
        case priority when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end
    ) stored;

comment on column public.support_tickets.assignee_id is
    'The staff member working the ticket (public.support_staff); null when unassigned. Cleared '
    'when that person leaves support.';
comment on column public.support_tickets.priority_order is
    'Sort key of priority, urgent first (0) to low (3). Derived; not writable.';

