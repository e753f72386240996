-- The schema: tables, columns, defaults, keys, indexes, RLS, grants and the API functions.
begin;
select plan(70);

-- Tables.
select has_table('public', t, format('public.%s exists', t))
from unnest(array['user_feedback', 'rate_limits', 'support_messages']) as t;
select table_privs_are('public', 'support_tickets', 'authenticated', array[]::text[],
    'signed-in users hold no table-wide privilege on support_tickets: they read and insert by column');
select is(
    (select array_agg(column_name::text order by column_name) from information_schema.column_privileges
     where table_schema = 'public' and table_name = 'support_tickets'
       and grantee = 'authenticated' and privilege_type = 'SELECT'),
    array['actual_behavior', 'admin_notes', 'app_version', 'created_at', 'description', 'device_info',
          'expected_behavior', 'follow_up_of', 'id', 'merged_into', 'priority', 'resolution', 'resolved_at',
          'screenshot_urls', 'status', 'steps_to_reproduce', 'subject', 'ticket_type', 'updated_at', 'user_id'],
    'users read the ticket columns get_ticket shows (and their own id, and merged_into), never support''s'
);
select has_table('private', 'idempotency_keys', 'idempotency keys live in the unexposed private schema');

select columns_are('public', 'support_tickets', array[
    'id', 'user_id', 'ticket_type', 'subject', 'description', 'status', 'priority', 'admin_notes',
    'resolution', 'assigned_to', 'meta_data', 'created_at', 'updated_at', 'resolved_at',
    'steps_to_reproduce', 'expected_behavior', 'actual_behavior', 'device_info', 'app_version',
    'screenshot_urls', 'assignee_id', 'follow_up_of', 'priority_order',
    'first_response_due_at', 'first_responded_at', 'resolution_due_at', 'sla_started_at',
    'sla_paused_at', 'sla_paused_for', 'sla_paused_business_minutes', 'sla_next_due_at', 'sla_breached_at', 'merged_into', 'problem_id',
    'requested_priority'
], 'support_tickets has the contract''s columns plus the readable bug details and support''s working columns');
select columns_are('public', 'user_feedback', array[
    'id', 'user_id', 'category', 'description', 'rating', 'feature_name', 'would_recommend',
    'status', 'admin_response', 'meta_data', 'created_at', 'reviewed_at', 'duplicate_of'
], 'user_feedback has the contract''s columns');

-- Column types: text with check constraints rather than varchar.
select col_type_is('public', t.tbl, t.col, t.typ, format('%s.%s is %s', t.tbl, t.col, t.typ))
from (values
    ('support_tickets', 'id', 'uuid'),
    ('support_tickets', 'user_id', 'uuid'),
    ('support_tickets', 'ticket_type', 'text'),
    ('support_tickets', 'subject', 'text'),
    ('support_tickets', 'meta_data', 'jsonb'),
    ('support_tickets', 'created_at', 'timestamp with time zone'),
    ('support_tickets', 'resolved_at', 'timestamp with time zone'),
    ('support_tickets', 'screenshot_urls', 'text[]'),
    ('user_feedback', 'rating', 'integer'),
    ('user_feedback', 'would_recommend', 'boolean'),
    ('user_feedback', 'meta_data', 'jsonb'),
    ('user_feedback', 'reviewed_at', 'timestamp with time zone')
) as t(tbl, col, typ);

-- Defaults.
select col_default_is('public', t.tbl, t.col, t.def, format('%s.%s defaults to %s', t.tbl, t.col, t.def))
from (values
    ('support_tickets', 'id', 'gen_random_uuid()'),
    ('support_tickets', 'user_id', 'auth.uid()'),
    ('support_tickets', 'status', 'open'),
    ('support_tickets', 'priority', 'medium'),
    ('support_tickets', 'meta_data', '{}'),
    ('support_tickets', 'created_at', 'now()'),
    ('support_tickets', 'updated_at', 'now()'),
    ('user_feedback', 'id', 'gen_random_uuid()'),
    ('user_feedback', 'user_id', 'auth.uid()'),
    ('user_feedback', 'status', 'received'),
    ('user_feedback', 'created_at', 'now()')
) as t(tbl, col, def);

select col_is_pk('public', 'support_tickets', 'id', 'a ticket is identified by its id');
select col_is_pk('public', 'user_feedback', 'id', 'feedback is identified by its id');
select col_is_pk('private', 'idempotency_keys', array['user_id', 'key'],
    'an idempotency key is unique per user');
select fk_ok('public', 'support_tickets', 'user_id', 'auth', 'users', 'id',
    'a ticket belongs to an auth user');
select fk_ok('public', 'user_feedback', 'user_id', 'auth', 'users', 'id',
    'feedback belongs to an auth user');
select is(
    (select array_agg(distinct confdeltype::text) from pg_constraint
     where contype = 'f' and conrelid in ('public.support_tickets'::regclass, 'public.user_feedback'::regclass,
                                          'private.idempotency_keys'::regclass)
       and confrelid = 'auth.users'::regclass),
    array['c', 'n'],
    'deleting a user deletes their idempotency keys and keeps their tickets and feedback without them '
    '(set null; a trigger erases them first, docs/privacy.md)'
);

-- Indexes for every policy and hot query.
select indexes_are('public', 'support_tickets', array[
    'support_tickets_pkey',
    'support_tickets_user_id_created_at_idx',
    'support_tickets_user_id_status_created_at_idx',
    'support_tickets_user_id_created_at_bug_idx',
    'support_tickets_user_id_created_at_not_bug_idx',
    'support_tickets_follow_up_of_idx',
    'support_tickets_status_assignee_id_created_at_idx',
    'support_tickets_assignee_id_updated_at_idx',
    'support_tickets_status_priority_order_created_at_idx',
    'support_tickets_created_at_idx',
    'support_tickets_updated_at_idx',
    'support_tickets_search_idx',
    'support_tickets_resolved_at_idx', 'support_tickets_waiting_on_user_idx',
    'support_tickets_sla_next_due_at_idx',
    'support_tickets_merged_into_idx',
    'support_tickets_problem_id_status_idx',
    'support_tickets_open_type_created_at_idx',
    'support_tickets_retention_due_idx'
], 'support_tickets is indexed for the user''s list, the status filter, both rate-limit counts, the staff queue, the scheduler, the likely-duplicate lookup and retention');
select indexes_are('public', 'user_feedback', array['user_feedback_pkey', 'user_feedback_user_id_created_at_idx',
    'user_feedback_created_at_idx', 'user_feedback_created_at_category_status_idx', 'user_feedback_feature_name_status_idx', 'user_feedback_search_idx',
    'user_feedback_status_created_at_idx', 'user_feedback_retention_due_idx'],
    'user_feedback is indexed for the user''s rows by recency, for the staff''s feedback queue and for retention');

-- Policies (RLS itself on every table: 01-house-rules.sql).
select policies_are('public', 'support_tickets',
    array['users read their own tickets', 'users file their own tickets'],
    'support_tickets has exactly a read and a file policy for users');
select policies_are('public', 'user_feedback',
    array['users read their own feedback', 'users submit their own feedback'],
    'user_feedback has exactly a read and a submit policy for users; staff read it through the staff operations');
select policy_roles_are('public', 'support_tickets', p, array['authenticated'],
    format('policy "%s" applies to signed-in users only', p))
from unnest(array['users read their own tickets', 'users file their own tickets']) as p;
select is(
    (select count(*)::int from pg_policies
     where schemaname in ('public', 'private')
       and (coalesce(qual, '') ~ 'auth\.uid\(\)' or coalesce(with_check, '') ~ 'auth\.uid\(\)')
       and not (coalesce(qual, '') || coalesce(with_check, '')) ~* '\(\s*select auth\.uid\(\)'),
    0,
    'every policy calls auth.uid() through a subquery, evaluated once per statement'
);

-- Grants: users read and insert some columns, never update or delete (anon gets nothing:
-- 01-house-rules.sql).
select table_privs_are('public', 'rate_limits', 'authenticated', array['SELECT'],
    'signed-in users may only read rate_limits as a whole');
select table_privs_are('public', t, 'authenticated', array[]::text[],
    format('signed-in users hold no table-wide privilege on %s: they read and insert by column', t))
from unnest(array['user_feedback', 'ticket_messages']) as t;
select is(
    (select array_agg(column_name::text order by column_name) from information_schema.column_privileges
     where table_schema = 'public' and table_name = 'user_feedback'
       and grantee = 'authenticated' and privilege_type = 'SELECT'),
    array['admin_response', 'category', 'created_at', 'description', 'feature_name', 'id', 'rating',
          'reviewed_at', 'status', 'user_id', 'would_recommend'],
    'users read the feedback columns list_my_feedback shows, never duplicate_of (someone else''s entry) or meta_data'
);
select is(
    (select array_agg(column_name::text order by column_name) from information_schema.column_privileges
     where table_schema = 'public' and table_name = 'ticket_messages'
       and grantee = 'authenticated' and privilege_type = 'SELECT'),
    array['author_kind', 'body', 'created_at', 'id', 'internal', 'ticket_id'],
    'users read the message columns get_ticket shows, never author_id (the staff member behind a reply)'
);
select table_privs_are('public', 'support_messages', r, array[]::text[],
    format('%s holds no privilege on support_messages: its texts reach users through private.refuse and private.support_message only', r))
from unnest(array['anon', 'authenticated']) as r;
select table_privs_are('public', 'support_messages', 'service_role',
    array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'],
    'service_role reads and rewords the catalog');
select policies_are('public', 'support_messages', array[]::text[],
    'support_messages has no policy: no one reads it under RLS');
select is(
    (select array_agg(p.oid::regprocedure::text order by p.proname) from pg_catalog.pg_proc as p
     where p.oid in ('private.support_message(text, text)'::regprocedure,
                     'private.refuse(text, jsonb, text, jsonb)'::regprocedure)
       and p.prosecdef),
    array['private.refuse(text,jsonb,text,jsonb)', 'private.support_message(text,text)'],
    'the two readers of the catalog run as its owner, for callers who cannot read it'
);
select table_privs_are('public', 'support_tickets', 'authenticated', array[]::text[],
    'signed-in users hold no table-wide privilege on support_tickets: they read and insert by column');
select is(
    (select array_agg(column_name::text order by column_name) from information_schema.column_privileges
     where table_schema = 'public' and table_name = 'support_tickets'
       and grantee = 'authenticated' and privilege_type = 'SELECT'),
    array['actual_behavior', 'admin_notes', 'app_version', 'created_at', 'description', 'device_info',
          'expected_behavior', 'follow_up_of', 'id', 'merged_into', 'priority', 'resolution', 'resolved_at',
          'screenshot_urls', 'status', 'steps_to_reproduce', 'subject', 'ticket_type', 'updated_at', 'user_id'],
    'users read the ticket columns get_ticket shows (and their own id, and merged_into), never support''s'
);
select is(
    (select array_agg(column_name::text order by column_name) from information_schema.column_privileges
     where table_schema = 'public' and table_name = 'support_tickets'
       and grantee = 'authenticated' and privilege_type = 'INSERT'),
    array['actual_behavior', 'app_version', 'description', 'device_info', 'expected_behavior',
          'follow_up_of', 'priority', 'screenshot_urls', 'steps_to_reproduce', 'subject', 'ticket_type', 'user_id'],
    'users may set only the ticket columns a user owns, never support''s'
);
select is(
    (select array_agg(column_name::text order by column_name) from information_schema.column_privileges
     where table_schema = 'public' and table_name = 'user_feedback'
       and grantee = 'authenticated' and privilege_type = 'INSERT'),
    array['category', 'description', 'feature_name', 'rating', 'user_id', 'would_recommend'],
    'users may set only the feedback columns a user owns, never the product team''s'
);

-- The API functions.
select is(
    (select count(*)::int from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname = f),
    1,
    format('%s has exactly one signature (no overloads for PostgREST to choose between)', f))
from unnest(array['report_bug', 'submit_feedback', 'create_support_ticket', 'list_my_tickets', 'get_ticket']) as f;
select function_returns('public', f, args, 'json', format('%s returns json', f))
from (values
    ('report_bug', array['jsonb']),
    ('submit_feedback', array['jsonb']),
    ('create_support_ticket', array['jsonb']),
    ('list_my_tickets', array['text', 'text', 'text']),
    ('get_ticket', array['text'])
) as t(f, args);
select is(
    (select array_agg(p.oid::regprocedure::text order by 1) from pg_proc p
     where p.pronamespace = 'public'::regnamespace
       and p.proname in ('report_bug', 'submit_feedback', 'create_support_ticket', 'list_my_tickets', 'get_ticket')
       and not has_function_privilege('authenticated', p.oid, 'execute')),
    null,
    'signed-in users may call the five operations (and only they: 01-house-rules.sql)'
);
select ok(not has_schema_privilege('anon', 'private', 'usage'), 'anon cannot even look into the private schema');

select * from finish();
rollback;
