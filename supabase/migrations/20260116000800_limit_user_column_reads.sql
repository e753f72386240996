-- What a user reads of their own tickets directly is what get_ticket shows them.
--
-- Why: a ticket's owner read, in a direct `select` on their own rows, what the RPCs leave out:
-- the agent who holds the ticket (assignee_id, assigned_to with the agent's name), the staff
-- member behind each event (actor_id), another user's ticket (problem_id:
-- a problem is usually someone else's), support's meta_data and every SLA clock. Column
-- privileges now grant `authenticated` only the columns get_ticket answers with (plus user_id,
-- their own id, and merged_into, a ticket of their own that the public `merged` event names
-- already); the rows stay those of RLS. Staff are `authenticated` too, but they hold no read
-- policy on these tables and read through their definer RPCs (support_queue, support_ticket),
-- which run as the owner of the functions and see every column. service_role keeps every column.
--
-- `select=*` (supabase-js `.select()` with no columns, or an insert returning the row) names
-- every column, and PostgreSQL refuses it as a whole: 42501 `permission denied for table
-- support_tickets`. Clients name the columns they read (README, "Direct reads"). We chose that
-- over keeping `*` working: a `*` that silently returned support's columns is what this closes.
--
-- The same for the thread and feedback: ticket_messages.author_id (the staff member behind a
-- public reply; what needs it reads it in definer helpers: private.is_own_message for the links
-- of attachments, private.recent_reply_times for the reply rate limit) and
-- user_feedback.duplicate_of (the entry an entry repeats, usually someone else's;
-- list_my_feedback gives it only when it is the user's own, through private.own_duplicate_of)
-- and meta_data (support's, as on tickets). Users insert their rows by column already.
--
-- Realtime's publication carries the same columns (PostgreSQL 15 publication column lists), so
-- a change stream never holds a column that the subscriber could not select.

revoke select on table public.support_tickets from authenticated;
grant select (
    id, user_id, ticket_type, subject, description, status, priority, admin_notes, resolution,
    created_at, updated_at, resolved_at, steps_to_reproduce, expected_behavior, actual_behavior,
    device_info, app_version, screenshot_urls, follow_up_of, merged_into
) on table public.support_tickets to authenticated;

revoke select on table public.ticket_events from authenticated;
grant select (id, ticket_id, kind, internal, actor_kind, from_value, to_value, message_id, created_at)
    on table public.ticket_events to authenticated;

revoke select on table public.ticket_messages from authenticated;
grant select (id, ticket_id, author_kind, internal, body, created_at)
    on table public.ticket_messages to authenticated;

revoke select on table public.user_feedback from authenticated;
grant select (
    id, user_id, category, description, rating, feature_name, would_recommend, status,
    admin_response, created_at, reviewed_at
) on table public.user_feedback to authenticated;

do $$
begin
    if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        raise notice 'publication supabase_realtime does not exist: skipped';
        return;
    end if;
    -- A table is published with one column list: replace the whole-table entries.
    if exists (select 1 from pg_catalog.pg_publication_tables
               where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'support_tickets') then
        alter publication supabase_realtime drop table public.support_tickets;
    end if;
    alter publication supabase_realtime add table public.support_tickets (
        id, user_id, ticket_type, subject, description, status, priority, admin_notes, resolution,
        created_at, updated_at, resolved_at, steps_to_reproduce, expected_behavior, actual_behavior,
        device_info, app_version, screenshot_urls, follow_up_of, merged_into
    );
    if exists (select 1 from pg_catalog.pg_publication_tables
               where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'ticket_messages') then
        alter publication supabase_realtime drop table public.ticket_messages;
    end if;
    alter publication supabase_realtime add table public.ticket_messages (
        id, ticket_id, author_kind, internal, body, created_at
    );
end
$$;
