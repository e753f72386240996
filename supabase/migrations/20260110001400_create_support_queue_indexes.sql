-- The indexes the staff queue (public.support_queue) reads, made with the tickets' other
-- issue-10 columns.
--
-- Why: the queue's default views and its text search must not read the whole table. Each index
-- serves one view: open and unassigned by created, mine by updated, open by priority, every
-- ticket by created or updated, and the words of subject and description (`simple`
-- configuration). The queue itself is defined once, in 20260111001100_create_support_queue.sql,
-- after the service-level, merge and problem columns its rows show.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file require-concurrent-index-creation

-- The default views: open and unassigned by created; mine by updated; open by priority.
create index support_tickets_status_assignee_id_created_at_idx
    on public.support_tickets (status, assignee_id, created_at desc, id desc);
create index support_tickets_assignee_id_updated_at_idx
    on public.support_tickets (assignee_id, updated_at desc, id desc);
create index support_tickets_status_priority_order_created_at_idx
    on public.support_tickets (status, priority_order, created_at, id);
create index support_tickets_created_at_idx on public.support_tickets (created_at desc, id desc);
create index support_tickets_updated_at_idx on public.support_tickets (updated_at desc, id desc);
-- The text search: words of subject and description.
create index support_tickets_search_idx on public.support_tickets
    using gin (pg_catalog.to_tsvector('simple'::regconfig, subject || ' ' || description));
