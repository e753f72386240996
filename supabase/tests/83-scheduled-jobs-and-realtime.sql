-- pg_cron jobs (where pg_cron is loaded), the archive purge, and the Realtime publication.
begin;
select plan(6);

select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

select results_eq(
    $$select tablename::text collate "C" from pg_publication_tables
      where pubname = 'supabase_realtime' and schemaname = 'public' order by tablename$$,
    array['support_tickets', 'ticket_messages'] collate "C",
    'tickets and their messages are in supabase_realtime (RLS decides who receives what)'
);
select is_empty(
    $$select 1 from pg_publication_tables where pubname = 'supabase_realtime'
      and tablename in ('ticket_events', 'notification_preferences', 'webhook_endpoints')$$,
    'history, preferences and webhook secrets are not published'
);

-- cron.job exists only where pg_cron does: read it dynamically.
create temporary table cron_jobs (jobname text);
do $$
begin
    if to_regclass('cron.job') is not null then
        execute 'insert into cron_jobs select jobname from cron.job';
    end if;
end
$$;
select ok(
    to_regclass('cron.job') is null
    or (select count(*) = 3 from cron_jobs
        where jobname in ('close-resolved-tickets', 'purge-archived-notifications', 'run-time-rules')),
    'where pg_cron is created the three jobs are scheduled'
);

insert into pgmq.a_notifications (msg_id, read_ct, enqueued_at, archived_at, vt, message)
values (-1, 1, now() - interval '40 days', now() - interval '31 days', now(), '{}'),
       (-2, 1, now() - interval '2 days', now() - interval '1 day', now(), '{}');
select is(private.purge_archived_notifications(), 1,
    'the purge deletes notifications archived longer ago than the retention (30 days)');
select is((select count(*)::int from pgmq.a_notifications where msg_id in (-1, -2)), 1,
    'a recent archived notification stays');
select tests.authenticate_as('admin');
select throws_ok('select private.purge_archived_notifications()', '42501', null,
    'a signed-in user cannot run the purge');

select * from finish();
rollback;
