-- Scheduled privacy work: unfinished erasures every minute, retention every hour.
--
-- Why: an erasure waits for support-worker to remove the person's files, or was interrupted;
-- private.continue_erasures takes it up. private.apply_retention applies
-- public.retention_settings in bounded batches. Both are added to private.schedule_jobs (the
-- jobs of 20260112000700, kept as they were); where pg_cron is missing the stack's runner runs
-- them (support_dev/stack/runner.py, SCHEDULED_JOBS).

create or replace function private.schedule_jobs()
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
    perform cron.schedule('run-time-rules', '* * * * *', 'select private.run_time_rules()');
    -- Privacy (20260206000100, 20260206000200).
    perform cron.schedule('continue-erasures', '* * * * *', 'select private.continue_erasures()');
    perform cron.schedule('apply-retention', '41 * * * *', 'select private.apply_retention()');
    return true;
end;
$$;

comment on function private.schedule_jobs() is
    'Creates pg_cron if it is loaded and (re)schedules the jobs; returns false, scheduling '
    'nothing, where pg_cron is not available.';

select private.schedule_jobs();
