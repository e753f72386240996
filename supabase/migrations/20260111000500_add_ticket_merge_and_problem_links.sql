-- Ticket columns for duplicates and known problems: merged_into and problem_id, and their
-- history events.
--
-- Why: staff merge a duplicate into another ticket of the same requester (the source closes
-- with merged_into set) and link bug reports to a problem ticket (Zendesk's problem/incident
-- model: resolving the problem resolves its reports). Both are set only by the staff RPCs of
-- 20260111000600 and 20260111000700; users read the columns of their own tickets, which name
-- no other user's ticket content. History gains two kinds: merged (on both tickets, public:
-- both belong to the same requester) and problem (a link or unlink, internal: the problem is
-- usually another user's ticket).

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- Each dropped constraint is added again at once, under the same name.
-- squawk-ignore-file adding-foreign-key-constraint, ban-drop-constraint, constraint-missing-not-valid, require-concurrent-index-creation

alter table public.support_tickets
    add column merged_into uuid references public.support_tickets (id) on delete set null,
    add column problem_id uuid references public.support_tickets (id) on delete set null,
    add constraint support_tickets_merged_into_not_self check (merged_into <> id),
    add constraint support_tickets_problem_id_not_self check (problem_id <> id);

comment on column public.support_tickets.merged_into is
    'The ticket of the same requester this one was merged into (it is then closed); null otherwise.';
comment on column public.support_tickets.problem_id is
    'The problem ticket this report is linked to: resolving the problem resolves this ticket.';
comment on constraint support_tickets_merged_into_not_self on public.support_tickets is
    'a ticket cannot be merged into itself';
comment on constraint support_tickets_problem_id_not_self on public.support_tickets is
    'a ticket cannot be its own problem';

create index support_tickets_merged_into_idx on public.support_tickets (merged_into)
    where merged_into is not null;
create index support_tickets_problem_id_status_idx on public.support_tickets (problem_id, status)
    where problem_id is not null;

alter table public.ticket_events drop constraint ticket_events_kind_valid;
alter table public.ticket_events add constraint ticket_events_kind_valid check (kind in (
    'created', 'status', 'priority', 'type', 'assignee', 'resolution', 'notes',
    'public_reply', 'internal_note', 'rating', 'linked', 'merged', 'problem'
));
comment on constraint ticket_events_kind_valid on public.ticket_events is
    'kind must be one of created, status, priority, type, assignee, resolution, notes, public_reply, '
    'internal_note, rating, linked, merged, problem';
comment on column public.ticket_events.kind is
    'created, status, priority, type, assignee, resolution, notes, public_reply, internal_note, '
    'rating, linked, merged '
    '(from = the merged ticket, to = the ticket merged into) or problem (to = the problem or report '
    'linked, from = the one unlinked).';

insert into public.support_messages (topic, message) values
    ('ticket_merged', 'This request was merged into another of your tickets; the conversation continues there.');
