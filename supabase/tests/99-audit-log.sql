-- The audit log: configuration changes recorded with who, when, old and new values; read by
-- admins only; changed and deleted by nobody.
begin;
select plan(28);

select tests.create_supabase_user('admin');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('user');
select tests.create_supabase_user('newcomer');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin'),
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
-- Only what this test does from here on.
create temporary table since_start as select coalesce(max(id), 0) as id from private.audit_log;
grant select on since_start to authenticated;
create temporary view mine as
    select l.* from private.audit_log as l where l.id > (select s.id from since_start as s);

-- An admin changes someone's powers through the API: each change is on record with the admin.
select tests.authenticate_as('admin');
insert into public.support_staff (user_id, role, display_name)
    values (tests.get_supabase_uid('newcomer'), 'agent', 'New Comer');
update public.support_staff set role = 'admin' where user_id = tests.get_supabase_uid('newcomer');
update public.support_staff set role = 'admin' where user_id = tests.get_supabase_uid('newcomer');
delete from public.support_staff where user_id = tests.get_supabase_uid('newcomer');
reset role;
select set_config('request.jwt.claims', '', true);

select results_eq(
    $$select action, actor_id, actor_role, row_key, old_values ->> 'role', new_values ->> 'role'
      from mine where table_name = 'public.support_staff' order by id$$,
    $$values
        ('insert', tests.get_supabase_uid('admin'), 'admin',
            jsonb_build_object('user_id', tests.get_supabase_uid('newcomer')), null, 'agent'),
        ('update', tests.get_supabase_uid('admin'), 'admin',
            jsonb_build_object('user_id', tests.get_supabase_uid('newcomer')), 'agent', 'admin'),
        ('delete', tests.get_supabase_uid('admin'), 'admin',
            jsonb_build_object('user_id', tests.get_supabase_uid('newcomer')), 'admin', null)$$,
    'an admin''s insert, update and delete of a staff row are recorded with the admin, the row''s key '
    'and the values before and after; the update that changed nothing is not'
);
select ok(
    (select bool_and(changed_at = now()) from mine),
    'each entry carries the time of the change'
);

-- service_role and a database role are named by their role.
select tests.authenticate_as_service_role();
update public.support_messages set hint = 'Ask an admin.' where topic = 'admins_only';
reset role;
select set_config('request.jwt.claims', '', true);
update public.triage_settings set shadow_mode = not shadow_mode;
update private.webhook_settings set local_development = not local_development;
select results_eq(
    $$select table_name, action, actor_id, actor_role from mine
      where table_name in ('public.support_messages', 'public.triage_settings', 'private.webhook_settings')
      order by id$$,
    $$values
        ('public.support_messages', 'update', null::uuid, 'service_role'),
        ('public.triage_settings', 'update', null::uuid, session_user::text collate "default"),
        ('private.webhook_settings', 'update', null::uuid, session_user::text collate "default")$$,
    'a change by service_role is recorded as service_role, one from psql or Studio as the session''s role'
);
select is(
    (select new_values ->> 'hint' from mine where table_name = 'public.support_messages'),
    'Ask an admin.',
    'a reworded refusal is recorded with its new wording'
);

-- Webhook secrets are never copied: the entry says that the secret changed.
insert into public.notification_kinds (kind, event_kind, label)
    select 'audit_test', code, 'Audit test' from public.ticket_event_kinds limit 1;
insert into public.webhook_endpoints (url, kind) values ('https://hooks.example.com/audit', 'audit_test');
create temporary table secrets as select secret from public.webhook_endpoints where kind = 'audit_test';
update public.webhook_endpoints set secret = 'whsec_' || encode(extensions.gen_random_bytes(24), 'base64')
    where kind = 'audit_test';
insert into secrets select secret from public.webhook_endpoints where kind = 'audit_test';
update public.webhook_endpoints set enabled = false where kind = 'audit_test';
delete from public.webhook_endpoints where kind = 'audit_test';
select results_eq(
    $$select action, old_values ->> 'secret', new_values ->> 'secret' from mine
      where table_name = 'public.webhook_endpoints' order by id$$,
    $$values ('insert', null, 'redacted'), ('update', 'redacted', 'redacted, changed'),
             ('update', 'redacted', 'redacted'), ('delete', 'redacted', null)$$,
    'a webhook secret is recorded as redacted, and as changed when an update changed it'
);
select is_empty(
    $$select 1 from mine as l, secrets as s
      where strpos(concat(l.old_values::text, l.new_values::text), s.secret) > 0$$,
    'no entry holds a secret''s value, the first or the new one'
);
select results_eq(
    $$select action from mine where table_name = 'public.notification_kinds' order by id$$,
    $$values ('insert')$$,
    'a new notification kind is recorded'
);

-- Vocabularies, lifecycles and limits are recorded like any configuration table.
insert into public.ticket_types (code, label, position)
    select 'audit_test', 'Audit test', max(position) + 1 from public.ticket_types;
update public.ticket_types set label = 'Audit trial' where code = 'audit_test';
delete from public.ticket_types where code = 'audit_test';
select results_eq(
    $$select action, row_key, old_values ->> 'label', new_values ->> 'label' from mine
      where table_name = 'public.ticket_types' order by id$$,
    $$values ('insert', '{"code": "audit_test"}'::jsonb, null, 'Audit test'),
             ('update', '{"code": "audit_test"}'::jsonb, 'Audit test', 'Audit trial'),
             ('delete', '{"code": "audit_test"}'::jsonb, 'Audit trial', null)$$,
    'a vocabulary value''s insert, update and delete are recorded with its code as the key'
);
truncate public.attachment_limits;
select is(
    (select count(*) from mine where action = 'truncate' and table_name = 'public.attachment_limits'),
    1::bigint,
    'emptying a configuration table with truncate is recorded'
);

-- Every configuration table, through the catalog: its rows deleted and put back (in a
-- subtransaction rolled back after the count) are each recorded, old values for the deletes and
-- new values for the inserts. A table whose rows others reference (a vocabulary in use) cannot
-- be emptied and is left out; the ones above cover those.
create function pg_temp.unrecorded_configuration_changes()
    returns text[]
    language plpgsql
as $fn$
declare
    registered record;
    saved jsonb;
    rows_before bigint;
    deletes bigint;
    inserts bigint;
    mark bigint;
    broken text[] := '{}';
    exercised integer := 0;
begin
    for registered in
        select r.table_name from private.table_registry as r
        where r.configuration and r.table_name <> 'private.table_registry' order by 1
    loop
        begin
            select coalesce(max(id), 0) into mark from private.audit_log;
            execute format('select count(*), jsonb_agg(to_jsonb(t)) from %s as t', registered.table_name)
                into rows_before, saved;
            execute format('delete from %s', registered.table_name);
            if rows_before > 0 then
                execute format('insert into %1$s overriding system value '
                               'select * from jsonb_populate_recordset(null::%1$s, $1)', registered.table_name)
                    using saved;
            end if;
            select count(*) filter (where action = 'delete' and old_values is not null and new_values is null),
                   count(*) filter (where action = 'insert' and new_values is not null and old_values is null)
                into deletes, inserts
            from private.audit_log
            where id > mark and table_name = registered.table_name;
            if deletes <> rows_before or inserts <> rows_before then
                broken := broken || registered.table_name;
            end if;
            exercised := exercised + 1;
            raise exception using errcode = 'P0001', message = 'undo';
        exception
            when raise_exception then null;
            when foreign_key_violation then null;
        end;
    end loop;
    if exercised < 10 then
        broken := broken || ('only ' || exercised || ' tables exercised');
    end if;
    return broken;
end;
$fn$;
select is(
    pg_temp.unrecorded_configuration_changes(),
    '{}'::text[],
    'every configuration table records each deleted row with its old values and each inserted row with its new ones'
);

-- The generic trigger, on a table of any shape, with a secret column.
create table private.audit_probe (a integer, b text, token text, label text, primary key (a, b));
insert into private.table_registry (table_name, configuration, secret_columns, note)
    values ('private.audit_probe', true, '{token}', 'a test table');
create trigger audit_changes after insert or update or delete on private.audit_probe
    for each row execute function private.record_audit();
insert into private.audit_probe values (1, 'x', 's3cret', 'one');
update private.audit_probe set label = 'uno';
delete from private.audit_probe;
select results_eq(
    $$select action, row_key, old_values, new_values from mine where table_name = 'private.audit_probe' order by id$$,
    $$values
        ('insert', '{"a": 1, "b": "x"}'::jsonb, null,
            '{"a": 1, "b": "x", "token": "redacted", "label": "one"}'::jsonb),
        ('update', '{"a": 1, "b": "x"}'::jsonb, '{"a": 1, "b": "x", "token": "redacted", "label": "one"}'::jsonb,
            '{"a": 1, "b": "x", "token": "redacted", "label": "uno"}'::jsonb),
        ('delete', '{"a": 1, "b": "x"}'::jsonb, '{"a": 1, "b": "x", "token": "redacted", "label": "uno"}'::jsonb,
            null)$$,
    'the trigger keys a row by its whole primary key and redacts the table''s secret columns'
);

-- Only admins read it, through support_audit_log.
select tests.authenticate_as('admin');
select results_eq(
    $$select e ->> 'action', e ->> 'actor_name', e ->> 'actor_role'
      from json_array_elements(public.support_audit_log(table_name => 'public.support_staff',
                                actor => tests.get_supabase_uid('admin')::text) -> 'entries') as e
      where (e ->> 'id')::bigint > (select id from since_start)$$,
    $$values ('delete', 'Ada Admin', 'admin'), ('update', 'Ada Admin', 'admin'), ('insert', 'Ada Admin', 'admin')$$,
    'an admin reads the entries of a table by an actor, newest first, with the actor''s name'
);
select is(
    (select count(*) from json_array_elements(
        public.support_audit_log(actor => 'service_role', since => now()::text) -> 'entries')),
    1::bigint,
    'an admin filters by a role and a time'
);
select is(
    array[
        (select count(*) from json_array_elements(public.support_audit_log(until => now()::text) -> 'entries') as e
         where (e ->> 'id')::bigint > (select id from since_start)),
        (select count(*) from json_array_elements(
            public.support_audit_log(since => (now() + interval '1 second')::text) -> 'entries'))
    ],
    array[0::bigint, 0::bigint],
    'until excludes the entries from then on, and since those before'
);
select ok(
    (select (p1 -> 'next_before')::text::bigint = (p1 -> 'entries' -> 1 ->> 'id')::bigint
        and (p2 -> 'entries' -> 0 ->> 'id')::bigint < (p1 -> 'entries' -> 1 ->> 'id')::bigint
     from (select public.support_audit_log(page_size => '2') as p1) as a,
          lateral (select public.support_audit_log(page_size => '2',
                   before => (a.p1 ->> 'next_before')) as p2) as b),
    'a page ends with next_before, and the next page continues below it'
);
select is(
    array[
        (tests.error_of($$select public.support_audit_log(page_size => '0')$$) ->> 'message')::jsonb ->> 'message',
        (tests.error_of($$select public.support_audit_log(before => 'x')$$) ->> 'message')::jsonb ->> 'message',
        (tests.error_of($$select public.support_audit_log(since => 'yesterday-ish')$$) ->> 'message')::jsonb ->> 'message',
        (tests.error_of($$select public.support_audit_log(since => '2026-02-01', until => '2026-01-01')$$)
            ->> 'message')::jsonb ->> 'message'
    ],
    array[
        'page_size must be an integer from 1 to 200',
        'before must be an integer of at least 1',
        'since must be a date or time (RFC 3339)',
        'since must be before until'
    ],
    'a bad page size, cursor or time, or a reversed window, is a 400 naming the parameter'
);

select throws_ok('delete from private.audit_log', '42501', null, 'an admin cannot delete entries');
select throws_ok($$update private.audit_log set actor_role = 'nobody'$$, '42501', null,
    'an admin cannot change entries');

select tests.authenticate_as('agent');
select is(
    (tests.error_of($$select public.support_audit_log()$$)) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    'an agent cannot read the audit log (403)'
);
select throws_ok('select * from private.audit_log', '42501', null, 'an agent cannot read the table');
select tests.authenticate_as('user');
select is(
    (tests.error_of($$select public.support_audit_log()$$)) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    'a user cannot read the audit log (403)'
);
select tests.clear_authentication();
select throws_ok('select public.support_audit_log()', '42501', null, 'an anonymous caller cannot call it');
select tests.authenticate_as_service_role();
select throws_ok('select public.support_audit_log()', '42501', null, 'service_role cannot call it');
select throws_ok('select * from private.audit_log', '42501', null, 'service_role cannot read the table');

-- Nobody changes or deletes it, not even the database owner.
select throws_ok('delete from private.audit_log', '42501', null, 'service_role cannot delete entries');
reset role;
select set_config('request.jwt.claims', '', true);
select throws_ok($$update private.audit_log set actor_role = 'nobody'$$, 'PGRST', null,
    'the owner cannot change an entry');
select throws_ok('delete from private.audit_log', 'PGRST', null, 'the owner cannot delete an entry');
select throws_ok('truncate private.audit_log', 'PGRST', null, 'the owner cannot empty the log');

select * from finish();
rollback;
