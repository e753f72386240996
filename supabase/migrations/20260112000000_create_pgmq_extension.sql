-- The notification queue: pgmq (Supabase Queues) and the queue `notifications`.
--
-- Why: a change and its notification must commit together, and a notification must survive
-- crashes until it is delivered. pgmq keeps each message as a row of a table, written in the
-- transaction that made the change, and hands it to one reader at a time for a visibility
-- timeout; the worker deletes (archives) it only after delivery. On hosted Supabase this is the
-- same `create extension` that Integrations > Queues runs (schema pgmq); locally the stack
-- installs the extension's files (support_dev/stack/extensions.py).
-- No role of the API reaches the queue: it lives in schema pgmq, which PostgREST does not
-- expose, and only the notification worker's role is granted its tables.

-- squawk: The queue table is created by pgmq.create() just above, in this file: it is empty.
-- squawk-ignore-file require-concurrent-index-creation

create extension if not exists pgmq;

select pgmq.create('notifications')
where not exists (select 1 from pgmq.meta as m where m.queue_name = 'notifications');

comment on table pgmq.q_notifications is
    'Notifications waiting for delivery, one per user-visible ticket event; ids only, no content. '
    'Read by support-worker; a row leaves when it is delivered (archived) or dead.';
comment on table pgmq.a_notifications is
    'Notifications delivered (and the dead ones). Purged after notification_settings.archive_retention.';

-- The enqueue trigger looks for a ticket's pending message to batch with (same visible time).
create index q_notifications_ticket_id_idx on pgmq.q_notifications ((message ->> 'ticket_id'))
    where read_ct = 0;
