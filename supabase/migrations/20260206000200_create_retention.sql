-- Retention: how long resolved tickets, feedback, delivered notifications and history are kept,
-- set by admins, applied hourly in bounded batches.
--
-- Why: data nobody needs any more should not be held (GDPR art. 5(1)(e), storage limitation).
-- public.retention_settings holds one row of intervals, null meaning forever (the default: a
-- team decides). private.apply_retention anonymises resolved or closed tickets and feedback
-- older than their setting the way an erasure does (texts replaced, the person dropped, the
-- figures kept), deletes delivered notifications and history events older than theirs, at most
-- `batch` rows of each kind per run, so that a run never holds locks for long; pg_cron (or the
-- stack's runner) runs it hourly. Files of anonymised tickets lose their link and the
-- attachment clean-up removes them through the Storage API. The settings are configuration:
-- every change is in the audit log.

-- squawk: First release: nothing is deployed yet, so the tables indexed here are empty when it runs.
-- squawk-ignore-file require-concurrent-index-creation

create table public.retention_settings (
    id boolean primary key default true,
    resolved_tickets interval,
    feedback interval,
    archived_notifications interval,
    history interval,
    updated_at timestamptz not null default now(),
    constraint retention_settings_id_single check (id),
    constraint retention_settings_resolved_tickets_positive check (resolved_tickets > interval '0'),
    constraint retention_settings_feedback_positive check (feedback > interval '0'),
    constraint retention_settings_archived_notifications_positive check (archived_notifications > interval '0'),
    constraint retention_settings_history_positive check (history > interval '0')
);

comment on table public.retention_settings is
    'How long data is kept (null: for ever). Admins change it; private.apply_retention applies it '
    'hourly. Backups and point-in-time recovery keep copies for their own window (README, Privacy).';
comment on column public.retention_settings.resolved_tickets is
    'Resolved or closed tickets resolved longer ago than this are anonymised: texts replaced, owner '
    'dropped, files unlinked; status, priority, SLA clocks and ratings stay.';
comment on column public.retention_settings.feedback is
    'Feedback older than this is anonymised (description replaced, sender dropped).';
comment on column public.retention_settings.archived_notifications is
    'Delivered notifications archived longer ago than this are deleted.';
comment on column public.retention_settings.history is
    'Ticket and feedback history events older than this are deleted.';
comment on constraint retention_settings_id_single on public.retention_settings is 'retention_settings holds one row';
comment on constraint retention_settings_resolved_tickets_positive on public.retention_settings is
    'resolved_tickets must be a positive interval, or null (for ever)';
comment on constraint retention_settings_feedback_positive on public.retention_settings is
    'feedback must be a positive interval, or null (for ever)';
comment on constraint retention_settings_archived_notifications_positive on public.retention_settings is
    'archived_notifications must be a positive interval, or null (for ever)';
comment on constraint retention_settings_history_positive on public.retention_settings is
    'history must be a positive interval, or null (for ever)';

insert into public.retention_settings (id) values (true);

alter table public.retention_settings enable row level security;
revoke all on table public.retention_settings from public, anon, authenticated, service_role;
grant select on table public.retention_settings to authenticated;
grant update (resolved_tickets, feedback, archived_notifications, history, updated_at)
    on table public.retention_settings to authenticated;
grant select, update on table public.retention_settings to service_role;

create policy "staff read the retention settings"
    on public.retention_settings for select to authenticated
    using ((select private.is_staff()));
create policy "admins change the retention settings"
    on public.retention_settings for update to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));

insert into private.table_registry (table_name, configuration, note) values
    ('public.retention_settings', true, 'how long data is kept');
create trigger audit_changes after insert or update or delete on public.retention_settings
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.retention_settings
    for each statement execute function private.record_audit();

create index support_tickets_retention_due_idx on public.support_tickets (resolved_at)
    where status in ('resolved', 'closed') and user_id is not null;
create index user_feedback_retention_due_idx on public.user_feedback (created_at) where user_id is not null;
create index ticket_events_created_at_idx on public.ticket_events (created_at);
create index feedback_events_created_at_idx on public.feedback_events (created_at);

-- Security definer: it anonymises and deletes across tables no API role writes, with
-- session_replication_role = replica so that anonymising writes no history and fires no rule
-- (as private.erase_steps). It reads its limits from public.retention_settings only.
create function private.apply_retention(batch integer default 1000)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    settings public.retention_settings;
    due uuid[];
    tickets integer := 0;
    feedback integer := 0;
    notifications integer := 0;
    events integer := 0;
    removed integer;
begin
    select s.* into settings from public.retention_settings as s;
    set local session_replication_role = replica;

    if settings.resolved_tickets is not null then
        select pg_catalog.array_agg(t.id) into due
        from (select t.id from public.support_tickets as t
              where t.status in ('resolved', 'closed') and t.user_id is not null
                and t.resolved_at < pg_catalog.now() - settings.resolved_tickets
              order by t.resolved_at limit batch) as t;
        if due is not null then
            delete from public.ticket_attachments as a where a.ticket_id = any (due);
            delete from public.ticket_field_values as v where v.ticket_id = any (due);
            update public.ticket_messages as m set body = '[erased]', author_id = null
            where m.ticket_id = any (due);
            update public.ticket_ratings as r set user_id = null, comment = null where r.ticket_id = any (due);
            update public.ticket_events as e set actor_id = null, from_value = null, to_value = null
            where e.ticket_id = any (due) and e.kind not in ('created', 'status', 'priority', 'type');
            update public.ticket_events as e set actor_id = null where e.ticket_id = any (due);
            update public.support_tickets as t
            set user_id = null, subject = '[erased]', description = '[erased]', admin_notes = null,
                resolution = case when t.resolution is not null then '[erased]' end, meta_data = '{}',
                steps_to_reproduce = null, expected_behavior = null, actual_behavior = null,
                device_info = null, app_version = null, screenshot_urls = null
            where t.id = any (due);
            get diagnostics tickets = row_count;
        end if;
    end if;

    if settings.feedback is not null then
        update public.user_feedback as f
        set user_id = null, description = '[erased]', feature_name = null, admin_response = null, meta_data = '{}'
        where f.id in (select f2.id from public.user_feedback as f2
                       where f2.user_id is not null and f2.created_at < pg_catalog.now() - settings.feedback
                       order by f2.created_at limit batch);
        get diagnostics feedback = row_count;
    end if;

    if settings.archived_notifications is not null then
        delete from pgmq.a_notifications as a
        where a.msg_id in (select a2.msg_id from pgmq.a_notifications as a2
                           where a2.archived_at < pg_catalog.now() - settings.archived_notifications
                           order by a2.archived_at limit batch);
        get diagnostics notifications = row_count;
    end if;

    if settings.history is not null then
        delete from public.ticket_events as e
        where e.id in (select e2.id from public.ticket_events as e2
                       where e2.created_at < pg_catalog.now() - settings.history
                       order by e2.created_at limit batch);
        get diagnostics removed = row_count;
        events := removed;
        delete from public.feedback_events as e
        where e.id in (select e2.id from public.feedback_events as e2
                       where e2.created_at < pg_catalog.now() - settings.history
                       order by e2.created_at limit batch);
        get diagnostics removed = row_count;
        events := events + removed;
    end if;

    set local session_replication_role = origin;
    return pg_catalog.json_build_object('tickets', tickets, 'feedback', feedback,
                                        'archived_notifications', notifications, 'history_events', events);
end;
$$;

comment on function private.apply_retention(integer) is
    'Applies public.retention_settings: at most batch tickets, feedback, archived notifications and '
    'history events of each kind per run; returns how many of each. Scheduled hourly.';
revoke all on function private.apply_retention(integer) from public, anon, authenticated;
grant execute on function private.apply_retention(integer) to service_role;
