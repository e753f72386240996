-- In-app notifications: support tickets and their messages in Supabase Realtime's publication.
--
-- Why: the app shows a reply or a status change as it happens. Realtime's Postgres Changes
-- reads the `supabase_realtime` publication and checks each change against the subscriber's
-- RLS, so a user receives only their own tickets and never an internal note (the policies of
-- public.ticket_messages hide those). We chose this over database Broadcast: the volume is a
-- few changes per ticket, the tables' policies already say who sees what, and the app needs
-- no topic naming of its own; Broadcast pays off for many subscribers per change, which a
-- support ticket (one owner, a few agents) never has. Supabase creates the publication; the
-- local bootstrap does too.

do $$
begin
    if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        raise notice 'publication supabase_realtime does not exist: skipped';
        return;
    end if;
    if not exists (select 1 from pg_catalog.pg_publication_tables
                   where pubname = 'supabase_realtime' and schemaname = 'public'
                       and tablename = 'support_tickets') then
        alter publication supabase_realtime add table public.support_tickets;
    end if;
    if not exists (select 1 from pg_catalog.pg_publication_tables
                   where pubname = 'supabase_realtime' and schemaname = 'public'
                       and tablename = 'ticket_messages') then
        alter publication supabase_realtime add table public.ticket_messages;
    end if;
end
$$;
