-- Scheduled work with pg_cron (Supabase Cron): closing resolved tickets and purging delivered
-- notifications.
--
-- Why: resolved tickets that the user does not answer are closed after the waiting period of
-- public.ticket_transitions (private.close_resolved_tickets), and the queue's archive would
-- otherwise grow forever. Hosted Supabase preloads pg_cron; the local stack preloads it when
-- its PostgreSQL has it (Debian's postgresql-15-cron). Where pg_cron is not loaded (e.g. a
-- PostgreSQL 17 binary set without it) this migration schedules nothing and says so; run it
-- again there with `select private.schedule_jobs()` once pg_cron is available.

create function private.purge_archived_notifications(now timestamptz default pg_catalog.now())
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    purged integer;
begin
    delete from pgmq.a_notifications as a
    where a.archived_at < purge_archived_notifications.now - (
        select s.archive_retention from public.notification_settings as s
    );
    get diagnostics purged = row_count;
    return purged;
end;
$$;

comment on function private.purge_archived_notifications(timestamptz) is
    'Deletes delivered notifications archived longer ago than notification_settings.archive_retention; '
    'returns how many. Scheduled hourly by pg_cron.';
revoke all on function private.purge_archived_notifications(timestamptz) from public, anon, authenticated;
grant execute on function private.purge_archived_notifications(timestamptz) to service_role;

create function private.schedule_jobs()
    returns boolean
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    if not exists (select 1 from pg_catalog.pg_available_extensions where name = 'pg_cron') then
        raise notice 'pg_cron is not installed here: no jobs scheduled (see docs/notifications.md)';
        return false;
    end if;
    -- pg_cron refuses to be created unless it is preloaded (shared_preload_libraries, which
    -- only a superuser may read, so the attempt is the test).
    begin
        create extension if not exists pg_cron with schema pg_catalog;
    exception when others then
        raise notice 'pg_cron is not loaded here: no jobs scheduled (see docs/notifications.md)';
        return false;
    end;
    -- cron.schedule by name replaces a job of that name: running this again is harmless.
    perform cron.schedule('close-resolved-tickets', '*/10 * * * *',
                          'select private.close_resolved_tickets()');
    perform cron.schedule('purge-archived-notifications', '17 * * * *',
                          'select private.purge_archived_notifications()');
    -- Time rules (20260203000300_create_time_rules.sql), in bounded batches.
    perform cron.schedule('run-time-rules', '* * * * *', 'select private.run_time_rules()');
    return true;
end;
$$;

comment on function private.schedule_jobs() is
    'Creates pg_cron if it is loaded and (re)schedules the jobs; returns false, scheduling '
    'nothing, where pg_cron is not available.';
revoke all on function private.schedule_jobs() from public, anon, authenticated;

select private.schedule_jobs();
