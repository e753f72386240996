-- What support-triage has yet to score: one queue row per new ticket and feedback entry,
-- removed when the item is scored, and the fields it scored but deliberately left unanswered.
--
-- Why: the worker used to look for items of the last week without any suggestion. Its idle
-- poll then walked a week of items every 2 s (a cost that grows with the week's volume), an
-- item the suggester left unanswered stayed "pending" forever (a batch of them blocked every
-- newer item), and an item with one of its two fields suggested was never scored for the
-- other. Pending is now explicit: a row here, written by the item's insert (one small row and
-- one index entry; nothing else of triage is on the create path) and deleted in the
-- transaction that stores the item's suggestions, whatever the suggester answered. The poll
-- reads the queue's created_at index from the lookback cut-off: nothing pending, nothing read.
-- A field the suggester gave no answer for (e.g. a hosted model answering outside the allowed
-- values) is recorded in triage_unanswered, so "not scored" and "scored, no answer" differ.

create table public.triage_ticket_queue (
    ticket_id uuid primary key references public.support_tickets (id) on delete cascade,
    created_at timestamptz not null
);

comment on table public.triage_ticket_queue is
    'Tickets support-triage has yet to score (one row each, from the ticket''s insert; deleted '
    'when scored). created_at is the ticket''s. Read and emptied only through the triage '
    'role''s functions.';

create index triage_ticket_queue_created_at_idx on public.triage_ticket_queue (created_at);

create table public.triage_feedback_queue (
    feedback_id uuid primary key references public.user_feedback (id) on delete cascade,
    created_at timestamptz not null
);

comment on table public.triage_feedback_queue is
    'Feedback entries support-triage has yet to score (one row each, from the entry''s insert; '
    'deleted when scored). created_at is the entry''s. Read and emptied only through the '
    'triage role''s functions.';

create index triage_feedback_queue_created_at_idx on public.triage_feedback_queue (created_at);

create table public.triage_unanswered (
    id bigint generated always as identity primary key,
    ticket_id uuid references public.support_tickets (id) on delete cascade,
    feedback_id uuid references public.user_feedback (id) on delete cascade,
    field text not null,
    model_version text not null,
    created_at timestamptz not null default now(),
    constraint triage_unanswered_item_one check (num_nonnulls(ticket_id, feedback_id) = 1),
    constraint triage_unanswered_model_version_max_length check (char_length(model_version) <= 100)
);

comment on table public.triage_unanswered is
    'Fields support-triage scored and deliberately left without a suggestion (the suggester '
    'gave no answer), per item and model version: scored, not pending.';
comment on constraint triage_unanswered_item_one on public.triage_unanswered is
    'an unanswered field is of exactly one ticket or feedback entry';
comment on constraint triage_unanswered_model_version_max_length on public.triage_unanswered is
    'model_version must be at most 100 characters';

create unique index triage_unanswered_ticket_id_field_idx
    on public.triage_unanswered (ticket_id, field) where ticket_id is not null;
create unique index triage_unanswered_feedback_id_field_idx
    on public.triage_unanswered (feedback_id, field) where feedback_id is not null;

-- No policy and no grant: only the owner's definer functions read or write these.
alter table public.triage_ticket_queue enable row level security;
alter table public.triage_feedback_queue enable row level security;
alter table public.triage_unanswered enable row level security;
revoke all on public.triage_ticket_queue, public.triage_feedback_queue, public.triage_unanswered
    from anon, authenticated, service_role;

-- Security definer: items are inserted by API roles, which hold no privilege on the queues.
create function private.enqueue_ticket_for_triage()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    insert into public.triage_ticket_queue (ticket_id, created_at) values (new.id, new.created_at);
    return null;
end;
$$;

comment on function private.enqueue_ticket_for_triage() is
    'After insert on public.support_tickets: the ticket is pending for support-triage.';
revoke all on function private.enqueue_ticket_for_triage() from public;

create trigger enqueue_for_triage after insert on public.support_tickets
    for each row execute function private.enqueue_ticket_for_triage();

create function private.enqueue_feedback_for_triage()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    insert into public.triage_feedback_queue (feedback_id, created_at) values (new.id, new.created_at);
    return null;
end;
$$;

comment on function private.enqueue_feedback_for_triage() is
    'After insert on public.user_feedback: the entry is pending for support-triage.';
revoke all on function private.enqueue_feedback_for_triage() from public;

create trigger enqueue_for_triage after insert on public.user_feedback
    for each row execute function private.enqueue_feedback_for_triage();
