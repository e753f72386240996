-- Erasure declared per table, as data: which columns hold a person, and what erasing them does.
--
-- Why: a user may have their support data erased (GDPR art. 17), and an erasure that forgets a
-- table is a leak. private.table_registry already names every table of public and private; it
-- now also says, for each, which columns can hold a person (their user id, email or text),
-- whether their rows are deleted, anonymised (kept without the person, so that counts, SLA and
-- CSAT figures stay true) or untouched (none: the table holds nobody), and the predicate that
-- selects a person's rows ($1 is the user id) with, for anonymise, the assignments. The
-- notification queue and its archive (schema pgmq) are declared here too. private.erase_user
-- (next migration) runs the declarations in erasure_order; a house rule (01-house-rules.sql)
-- checks that every table declares erasure and that every column referencing auth.users is
-- among its person_columns; tests/test_erasure.py walks every column of the catalog after an
-- erasure. A table added later declares itself with one statement (docs/privacy.md, "Adding a
-- table").

-- squawk: First release: nothing is deployed yet; the registry is a few dozen rows anyway, and
-- erasure_order orders them (a smallint).
-- squawk-ignore-file prefer-bigint-over-smallint, ban-drop-constraint, constraint-missing-not-valid

alter table private.table_registry
    add column person_columns text[] not null default '{}',
    add column erasure text not null default 'none',
    add column erasure_order smallint not null default 50,
    add column erasure_rows text,
    add column erasure_set text,
    add column erasure_with_triggers boolean not null default false,
    drop constraint table_registry_table_name_qualified,
    add constraint table_registry_table_name_qualified
        check (table_name ~ '^(public|private|pgmq)\.[a-z_][a-z0-9_]*$'),
    add constraint table_registry_erasure_known check (erasure in ('delete', 'anonymise', 'none')),
    add constraint table_registry_erasure_rows_declared check (
        (erasure = 'none') = (erasure_rows is null) and (erasure = 'anonymise') = (erasure_set is not null)
    ),
    add constraint table_registry_person_columns_erased check (erasure <> 'none' or person_columns = '{}');

comment on column private.table_registry.person_columns is
    'Columns that can hold a person: their user id, email or text they wrote (or, for staff, '
    'their id as the actor). Every column referencing auth.users must be listed (house rule).';
comment on column private.table_registry.erasure is
    'What erasing a person does to their rows: delete, anonymise (erasure_set) or none (the table '
    'holds nobody).';
comment on column private.table_registry.erasure_order is
    'Erasure runs the tables in this order (then by name): rows found through a ticket or a '
    'feedback of the person come before the ticket or feedback loses its user_id.';
comment on column private.table_registry.erasure_rows is
    'SQL predicate selecting the person''s rows; $1 is their user id (uuid).';
comment on column private.table_registry.erasure_set is
    'For anonymise: the SET list of the update (may use $1), e.g. user_id = null, body = ''[erased]''.';
comment on column private.table_registry.erasure_with_triggers is
    'Run this table''s step with its triggers (configuration tables: the audit log records the '
    'change; the audit log: its guard checks the change). Other steps run with '
    'session_replication_role = replica, so that anonymising does not write history or fire rules.';
comment on constraint table_registry_table_name_qualified on private.table_registry is
    'table_name must be a table of public, private or pgmq, written schema.table';
comment on constraint table_registry_erasure_known on private.table_registry is
    'erasure must be delete, anonymise or none';
comment on constraint table_registry_erasure_rows_declared on private.table_registry is
    'erasure_rows is declared unless erasure is none, erasure_set exactly when it is anonymise';
comment on constraint table_registry_person_columns_erased on private.table_registry is
    'a table with person columns must erase them (delete or anonymise)';

insert into private.table_registry (table_name, configuration, note) values
    ('pgmq.q_notifications', false, 'working state: notifications waiting for delivery'),
    ('pgmq.a_notifications', false, 'history: delivered notifications'),
    ('pgmq.q_bulk_actions', false, 'working state: chunks of bulk jobs waiting for support-worker'),
    ('pgmq.a_bulk_actions', false, 'history: chunks of bulk jobs done');

-- pgmq's own bookkeeping tables differ between versions (the local stack's 1.13 has more than
-- hosted 1.5.1), so they are registered from the catalog: none of them holds a person.
insert into private.table_registry (table_name, configuration, note)
select 'pgmq.' || c.relname, false, 'pgmq''s own bookkeeping'
from pg_catalog.pg_class as c
where c.relnamespace = 'pgmq'::regnamespace
    and c.relkind in ('r', 'p')
    and c.relname !~ '^[qa]_'
on conflict do nothing;

-- The person's tickets and feedback, as the predicates below name them.
-- T: (select t.id from public.support_tickets as t where t.user_id = $1)
-- F: (select f.id from public.user_feedback as f where f.user_id = $1)

-- 10: what hangs off the person's tickets and feedback, and their own working state: deleted.
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{message}',
    erasure_rows = $$message ->> 'recipient_id' = $1::text$$
where table_name in ('pgmq.q_notifications', 'pgmq.a_notifications', 'public.dead_notifications');
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id,response}', erasure_rows = 'user_id = $1'
where table_name = 'private.idempotency_keys';
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{message}', erasure_rows = $$message ->> 'requested_by' = $1::text$$
where table_name in ('pgmq.q_bulk_actions', 'pgmq.a_bulk_actions');
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id}', erasure_rows = 'user_id = $1'
where table_name = 'private.ticket_presence';
-- A bulk job of the person, or one that assigned tickets to them (its items go with it).
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{requested_by,action}',
    erasure_rows = $$requested_by = $1 or action::text like '%' || $1::text || '%'$$
where table_name = 'private.bulk_jobs';
-- What a rule did that names the person (an assignment to them).
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{actions}', erasure_rows = $$actions::text like '%' || $1::text || '%'$$
where table_name in ('public.ticket_rule_runs', 'public.ticket_time_rule_runs');
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id,intent}', erasure_rows = 'user_id = $1'
where table_name = 'public.companion_conversations';
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id}', erasure_rows = 'user_id = $1'
where table_name = 'public.notification_preferences';
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{ticket_id}',
    erasure_rows = 'ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1)'
where table_name = 'public.triage_ticket_queue';
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{feedback_id}',
    erasure_rows = 'feedback_id in (select f.id from public.user_feedback as f where f.user_id = $1)'
where table_name = 'public.triage_feedback_queue';
-- A vector is made from the person's words: it goes with them.
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{embedding}',
    erasure_rows = 'ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1)'
where table_name = 'private.ticket_embeddings';
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{embedding}',
    erasure_rows = 'feedback_id in (select f.id from public.user_feedback as f where f.user_id = $1)'
where table_name = 'private.feedback_embeddings';
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{object_name,linked_by}',
    erasure_rows = $$ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1)
        or linked_by = $1 or object_name like $1::text || '/%'$$
where table_name = 'public.ticket_attachments';

-- 20: the person as an actor (also as staff) and the texts of their threads: anonymised.
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{author_id,body}',
    erasure_rows = 'ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1) or author_id = $1',
    erasure_set = $$body = case when ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1)
        then '[erased]' else body end, author_id = nullif(author_id, $1)$$
where table_name = 'public.ticket_messages';
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{user_id,comment}',
    erasure_rows = 'ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1) or user_id = $1',
    erasure_set = 'user_id = null, comment = null'
where table_name = 'public.ticket_ratings';
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{actor_id,from_value,to_value}',
    erasure_rows = $$ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1)
        or actor_id = $1 or from_value = $1::text or to_value = $1::text$$,
    erasure_set = $$actor_id = nullif(actor_id, $1),
        from_value = case when kind in ('created', 'status', 'priority', 'type') then from_value
            when ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1) then null
            else nullif(from_value, $1::text) end,
        to_value = case when kind in ('created', 'status', 'priority', 'type') then to_value
            when ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1) then null
            else nullif(to_value, $1::text) end$$
where table_name = 'public.ticket_events';
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{actor_id,from_value,to_value}',
    erasure_rows = $$feedback_id in (select f.id from public.user_feedback as f where f.user_id = $1)
        or actor_id = $1$$,
    erasure_set = $$actor_id = nullif(actor_id, $1),
        from_value = case when kind = 'status' then from_value
            when feedback_id in (select f.id from public.user_feedback as f where f.user_id = $1) then null
            else from_value end,
        to_value = case when kind = 'status' then to_value
            when feedback_id in (select f.id from public.user_feedback as f where f.user_id = $1) then null
            else to_value end$$
where table_name = 'public.feedback_events';
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{added_by}', erasure_rows = 'added_by = $1', erasure_set = 'added_by = null'
where table_name in ('public.ticket_tags', 'public.feedback_tags');
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{decided_by}', erasure_rows = 'decided_by = $1', erasure_set = 'decided_by = null'
where table_name = 'public.triage_labels';
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{value,set_by}',
    erasure_rows = 'ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1) or set_by = $1',
    erasure_set = $$value = case when ticket_id in (select t.id from public.support_tickets as t where t.user_id = $1)
        then '"[erased]"'::jsonb else value end, set_by = nullif(set_by, $1)$$
where table_name = 'public.ticket_field_values';

-- 30: the person's powers and personal macros: deleted, with their triggers, so that the audit
-- log records the change.
update private.table_registry set erasure = 'delete', erasure_order = 30, erasure_with_triggers = true,
    person_columns = '{user_id,display_name}', erasure_rows = 'user_id = $1'
where table_name = 'public.support_staff';
-- A macro, view or rule that names the person (assigns to them, selects their tickets by id or
-- email) goes too: it was about them.
update private.table_registry set erasure = 'delete', erasure_order = 30, erasure_with_triggers = true,
    person_columns = '{owner_id,name,body,changes}',
    erasure_rows = $$owner_id = $1 or changes::text like '%' || $1::text || '%'$$
where table_name = 'public.macros';
update private.table_registry set erasure = 'delete', erasure_order = 30, erasure_with_triggers = true,
    person_columns = '{owner_id,name,conditions}',
    erasure_rows = $$owner_id = $1 or conditions::text like '%' || $1::text || '%'
        or conditions::text ilike '%' || (select u.email from auth.users as u where u.id = $1) || '%'$$
where table_name = 'public.saved_views';
update private.table_registry set erasure = 'delete', erasure_order = 30, erasure_with_triggers = true,
    person_columns = '{conditions,actions}',
    erasure_rows = $$conditions::text like '%' || $1::text || '%' or actions::text like '%' || $1::text || '%'
        or conditions::text ilike '%' || (select u.email from auth.users as u where u.id = $1) || '%'$$
where table_name = 'public.ticket_rules';
update private.table_registry set erasure = 'delete', erasure_order = 30, erasure_with_triggers = true,
    person_columns = '{actions}', erasure_rows = $$actions::text like '%' || $1::text || '%'$$
where table_name = 'public.ticket_time_rules';

-- 40: the tickets and feedback themselves: kept for counts, SLA and CSAT, without the person.
update private.table_registry set erasure = 'anonymise', erasure_order = 40,
    person_columns = '{user_id,subject,description,admin_notes,resolution,assigned_to,meta_data,steps_to_reproduce,expected_behavior,actual_behavior,device_info,app_version,screenshot_urls}',
    erasure_rows = 'user_id = $1 or assigned_to = $1::text',
    erasure_set = $$subject = case when user_id = $1 then '[erased]' else subject end,
        description = case when user_id = $1 then '[erased]' else description end,
        admin_notes = case when user_id = $1 then null else admin_notes end,
        resolution = case when user_id = $1 and resolution is not null then '[erased]' else resolution end,
        meta_data = case when user_id = $1 then '{}'::jsonb else meta_data end,
        steps_to_reproduce = case when user_id = $1 then null else steps_to_reproduce end,
        expected_behavior = case when user_id = $1 then null else expected_behavior end,
        actual_behavior = case when user_id = $1 then null else actual_behavior end,
        device_info = case when user_id = $1 then null else device_info end,
        app_version = case when user_id = $1 then null else app_version end,
        screenshot_urls = case when user_id = $1 then null else screenshot_urls end,
        assigned_to = nullif(assigned_to, $1::text),
        user_id = nullif(user_id, $1)$$
where table_name = 'public.support_tickets';
update private.table_registry set erasure = 'anonymise', erasure_order = 40,
    person_columns = '{user_id,description,feature_name,admin_response,meta_data}',
    erasure_rows = 'user_id = $1',
    erasure_set = $$user_id = null, description = '[erased]', feature_name = null,
        admin_response = null, meta_data = '{}'::jsonb$$
where table_name = 'public.user_feedback';

-- 90: the audit log, last, through its guard, which allows exactly this change (next migration).
update private.table_registry set erasure = 'anonymise', erasure_order = 90, erasure_with_triggers = true,
    person_columns = '{actor_id,row_key,old_values,new_values}',
    erasure_rows = $$actor_id = $1 or row_key::text like '%' || $1::text || '%'
        or old_values::text like '%' || $1::text || '%' or new_values::text like '%' || $1::text || '%'
        or old_values::text ilike '%' || (select u.email from auth.users as u where u.id = $1) || '%'
        or new_values::text ilike '%' || (select u.email from auth.users as u where u.id = $1) || '%'$$,
    erasure_set = $$actor_id = nullif(actor_id, $1),
        row_key = private.erase_in_audit_values(row_key, table_name, $1),
        old_values = private.erase_in_audit_values(old_values, table_name, $1),
        new_values = private.erase_in_audit_values(new_values, table_name, $1)$$
where table_name = 'private.audit_log';
