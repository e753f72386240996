-- The audit log: every change to the configuration and to people's powers, on record.
--
-- Why: a team must be able to show who changed what in its support configuration (staff roles,
-- SLA policies, the lifecycle rules, the vocabularies, notification and webhook settings,
-- triage and rate-limit settings, the refusal texts), and when, with the values before and
-- after. One generic trigger function, attached to every configuration table, appends a row to
-- private.audit_log in the transaction of the change, whoever makes it: an admin through the
-- API (auth.uid() and their staff role), service_role, or a database role from Studio, psql or
-- a migration (the session's role). Secrets are never copied: a secret column is recorded as
-- redacted, and whether it changed.
--
-- Which tables are configuration is declared, not guessed: private.table_registry lists every
-- table of public and private as configuration (audited) or not (user data, history, working
-- state), and a house rule (01-house-rules.sql) fails when a table is missing from it, when a
-- registered table no longer exists, or when a configuration table lacks the audit trigger (or
-- another table has it). A table added later must be registered, and so decided, in its
-- migration.
--
-- The log is append-only for everyone (a guard as for the history tables) and readable by
-- admins only, through private.audit_log_as_admin behind public.support_audit_log.

insert into public.support_messages (topic, status, code, message, hint) values
    ('audit_log_append_only', 403, 'audit_log_append_only', 'The audit log is append-only',
        'Entries are never changed or deleted.');

create table private.table_registry (
    table_name text primary key,
    configuration boolean not null,
    secret_columns text[] not null default '{}',
    counter_columns text[] not null default '{}',
    note text not null,
    constraint table_registry_table_name_qualified check (table_name ~ '^(public|private)\.[a-z_][a-z0-9_]*$'),
    constraint table_registry_secret_columns_configuration check (configuration or secret_columns = '{}'),
    constraint table_registry_counter_columns_configuration check (configuration or counter_columns = '{}'),
    constraint table_registry_note_not_blank check (not private.is_blank(note))
);

comment on table private.table_registry is
    'Every table of public and private, declared as configuration (its changes go to the audit '
    'log, through the trigger audit_changes) or not (user data, history, working state: note says '
    'which). A house rule checks it against the catalog both ways. Register a new table in the '
    'migration that creates it.';
comment on column private.table_registry.table_name is 'schema.table, as regclass spells it.';
comment on column private.table_registry.configuration is
    'True: a change of configuration or of someone''s powers, recorded in private.audit_log.';
comment on column private.table_registry.secret_columns is
    'Columns whose values the audit log never copies: it records that they changed.';
comment on column private.table_registry.counter_columns is
    'Columns that count use (macros.usage_count): a change of them alone is not a change of '
    'configuration, so it is not recorded, and the audit log leaves them out of what it copies.';
comment on column private.table_registry.note is 'What the table holds, in a few words.';
comment on constraint table_registry_table_name_qualified on private.table_registry is
    'table_name must be a table of public or private, written schema.table';
comment on constraint table_registry_secret_columns_configuration on private.table_registry is
    'only a configuration table has secret columns to redact';
comment on constraint table_registry_counter_columns_configuration on private.table_registry is
    'only a configuration table has counter columns to leave out of the audit log';
comment on constraint table_registry_note_not_blank on private.table_registry is
    'note must not be blank';

alter table private.table_registry enable row level security;
revoke all on table private.table_registry from anon, authenticated, service_role;

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.support_staff', true, '{}', 'who is an agent or an admin'),
    ('public.support_messages', true, '{}', 'response texts and the refusal catalog'),
    ('public.ticket_types', true, '{}', 'vocabulary'),
    ('public.ticket_priorities', true, '{}', 'vocabulary'),
    ('public.ticket_statuses', true, '{}', 'vocabulary'),
    ('public.feedback_categories', true, '{}', 'vocabulary'),
    ('public.feedback_statuses', true, '{}', 'vocabulary'),
    ('public.ticket_event_kinds', true, '{}', 'vocabulary'),
    ('public.notification_kinds', true, '{}', 'vocabulary of notifications'),
    ('public.notification_settings', true, '{}', 'notification settings'),
    ('public.rate_limits', true, '{}', 'rate-limit settings'),
    ('public.request_limits', true, '{}', 'fair-share request limits'),
    ('public.ticket_transitions', true, '{}', 'the ticket lifecycle'),
    ('public.feedback_transitions', true, '{}', 'the feedback lifecycle'),
    ('public.sla_policies', true, '{}', 'SLA targets'),
    ('public.satisfaction_settings', true, '{}', 'the rating window'),
    ('public.webhook_endpoints', true, '{secret}', 'webhook receivers and their signing secrets'),
    ('private.webhook_settings', true, '{}', 'how webhook URLs are checked'),
    ('public.triage_settings', true, '{}', 'auto-triage settings'),
    ('public.attachment_limits', true, '{}', 'attachment size and count limits'),
    ('private.table_registry', true, '{}', 'this registry: what is configuration'),
    ('public.support_tickets', false, '{}', 'user data: tickets'),
    ('public.user_feedback', false, '{}', 'user data: feedback'),
    ('public.ticket_messages', false, '{}', 'user data: ticket threads'),
    ('public.ticket_ratings', false, '{}', 'user data: satisfaction ratings'),
    ('public.ticket_attachments', false, '{}', 'user data: attachments'),
    ('public.companion_conversations', false, '{}', 'user data: companion conversations'),
    ('public.notification_preferences', false, '{}', 'user data: a user''s own notification choices'),
    ('private.idempotency_keys', false, '{}', 'working state: replayed responses'),
    ('public.ticket_events', false, '{}', 'history: ticket changes'),
    ('public.feedback_events', false, '{}', 'history: feedback changes'),
    ('private.audit_log', false, '{}', 'history: the audit log itself'),
    ('public.dead_notifications', false, '{}', 'working state: undeliverable notifications'),
    ('public.triage_suggestions', false, '{}', 'working state: triage suggestions'),
    ('public.triage_labels', false, '{}', 'history: staff decisions on suggestions'),
    ('public.triage_model_runs', false, '{}', 'history: triage training runs'),
    ('public.triage_ticket_queue', false, '{}', 'working state: tickets waiting to be scored'),
    ('public.triage_feedback_queue', false, '{}', 'working state: feedback waiting to be scored'),
    ('public.triage_unanswered', false, '{}', 'working state: fields the suggester left unanswered'),
    ('private.ticket_embeddings', false, '{}', 'working state: the sentence embeddings of tickets'),
    ('private.feedback_embeddings', false, '{}', 'working state: the sentence embeddings of feedback entries');

create table private.audit_log (
    id bigint generated always as identity primary key,
    changed_at timestamptz not null default now(),
    actor_id uuid,
    actor_role text not null,
    table_name text not null,
    row_key jsonb,
    action text not null,
    old_values jsonb,
    new_values jsonb,
    constraint audit_log_action_known check (action in ('insert', 'update', 'delete', 'truncate'))
);

comment on table private.audit_log is
    'Append-only record of every change to a configuration table (private.table_registry): who '
    '(actor_id: the signed-in user, null for a database role; actor_role: admin, agent, '
    'service_role or the database role), when (the transaction''s time), which table and row '
    '(its primary key), the action, and the row before and after (secret columns redacted). '
    'Admins read it through public.support_audit_log; nobody changes or deletes it.';
comment on column private.audit_log.actor_id is
    'auth.uid() of the request; null when the change came from service_role or a database role. '
    'No foreign key: the record outlives the account.';
comment on column private.audit_log.actor_role is
    'The staff role of a signed-in actor, else the request''s JWT role (service_role), else the '
    'database session''s role (postgres from Studio, psql or a migration).';
comment on column private.audit_log.row_key is 'The primary key of the row, as a JSON object; null for truncate.';
comment on column private.audit_log.old_values is 'The row before (update, delete), secrets redacted.';
comment on column private.audit_log.new_values is 'The row after (insert, update), secrets redacted.';
comment on constraint audit_log_action_known on private.audit_log is
    'action must be insert, update, delete or truncate';

create index audit_log_table_name_id on private.audit_log (table_name, id);
create index audit_log_actor_id_id on private.audit_log (actor_id, id);
create index audit_log_changed_at on private.audit_log (changed_at);

alter table private.audit_log enable row level security;
revoke all on table private.audit_log from anon, authenticated, service_role;

create function private.refuse_audit_change()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    perform private.refuse('audit_log_append_only');
    return null;
end;
$$;

comment on function private.refuse_audit_change() is
    'Before update, delete or truncate on private.audit_log: refuses, for every role.';
revoke all on function private.refuse_audit_change() from public;

create trigger audit_log_append_only
    before update or delete on private.audit_log
    for each row execute function private.refuse_audit_change();
create trigger audit_log_no_truncate
    before truncate on private.audit_log
    for each statement execute function private.refuse_audit_change();

-- Security definer: nobody may insert into the audit log, so that it is written only here, in
-- the transaction of the change. It records exactly the row that fired it; the actor comes from
-- the request (auth.uid(), the JWT role) or the session, never from input.
create function private.record_audit()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    qualified text := tg_table_schema || '.' || tg_table_name;
    secrets text[];
    counters text[];
    old_row jsonb;
    new_row jsonb;
    key_row jsonb;
    secret text;
    uid uuid := auth.uid();
begin
    select r.secret_columns, r.counter_columns into secrets, counters
    from private.table_registry as r where r.table_name = qualified;
    if tg_level = 'ROW' then
        if tg_op in ('UPDATE', 'DELETE') then
            old_row := pg_catalog.to_jsonb(old) - coalesce(counters, '{}');
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
            new_row := pg_catalog.to_jsonb(new) - coalesce(counters, '{}');
        end if;
        if old_row = new_row then
            return null;
        end if;
        select pg_catalog.jsonb_object_agg(a.attname, coalesce(new_row, old_row) -> a.attname::text)
        into key_row
        from pg_catalog.pg_index as i
        join pg_catalog.pg_attribute as a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
        where i.indrelid = tg_relid and i.indisprimary;
        foreach secret in array coalesce(secrets, '{}') loop
            if old_row ? secret then
                old_row := old_row || pg_catalog.jsonb_build_object(secret, 'redacted');
            end if;
            if new_row ? secret then
                new_row := new_row || pg_catalog.jsonb_build_object(secret, case
                    when tg_op = 'UPDATE' and (pg_catalog.to_jsonb(old) -> secret) is distinct from (new_row -> secret)
                        then 'redacted, changed'
                    else 'redacted'
                end);
            end if;
        end loop;
    end if;
    insert into private.audit_log (actor_id, actor_role, table_name, row_key, action, old_values, new_values)
    values (
        uid,
        case
            when uid is not null then coalesce(private.staff_role(), 'authenticated')
            else coalesce(nullif(auth.role(), ''), session_user)
        end,
        qualified,
        key_row,
        pg_catalog.lower(tg_op),
        old_row,
        new_row
    );
    return null;
end;
$$;

comment on function private.record_audit() is
    'After insert, update, delete (per row) or truncate (per statement) on a configuration table: '
    'appends the change to private.audit_log. Redacts the table''s secret_columns '
    '(private.table_registry); an update that changes nothing is not recorded.';
revoke all on function private.record_audit() from public;

-- The triggers are attached from the registry, so that the list is written once.
do $$
declare
    registered record;
begin
    for registered in
        select r.table_name from private.table_registry as r where r.configuration order by 1
    loop
        execute pg_catalog.format(
            'create trigger audit_changes after insert or update or delete on %s '
            'for each row execute function private.record_audit()', registered.table_name);
        execute pg_catalog.format(
            'create trigger audit_truncate after truncate on %s '
            'for each statement execute function private.record_audit()', registered.table_name);
    end loop;
end;
$$;

-- Security definer: no API role reads the audit log. It checks first that the caller is an
-- admin, and reads only the log, staff display names (to name actors) and the registry's
-- configuration tables (to offer them as filters).
create function private.audit_log_as_admin(
    table_name text,
    actor text,
    since text,
    until text,
    before text,
    page_size text
)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    rows_per_page integer;
    before_id integer;
    from_time timestamptz;
    to_time timestamptz;
    actor_uuid uuid;
    entries json;
    last_id bigint;
    shown integer;
begin
    if not private.is_admin() then
        perform private.refuse('admins_only');
    end if;
    rows_per_page := private.integer_param(audit_log_as_admin.page_size, 'page_size', 1, 200, 50);
    before_id := private.integer_param(audit_log_as_admin.before, 'before', 1);
    from_time := private.time_param(audit_log_as_admin.since, 'since');
    to_time := private.time_param(audit_log_as_admin.until, 'until');
    if from_time >= to_time then
        perform private.refuse('stats_window_reversed');
    end if;
    if private.is_uuid(audit_log_as_admin.actor) then
        actor_uuid := audit_log_as_admin.actor::uuid;
    end if;

    select pg_catalog.json_agg(pg_catalog.json_build_object(
               'id', e.id,
               'changed_at', private.utc_text(e.changed_at),
               'actor_id', e.actor_id,
               'actor_role', e.actor_role,
               'actor_name', s.display_name,
               'table_name', e.table_name,
               'row_key', e.row_key,
               'action', e.action,
               'old_values', e.old_values,
               'new_values', e.new_values
           ) order by e.id desc),
           pg_catalog.min(e.id),
           pg_catalog.count(*)
    into entries, last_id, shown
    from (
        select l.*
        from private.audit_log as l
        where (audit_log_as_admin.table_name is null or l.table_name = audit_log_as_admin.table_name)
          and (audit_log_as_admin.actor is null
               or l.actor_id = actor_uuid
               or (actor_uuid is null and l.actor_role = audit_log_as_admin.actor))
          and (from_time is null or l.changed_at >= from_time)
          and (to_time is null or l.changed_at < to_time)
          and (before_id is null or l.id < before_id)
        order by l.id desc
        limit rows_per_page
    ) as e
    left join public.support_staff as s on s.user_id = e.actor_id;

    return pg_catalog.json_build_object(
        'entries', coalesce(entries, '[]'::json),
        'next_before', case when shown = rows_per_page then last_id end,
        -- What table_name may be, for a client's filter.
        'tables', (select pg_catalog.json_agg(r.table_name order by r.table_name)
                   from private.table_registry as r where r.configuration)
    );
end;
$$;

comment on function private.audit_log_as_admin(text, text, text, text, text, text) is
    'Admins only: a page of the audit log (public.support_audit_log).';
revoke all on function private.audit_log_as_admin(text, text, text, text, text, text) from public;
grant execute on function private.audit_log_as_admin(text, text, text, text, text, text) to authenticated;

create function public.support_audit_log(
    table_name text default null,
    actor text default null,
    since text default null,
    until text default null,
    before text default null,
    page_size text default null
)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.audit_log_as_admin(
        support_audit_log.table_name, support_audit_log.actor, support_audit_log.since,
        support_audit_log.until, support_audit_log.before, support_audit_log.page_size
    );
end;
$$;

comment on function public.support_audit_log(text, text, text, text, text, text) is
    'Admins only (403 otherwise). The audit log, newest first. ?table_name= (schema.table, e.g. '
    'public.support_staff), ?actor= (a user id, or a role: service_role, postgres), ?since= and '
    '?until= (RFC 3339, until excluded), ?page_size= (1-200, default 50), ?before= (next_before of '
    'the previous page): {entries: [{id, changed_at, actor_id, actor_role, actor_name, table_name, '
    'row_key, action, old_values, new_values}], next_before, tables: [the audited tables]}. Secret values are never shown: '
    '"redacted", or "redacted, changed" when an update changed them.';

revoke all on function public.support_audit_log(text, text, text, text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_audit_log(text, text, text, text, text, text) to authenticated;
