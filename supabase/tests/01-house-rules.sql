-- The house rules of the SQL, checked on every object the catalog holds in the schemas of the
-- API (public, exposed by PostgREST; private, not exposed), so that the next table, constraint
-- or function is covered without anyone adding it to a list. Each assertion lists the objects
-- that break its rule: the list must be empty. Objects that belong to an extension are not
-- ours and are left out.
begin;
select plan(33);

-- Tables ------------------------------------------------------------------------------------
select is(
    (select array_agg(c.oid::regclass::text order by 1)
     from pg_catalog.pg_class as c
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
       and c.relkind in ('r', 'p')
       and not c.relrowsecurity),
    null,
    'every table in public and private has row level security enabled'
);
select is(
    (select array_agg(c.oid::regclass::text order by 1)
     from pg_catalog.pg_class as c
     where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
       and c.relkind in ('r', 'p', 'v', 'm', 'f')
       and (pg_catalog.has_table_privilege('anon', c.oid,
                'insert, update, delete, truncate, references, trigger')
            or pg_catalog.has_any_column_privilege('anon', c.oid, 'insert, update, references')
            or (pg_catalog.has_any_column_privilege('anon', c.oid, 'select')
                and not exists (
                    select 1 from private.anonymous_reads as r
                    where r.kind = 'table' and pg_catalog.to_regclass(r.object_name) = c.oid)))),
    null,
    'anonymous callers write nothing, and read only the tables private.anonymous_reads declares'
);

-- The audit log (20260127000000): private.table_registry declares every table of public and
-- private as configuration or not, and every configuration table, and only those, has the audit
-- triggers. A table added without a registry row, or registered as configuration without the
-- triggers, is listed here.
create temporary view unregistered_tables as
select n.nspname || '.' || c.relname as table_name
from pg_catalog.pg_class as c
join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
where n.nspname in ('public', 'private')
  and c.relkind in ('r', 'p')
  and not exists (select 1 from private.table_registry as r where r.table_name = n.nspname || '.' || c.relname);

create temporary view misaudited_tables as
select r.table_name
from private.table_registry as r
where r.configuration is distinct from (
    pg_catalog.to_regclass(r.table_name) is not null
    -- 29: after, for each row, on insert, update and delete; 32: after truncate, per statement.
    and exists (select 1 from pg_catalog.pg_trigger as t
                where t.tgrelid = pg_catalog.to_regclass(r.table_name) and t.tgtype = 29
                  and t.tgfoid = 'private.record_audit()'::regprocedure)
    and exists (select 1 from pg_catalog.pg_trigger as t
                where t.tgrelid = pg_catalog.to_regclass(r.table_name) and t.tgtype = 32
                  and t.tgfoid = 'private.record_audit()'::regprocedure));

select is(
    (select array_agg(u.table_name order by 1) from unregistered_tables as u),
    null,
    'every table of public and private is declared in private.table_registry as configuration or not'
);
select is(
    (select array_agg(r.table_name order by 1)
     from private.table_registry as r
     where pg_catalog.to_regclass(r.table_name) is null),
    null,
    'every table the registry declares exists'
);
select is(
    (select array_agg(m.table_name order by 1) from misaudited_tables as m),
    null,
    'every configuration table, and no other, records its changes in the audit log '
    '(insert, update, delete and truncate triggers calling private.record_audit)'
);

create table public.new_settings (id integer primary key);
select is(
    (select array_agg(u.table_name) from unregistered_tables as u),
    array['public.new_settings'],
    'a new table that nobody declared breaks the registry rule'
);
insert into private.table_registry (table_name, configuration, note) values ('public.new_settings', true, 'a test');
select is(
    (select array_agg(m.table_name) from misaudited_tables as m),
    array['public.new_settings'],
    'a configuration table without the audit triggers breaks the audit rule'
);
drop table public.new_settings;
delete from private.table_registry where table_name = 'public.new_settings';

-- Erasure (20260206000000): every table of pgmq is declared too, every column referencing
-- auth.users is among its table's person_columns (so the table erases it), and every declared
-- erasure statement runs. tests/test_erasure.py walks the data itself after an erasure.
select is(
    (select array_agg(n.nspname || '.' || c.relname order by 1)
     from pg_catalog.pg_class as c
     join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where n.nspname = 'pgmq' and c.relkind in ('r', 'p')
       and not exists (select 1 from private.table_registry as r where r.table_name = n.nspname || '.' || c.relname)),
    null,
    'every table of pgmq (the notification queue and its archive) is declared in private.table_registry'
);
create temporary view undeclared_person_columns as
select n.nspname || '.' || c.relname || '.' || a.attname as person_column
from pg_catalog.pg_constraint as con
join pg_catalog.pg_class as c on c.oid = con.conrelid
join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
join pg_catalog.pg_attribute as a on a.attrelid = con.conrelid and a.attnum = any (con.conkey)
where con.contype = 'f' and con.confrelid = 'auth.users'::regclass
  and n.nspname in ('public', 'private', 'pgmq')
  and not exists (select 1 from private.table_registry as r
                  where r.table_name = n.nspname || '.' || c.relname
                    and a.attname = any (r.person_columns) and r.erasure <> 'none');
select is(
    (select array_agg(u.person_column order by 1) from undeclared_person_columns as u),
    null,
    'every column referencing auth.users is a person column of its table, which erases it'
);
create table public.new_notes (id integer primary key, author uuid references auth.users (id));
insert into private.table_registry (table_name, configuration, note) values ('public.new_notes', false, 'a test');
select is(
    (select array_agg(u.person_column) from undeclared_person_columns as u),
    array['public.new_notes.author'],
    'a new table with a user column that erasure does not declare breaks the rule'
);
update private.table_registry set erasure = 'delete', person_columns = '{author}', erasure_rows = 'author = $1'
where table_name = 'public.new_notes';
select is(
    (select array_agg(u.person_column) from undeclared_person_columns as u),
    null,
    'declared with one update of the registry, it passes'
);
drop table public.new_notes;
delete from private.table_registry where table_name = 'public.new_notes';
select is(
    (select array_agg(r.table_name order by 1)
     from private.table_registry as r
     where r.erasure <> 'none'
       and tests.error_of(case r.erasure
               when 'delete' then pg_catalog.format('select 1 from %s where %s limit 0',
                   r.table_name, pg_catalog.replace(r.erasure_rows, '$1', '''00000000-0000-4000-8000-000000000000''::uuid'))
               else pg_catalog.format('explain update %s set %s where %s', r.table_name,
                   pg_catalog.replace(r.erasure_set, '$1', '''00000000-0000-4000-8000-000000000000''::uuid'),
                   pg_catalog.replace(r.erasure_rows, '$1', '''00000000-0000-4000-8000-000000000000''::uuid'))
           end) is not null),
    null,
    'every erasure declared in the registry is valid SQL for its table'
);

-- CHECK constraints -------------------------------------------------------------------------
select is(
    (select array_agg(con.conrelid::regclass::text || '.' || con.conname order by 1)
     from pg_catalog.pg_constraint as con
     where con.connamespace in ('public'::regnamespace, 'private'::regnamespace)
       and con.contype = 'c'
       and coalesce(pg_catalog.obj_description(con.oid, 'pg_constraint'), '') = ''),
    null,
    'every check constraint has a comment: the message a client reads when it is broken'
);
select is(
    (select array_agg(con.conrelid::regclass::text || '.' || con.conname order by 1)
     from pg_catalog.pg_constraint as con
     join pg_catalog.pg_class as c on c.oid = con.conrelid
     where con.connamespace in ('public'::regnamespace, 'private'::regnamespace)
       and con.contype = 'c'
       and con.conname !~ ('^' || c.relname || '_[a-z0-9_]+_[a-z0-9_]+$')),
    null,
    'every check constraint is named <table>_<column>_<rule>'
);

-- Vocabularies and their foreign keys ---------------------------------------------------------
-- A vocabulary is a table of public with a code, a label and a position; a column that takes
-- one of its values references it by a foreign key whose comment is the message.
create temporary view vocabularies as
select c.oid
from pg_catalog.pg_class as c
where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
  and (select count(*) from pg_catalog.pg_attribute as a
       where a.attrelid = c.oid and not a.attisdropped
         and a.attname in ('code', 'label', 'position')) = 3;

create temporary view vocabulary_keys as
select con.oid, con.conrelid, con.conname, a.attname, c.relname
from pg_catalog.pg_constraint as con
join pg_catalog.pg_class as c on c.oid = con.conrelid
join pg_catalog.pg_attribute as a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
where con.contype = 'f' and con.confrelid in (select oid from vocabularies);

select is(
    (select array_agg(v.oid::regclass::text order by 1)
     from vocabularies as v
     where coalesce(pg_catalog.obj_description(v.oid, 'pg_class'), '') = ''
        or not pg_catalog.has_table_privilege('authenticated', v.oid, 'select')
        or pg_catalog.has_table_privilege('authenticated', v.oid, 'insert, update, delete, truncate')),
    null,
    'every vocabulary has a comment, is read by signed-in users and written by nobody of the API'
);
select is(
    (select array_agg(k.conrelid::regclass::text || '.' || k.conname order by 1)
     from vocabulary_keys as k
     where coalesce(pg_catalog.obj_description(k.oid, 'pg_constraint'), '') = ''),
    null,
    'every foreign key to a vocabulary has a comment: the message a client reads when it is broken'
);
select is(
    (select array_agg(k.conrelid::regclass::text || '.' || k.conname order by 1)
     from vocabulary_keys as k
     where k.conname <> k.relname || '_' || k.attname || '_valid'),
    null,
    'every foreign key to a vocabulary is named <table>_<column>_valid'
);
select is(
    (select array_agg(k.conrelid::regclass::text || '.' || k.conname order by 1)
     from vocabulary_keys as k
     where pg_catalog.has_any_column_privilege('authenticated', k.conrelid, 'insert, update')
       and not exists (
           select 1 from pg_catalog.pg_trigger as t
           where t.tgrelid = k.conrelid and not t.tgisinternal
             and t.tgfoid = 'private.check_vocabulary()'::regprocedure)),
    null,
    'every vocabulary column signed-in users may write is checked by private.check_vocabulary, '
    'so a value outside the vocabulary is a 400 with the key''s message, not a 409 quoting it'
);
select is(
    (select array_agg(v.oid::regclass::text order by 1)
     from vocabularies as v
     where exists (
         select 1 from pg_catalog.pg_attribute as a
         where a.attrelid = v.oid and a.attname = 'code' and a.attnum = any (
             select unnest(con.conkey) from pg_catalog.pg_constraint as con
             where con.conrelid = v.oid and con.contype = 'p')) is not true),
    null,
    'every vocabulary is keyed by its code'
);

-- Functions -----------------------------------------------------------------------------------
create temporary view our_functions as
select p.oid, p.pronamespace, p.prosecdef, p.proconfig, p.proowner, p.proacl, p.prosrc
from pg_catalog.pg_proc as p
where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
  and not exists (
      select 1 from pg_catalog.pg_depend as d
      where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
  );

select is(
    (select array_agg(f.oid::regprocedure::text order by 1)
     from our_functions as f
     where f.pronamespace = 'public'::regnamespace and f.prosecdef),
    null,
    'no function PostgREST exposes runs as its owner (security definer)'
);
select is(
    (select array_agg(f.oid::regprocedure::text order by 1)
     from our_functions as f
     where f.prosecdef
       and coalesce(pg_catalog.obj_description(f.oid, 'pg_proc'), '') = ''),
    null,
    'a security definer function, allowed only outside public, has a comment saying why'
);
select is(
    (select array_agg(f.oid::regprocedure::text order by 1)
     from our_functions as f
     where not coalesce(f.proconfig @> array['search_path=""'], false)),
    null,
    'every function runs with an empty search_path, so every name it uses is qualified'
);
select is(
    (select array_agg(f.oid::regprocedure::text order by 1)
     from our_functions as f
     where f.pronamespace = 'public'::regnamespace
       and pg_catalog.has_function_privilege('authenticated', f.oid, 'execute')
       and ((pg_catalog.has_function_privilege('anon', f.oid, 'execute')
             and not exists (
                 select 1 from private.anonymous_reads as r
                 where r.kind = 'function' and pg_catalog.to_regprocedure(r.object_name) = f.oid
                   and (select p.provolatile from pg_catalog.pg_proc as p where p.oid = f.oid) <> 'v'))
            or pg_catalog.has_function_privilege('service_role', f.oid, 'execute')
            or exists (
                select 1
                from pg_catalog.aclexplode(
                    coalesce(f.proacl, pg_catalog.acldefault('f', f.proowner))) as a
                where a.grantee = 0 and a.privilege_type = 'EXECUTE'))),
    null,
    'every RPC signed-in users may call is closed to public and to service_role, and to anon unless '
    'private.anonymous_reads declares it (and it does not write)'
);
select is(
    (select array_agg(f.oid::regprocedure::text order by 1)
     from our_functions as f
     where f.pronamespace = 'private'::regnamespace
       and pg_catalog.has_function_privilege('anon', f.oid, 'execute')),
    null,
    'anonymous callers can execute nothing in the private schema'
);

-- Policies ------------------------------------------------------------------------------------
-- Supabase's Advisor (splinter) checks these on a hosted project; CI has no copy of it, so the
-- same rules are kept here, over every schema but those of the platform's own services.
create temporary view our_policies as
select p.oid, p.polrelid, p.polname, p.polcmd, p.polpermissive, p.polroles,
       pg_catalog.concat_ws(' ', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
           pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)) as expressions
from pg_catalog.pg_policy as p
join pg_catalog.pg_class as c on c.oid = p.polrelid
where c.relnamespace::regnamespace::text not in (
    'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net',
    'pg_catalog', 'pgbouncer', 'pgmq', 'realtime', 'storage', 'supabase_functions',
    'supabase_migrations', 'vault');

select is(
    (select array_agg(f.polrelid::regclass::text || ' ' || f.rolname || ' ' || f.action
                      order by f.polrelid::regclass::text, f.rolname, f.action)
     from (
         select p.polrelid, r.rolname, a.action
         from our_policies as p
         join pg_catalog.pg_roles as r
             on r.oid = any (p.polroles) or p.polroles = array[0::oid]
         cross join lateral pg_catalog.unnest(case p.polcmd
             when 'r' then array['select'] when 'a' then array['insert']
             when 'w' then array['update'] when 'd' then array['delete']
             else array['select', 'insert', 'update', 'delete'] end) as a (action)
         where p.polpermissive
           and not r.rolbypassrls
           and r.rolname !~ '^pg_'
         group by p.polrelid, r.rolname, a.action
         having count(*) > 1
     ) as f),
    null,
    'a table has at most one permissive policy per role and action (splinter''s multiple_permissive_policies)'
);
select is(
    (select array_agg(p.polrelid::regclass::text || ' "' || p.polname || '"' order by 1)
     from our_policies as p
     where pg_catalog.regexp_replace(p.expressions,
               '\( SELECT \(?(auth\.[a-z_]+\(\)|current_setting\([^()]*\))\)?(::[a-z]+)? AS [a-z_]+\)', '', 'g')
           ~ '(auth\.(uid|jwt|role|email)\(\)|current_setting\()'),
    null,
    'a policy calls auth.uid(), auth.jwt() and current_setting() once per query, inside (select ...) (splinter''s auth_rls_initplan)'
);
select is(
    (select array_agg(p.polrelid::regclass::text || ' "' || p.polname || '"' order by 1)
     from our_policies as p
     join pg_catalog.pg_class as c on c.oid = p.polrelid
     where not c.relrowsecurity),
    null,
    'no table has policies with row level security disabled (splinter''s policy_exists_rls_disabled)'
);

-- Refusals and parameters -------------------------------------------------------------------
-- A refusal comes from the catalog (public.support_messages) through private.refuse, and a
-- parameter is parsed by the helpers of 20260101000110: read from the bodies of the functions.
create temporary view hand_made_http_errors as
select f.oid::regprocedure::text as function
from our_functions as f
where f.prosrc ~* 'sqlstate[[:space:]]+''PGRST'''
  and f.oid <> 'private.refuse(text, jsonb, text, jsonb)'::regprocedure;
create temporary view hand_parsed_uuids as
select f.oid::regprocedure::text as function
from our_functions as f
where f.prosrc ~* '\[0-9a-f\]\{8\}'
  and f.oid <> 'private.is_uuid(text)'::regprocedure;
-- A literal message raised by hand (anything but a bare '%' filled from a constraint comment or
-- a generated text). The exceptions, each for its reason: the catalog's own 500s for a missing
-- topic; the request-body check, whose messages are made from the declared fields; the guard of
-- the append-only history, which refuses admins in Studio, not API callers; and the Storage
-- triggers, whose errors the Storage API answers, not PostgREST; and the two vocabulary triggers,
-- which stand in for a check constraint that cannot read another table: they raise the
-- check_violation PostgreSQL would, which raise_rule_violation turns into the rule's message.
create temporary view hand_written_refusals as
select f.oid::regprocedure::text as function
from our_functions as f
where f.prosrc ~* 'raise([[:space:]]+exception)?[[:space:]]+''(?!%'')'
  and f.oid not in (
      'private.support_message(text, text)'::regprocedure,
      'private.refuse(text, jsonb, text, jsonb)'::regprocedure,
      'private.check_request_body(jsonb, jsonb)'::regprocedure,
      'private.refuse_event_change()'::regprocedure,
      'private.enforce_attachment_rules()'::regprocedure,
      'private.check_vocabulary()'::regprocedure,
      'private.check_triage_value()'::regprocedure
  );

select is(
    (select array_agg(e.function order by 1) from hand_made_http_errors as e),
    null,
    'no function but private.refuse raises an HTTP error (sqlstate PGRST) by hand'
);
select is(
    (select array_agg(e.function order by 1) from hand_parsed_uuids as e),
    null,
    'no function but private.is_uuid spells out the UUID pattern: ids are read by private.uuid_param'
);
select is(
    (select array_agg(e.function order by 1) from hand_written_refusals as e),
    null,
    'no function raises a message it wrote itself: refusals come from the catalog through private.refuse'
);
select is(
    (select array_agg(m.topic order by 1)
     from public.support_messages as m
     where m.status is not null
       and m.code !~ '^[0-9A-Z]{5}$'
       and exists (select 1 from public.support_messages as o
                   where o.topic <> m.topic and o.code = m.code and o.message <> m.message)),
    null,
    'each reason has its own code: two refusals share a lower-case code only when they say the same'
);

-- The rules catch what they are for: a function written the old way is listed by each.
create function public.refuses_by_hand(ticket_id text)
    returns void
    language plpgsql
    set search_path = ''
as $$
begin
    if ticket_id !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        raise exception 'ticket_id must be a UUID' using errcode = 'invalid_parameter_value';
    end if;
    raise sqlstate 'PGRST' using message = '{"code": "P0409", "message": "No"}', detail = '{"status": 409}';
end;
$$;
select is(
    array[
        (select array_agg(e.function) from hand_made_http_errors as e),
        (select array_agg(e.function) from hand_parsed_uuids as e),
        (select array_agg(e.function) from hand_written_refusals as e)
    ],
    array[array['refuses_by_hand(text)'], array['refuses_by_hand(text)'], array['refuses_by_hand(text)']],
    'a new function that raises PGRST, matches the UUID pattern or raises its own message breaks all three rules'
);
drop function public.refuses_by_hand(text);
select is(
    (select array_agg(e.function) from hand_written_refusals as e),
    null,
    'and the rules hold again once it is gone'
);

select * from finish();
rollback;
