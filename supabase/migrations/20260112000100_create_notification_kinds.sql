-- Which ticket events the user hears of, and the delivery settings: rules as data.
--
-- Why: an admin decides which events notify users (and issue 11 adds "problem resolved" and
-- "feedback status" as rows) without a code change. Each notification kind maps an event of
-- public.ticket_events (its kind, and optionally the value it changed to) to what the user is
-- told. The most specific row wins: a status change to `resolved` is `resolved`, any other
-- status change is `status_changed`. Internal events never match (the trigger skips them).
-- A kind told by another source than ticket_events (post_status: a public post moved,
-- 20260207000600) has no event_kind: no ticket event ever matches it.
-- The settings row holds the batching window, the retry policy and the archive retention.
-- Users read the kinds (to set their preferences); admins change both tables.

-- squawk: max_attempts counts delivery attempts, a small number.
-- squawk-ignore-file prefer-bigint-over-int

create table public.notification_kinds (
    kind text primary key,
    event_kind text,
    to_value text,
    label text not null,
    created_at timestamptz not null default now(),
    constraint notification_kinds_event_kind_valid
        foreign key (event_kind) references public.ticket_event_kinds (code),
    constraint notification_kinds_to_value_with_event check (event_kind is not null or to_value is null),
    constraint notification_kinds_kind_format check (kind ~ '^[a-z][a-z_]{0,39}$'),
    constraint notification_kinds_label_not_blank check (label !~ '^[[:space:]]*$'),
    constraint notification_kinds_label_max_length check (char_length(label) <= 200),
    constraint notification_kinds_label_one_line check (private.is_one_line(label))
);

comment on table public.notification_kinds is
    'The ticket events users are notified of: event_kind (and to_value when set) of '
    'public.ticket_events maps to this kind. Delete a row to stop that notification.';
comment on column public.notification_kinds.event_kind is
    'A code of public.ticket_event_kinds (public_reply, status, ...); null for a kind that no '
    'ticket event matches, told by its own trigger (post_status: a public post moved).';
comment on column public.notification_kinds.to_value is
    'Only events that changed to this value (e.g. status resolved); null for any value.';
comment on column public.notification_kinds.label is 'What the user is told happened, as a sentence.';
comment on constraint notification_kinds_event_kind_valid on public.notification_kinds is
    'event_kind must be one of {codes}';
comment on constraint notification_kinds_to_value_with_event on public.notification_kinds is
    'to_value applies only to a kind with an event_kind';
comment on constraint notification_kinds_kind_format on public.notification_kinds is
    'kind must be lower-case letters and underscores, at most 40 characters';
comment on constraint notification_kinds_label_not_blank on public.notification_kinds is
    'label must not be blank';
comment on constraint notification_kinds_label_max_length on public.notification_kinds is
    'label must be at most 200 characters';
comment on constraint notification_kinds_label_one_line on public.notification_kinds is
    'label must be one line, without control characters (it starts the email''s subject)';

create unique index notification_kinds_event_kind_to_value_idx
    on public.notification_kinds (event_kind, coalesce(to_value, ''));

create trigger notification_kinds_vocabulary
    before insert or update of event_kind on public.notification_kinds
    for each row
    execute function private.check_vocabulary();

insert into public.notification_kinds (kind, event_kind, to_value, label) values
    ('reply', 'public_reply', null, 'Support replied to your ticket.'),
    ('status_changed', 'status', null, 'The status of your ticket changed.'),
    ('resolved', 'status', 'resolved', 'Your ticket was resolved.'),
    ('resolution_changed', 'resolution', null, 'The resolution of your ticket changed.'),
    ('notes_changed', 'notes', null, 'Support changed the note on your ticket.');

alter table public.notification_kinds enable row level security;
revoke all on table public.notification_kinds from anon, authenticated, service_role;
grant select on table public.notification_kinds to authenticated, service_role;
grant insert, update, delete on table public.notification_kinds to authenticated;

create policy "signed-in users read the notification kinds"
    on public.notification_kinds for select to authenticated
    using (true);
create policy "admins add notification kinds"
    on public.notification_kinds for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change notification kinds"
    on public.notification_kinds for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins remove notification kinds"
    on public.notification_kinds for delete to authenticated
    using ((select private.is_admin()));

create table public.notification_settings (
    id boolean primary key default true,
    batch_window interval not null default interval '15 seconds',
    max_attempts integer not null default 8,
    retry_base interval not null default interval '10 seconds',
    retry_max interval not null default interval '1 hour',
    archive_retention interval not null default interval '30 days',
    constraint notification_settings_id_single_row check (id),
    constraint notification_settings_batch_window_range check (
        batch_window between interval '0' and interval '1 hour'),
    constraint notification_settings_max_attempts_range check (max_attempts between 1 and 100),
    constraint notification_settings_retry_range check (
        retry_base > interval '0' and retry_max >= retry_base),
    constraint notification_settings_archive_retention_min check (archive_retention >= interval '1 day')
);

comment on table public.notification_settings is
    'One row: how notifications are batched, retried and kept. Read by support-worker on each batch.';
comment on column public.notification_settings.batch_window is
    'Changes to one ticket within this window after the first reach the user as one email.';
comment on column public.notification_settings.max_attempts is
    'Deliveries tried before a notification is dead (public.dead_notifications).';
comment on column public.notification_settings.retry_base is
    'Wait after the first failed delivery; it doubles with each further failure, up to retry_max.';
comment on column public.notification_settings.archive_retention is
    'Delivered notifications are purged (pg_cron) after this long.';
comment on constraint notification_settings_id_single_row on public.notification_settings is
    'there is only one settings row';
comment on constraint notification_settings_batch_window_range on public.notification_settings is
    'batch_window must be between 0 and 1 hour';
comment on constraint notification_settings_max_attempts_range on public.notification_settings is
    'max_attempts must be between 1 and 100';
comment on constraint notification_settings_retry_range on public.notification_settings is
    'retry_base must be positive and retry_max at least retry_base';
comment on constraint notification_settings_archive_retention_min on public.notification_settings is
    'archive_retention must be at least 1 day';

insert into public.notification_settings default values;

alter table public.notification_settings enable row level security;
revoke all on table public.notification_settings from anon, authenticated, service_role;
grant select, update (batch_window, max_attempts, retry_base, retry_max, archive_retention)
    on table public.notification_settings to authenticated;
grant select on table public.notification_settings to service_role;

create policy "admins read the notification settings"
    on public.notification_settings for select to authenticated
    using ((select private.is_admin()));
create policy "admins change the notification settings"
    on public.notification_settings for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
