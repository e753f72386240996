-- Saved views: stored queue conditions, columns and sort, personal or shared.
--
-- Why: an agent keeps "billing tickets from paying users older than a day" as a view instead of
-- setting five filters every morning. A view is data: conditions over the allow-list of
-- public.view_condition_fields (status, priority, ticket_type, assignee, tags, requester, age,
-- due, breached, text, and field.<key> for a custom field), the columns of public.view_columns
-- and a sort of public.queue_sorts. Checked when saved, as event rules are (the vocabulary check
-- is the rules' own private.rule_value_known, the custom field check custom fields' own
-- private.field_value_valid): a condition naming an unknown field, an operator its field does
-- not take or a value of the wrong type is a 400 naming the condition and its field, never
-- quoting the value, never a surprise at run.
-- owner_id null makes a view shared (every agent sees and runs it, admins keep it); otherwise it
-- is personal (only its author sees, runs and changes it; no other agent or admin sees it).
-- Users and anon see none. support_queue(view => id) runs one (20260204000200).

-- squawk: positions order a handful of rows.
-- squawk-ignore-file prefer-bigint-over-smallint

insert into public.support_messages (topic, status, code, message, hint) values
    ('view_malformed', 400, 'view_malformed',
        'conditions must be {"match": "all" or "any", "conditions": [{"field", "op", "value"}, ...]}',
        'See docs/views-and-export.md for the condition language.'),
    ('view_unknown_field', 400, 'view_unknown_field',
        'Condition {index} names a field views cannot filter on',
        'The fields are the rows of public.view_condition_fields, and field.<key> for a custom field.'),
    ('view_unknown_operator', 400, 'view_unknown_operator',
        'Condition {index} ({field}) uses an operator its field does not take',
        'The operators of {field}: {operators}.'),
    ('view_bad_value', 400, 'view_bad_value',
        'Condition {index} ({field}) needs {expects}', null),
    ('view_unknown_column', 400, 'view_unknown_column',
        'columns must be distinct codes of public.view_columns', null),
    ('view_not_found', 404, 'view_not_found', 'View not found',
        'Shared views and your own are the ones you can run.');

create table public.queue_sorts (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint queue_sorts_code_format check (code ~ '^[a-z][a-z_]{0,39}$')
);
comment on table public.queue_sorts is
    'The orders the queue (support_queue) and saved views sort by; each has its keyset in '
    'private.support_queue, so a new sort is a row and a branch there.';
comment on constraint queue_sorts_code_format on public.queue_sorts is
    'code must be lower-case letters and underscores, at most 40 characters';

insert into public.queue_sorts (code, label, position) values
    ('created', 'Newest first', 1),
    ('updated', 'Recently updated', 2),
    ('priority', 'Priority, then oldest', 3),
    ('due', 'Next deadline', 4);

create table public.view_columns (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint view_columns_code_format check (code ~ '^[a-z][a-z_]{0,39}$')
);
comment on table public.view_columns is
    'The columns a saved view may show, in the queue and in its CSV export; '
    'private.view_cell gives each one''s value.';
comment on constraint view_columns_code_format on public.view_columns is
    'code must be lower-case letters and underscores, at most 40 characters';

insert into public.view_columns (code, label, position) values
    ('ticket_id', 'Ticket', 1),
    ('subject', 'Subject', 2),
    ('requester', 'Requester', 3),
    ('ticket_type', 'Type', 4),
    ('priority', 'Priority', 5),
    ('status', 'Status', 6),
    ('age', 'Created', 7),
    ('updated', 'Updated', 8),
    ('waiting_on', 'Waiting on', 9),
    ('due', 'Due', 10),
    ('breached', 'Breached', 11),
    ('assignee', 'Assignee', 12);

create table public.view_condition_fields (
    field text primary key,
    operators text[] not null,
    value_kind text not null,
    vocabulary regclass,
    expects text not null,
    description text not null,
    constraint view_condition_fields_operators_known check (operators <@ array[
        'is', 'is_not', 'in', 'has', 'has_not', 'contains', 'matches', 'older_than', 'newer_than',
        'within']::text[]),
    constraint view_condition_fields_value_kind_known check (value_kind in (
        'code', 'assignee', 'tag', 'email', 'interval', 'boolean', 'text', 'custom_field'))
);
comment on table public.view_condition_fields is
    'The allow-list of saved-view condition fields: the operators each takes, the kind of value '
    '(checked at save by private.check_view_conditions), the vocabulary a code belongs to, and '
    'what a value must be, in the refusal. The row "field" stands for field.<key>, a custom '
    'field. Written by migrations only; private.view_filter_sql turns each into SQL.';
comment on constraint view_condition_fields_operators_known on public.view_condition_fields is
    'operators must be among is, is_not, in, has, has_not, contains, matches, older_than, newer_than, within';
comment on constraint view_condition_fields_value_kind_known on public.view_condition_fields is
    'value_kind must be code, assignee, tag, email, interval, boolean, text or custom_field';

insert into public.view_condition_fields (field, operators, value_kind, vocabulary, expects, description) values
    ('status', '{is,is_not,in}', 'code', 'public.ticket_statuses',
        'a code of public.ticket_statuses (a list of them for in)', 'the ticket''s status'),
    ('priority', '{is,is_not,in}', 'code', 'public.ticket_priorities',
        'a code of public.ticket_priorities (a list of them for in)', 'the ticket''s priority'),
    ('ticket_type', '{is,is_not,in}', 'code', 'public.ticket_types',
        'a code of public.ticket_types (a list of them for in)', 'the ticket''s type'),
    ('assignee', '{is,is_not,in}', 'assignee', null,
        'me, unassigned or a staff member''s id (a list of them for in)', 'who the ticket is assigned to'),
    ('tags', '{has,has_not,in}', 'tag', null,
        'a tag (a list of tags for in: any of them)', 'the ticket''s tags'),
    ('requester', '{is,contains}', 'email', null,
        'an email address or a part of one (at most 320 characters)', 'the requester''s email address'),
    ('age', '{older_than,newer_than}', 'interval', null,
        'a duration such as "2 hours", "1 day" or "3 weeks"', 'time since the ticket was created'),
    ('due', '{within}', 'interval', null,
        'a duration such as "2 hours", "1 day" or "3 weeks"', 'the next service-level deadline is within'),
    ('breached', '{is}', 'boolean', null, 'true or false', 'a service-level target was missed'),
    ('text', '{matches}', 'text', null,
        'words to search for (1 to 200 characters)', 'words of the subject and description'),
    ('field', '{is,is_not,in,has,has_not}', 'custom_field', null,
        'a value of the custom field (is, is_not, in; has and has_not for an option of a many-of field)',
        'field.<key>: a custom field''s value');

create table public.saved_views (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    owner_id uuid default auth.uid() references auth.users (id) on delete cascade,
    conditions jsonb not null default '{"match": "all", "conditions": []}',
    columns text[] not null default '{subject,requester,ticket_type,priority,status,age,waiting_on,due,assignee}',
    sort text not null default 'created',
    position smallint not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint saved_views_owner_id_name_unique unique nulls not distinct (owner_id, name),
    constraint saved_views_name_not_blank check (not private.is_blank(name)),
    constraint saved_views_name_max_length check (char_length(name) <= 100),
    constraint saved_views_name_one_line check (private.is_one_line(name)),
    constraint saved_views_columns_not_empty check (pg_catalog.cardinality(columns) between 1 and 20),
    constraint saved_views_sort_valid foreign key (sort) references public.queue_sorts (code)
);

comment on table public.saved_views is
    'Saved queue views (docs/views-and-export.md): conditions, columns and sort, checked when '
    'saved. owner_id null: shared (every agent sees it, admins keep it); else personal (only its '
    'author sees it). Run with support_queue(view => id); counted by support_view_counts.';
comment on column public.saved_views.conditions is
    '{"match": "all" or "any", "conditions": [{"field", "op", "value"}]}: fields and operators '
    'from public.view_condition_fields (field.<key> for a custom field). No conditions: every ticket.';
comment on column public.saved_views.columns is 'Codes of public.view_columns, in the order shown and exported.';
comment on column public.saved_views.sort is 'A code of public.queue_sorts.';
comment on column public.saved_views.owner_id is 'The author of a personal view; null for a shared one.';
comment on column public.saved_views.position is 'Where the view comes in the sidebar (then by name).';
comment on constraint saved_views_owner_id_name_unique on public.saved_views is
    'name must be unique among the shared views, and among each agent''s own';
comment on constraint saved_views_name_not_blank on public.saved_views is 'name must not be blank';
comment on constraint saved_views_name_max_length on public.saved_views is 'name must be at most 100 characters';
comment on constraint saved_views_name_one_line on public.saved_views is 'name must be one line, without control characters';
comment on constraint saved_views_columns_not_empty on public.saved_views is 'columns must list 1 to 20 columns';
comment on constraint saved_views_sort_valid on public.saved_views is 'sort must be one of {codes}';

create index saved_views_owner_id_idx on public.saved_views (owner_id);

create trigger saved_views_vocabulary
    before insert or update of sort on public.saved_views
    for each row execute function private.check_vocabulary();

alter table public.queue_sorts enable row level security;
alter table public.view_columns enable row level security;
alter table public.view_condition_fields enable row level security;
alter table public.saved_views enable row level security;
revoke all on table public.queue_sorts, public.view_columns, public.view_condition_fields
    from anon, authenticated, service_role;
grant select on table public.queue_sorts, public.view_columns, public.view_condition_fields
    to authenticated, service_role;
create policy "signed-in users read the labels" on public.queue_sorts
    for select to authenticated using (true);
create policy "signed-in users read the labels" on public.view_columns
    for select to authenticated using (true);
create policy "staff read the condition fields" on public.view_condition_fields
    for select to authenticated using ((select private.is_staff()));

revoke all on table public.saved_views from anon, authenticated;
grant select, delete on table public.saved_views to authenticated;
grant insert (id, name, owner_id, conditions, columns, sort, position) on table public.saved_views to authenticated;
grant update (name, conditions, columns, sort, position) on table public.saved_views to authenticated;
grant select, insert, update, delete on table public.saved_views to service_role;

create policy "staff read the shared views and their own"
    on public.saved_views for select to authenticated
    using ((select private.is_staff()) and (owner_id is null or owner_id = (select auth.uid())));
create policy "staff add their own views, admins shared ones"
    on public.saved_views for insert to authenticated
    with check (
        (owner_id = (select auth.uid()) and (select private.is_staff()))
        or (owner_id is null and (select private.is_admin())));
create policy "staff change their own views, admins shared ones"
    on public.saved_views for update to authenticated
    using (
        (owner_id = (select auth.uid()) and (select private.is_staff()))
        or (owner_id is null and (select private.is_admin())))
    with check (
        (owner_id = (select auth.uid()) and (select private.is_staff()))
        or (owner_id is null and (select private.is_admin())));
create policy "staff remove their own views, admins shared ones"
    on public.saved_views for delete to authenticated
    using (
        (owner_id = (select auth.uid()) and (select private.is_staff()))
        or (owner_id is null and (select private.is_admin())));

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.queue_sorts', true, '{}', 'vocabulary of queue sorts'),
    ('public.view_columns', true, '{}', 'vocabulary of saved-view columns'),
    ('public.view_condition_fields', true, '{}', 'allow-list of saved-view condition fields'),
    ('public.saved_views', true, '{}', 'saved queue views (owner_id: a staff id for a personal view)');

create trigger audit_changes after insert or update or delete on public.queue_sorts
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.queue_sorts
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.view_columns
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.view_columns
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.view_condition_fields
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.view_condition_fields
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.saved_views
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.saved_views
    for each statement execute function private.record_audit();

-- Whether a value fits a condition field's kind. Invoker: it reads the vocabularies
-- (private.rule_value_known, shared with the event rules), the staff list and the custom
-- fields, which staff and service_role read.
create function private.view_value_valid(allowed public.view_condition_fields, field_key text, op text, value jsonb)
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    definition public.custom_fields;
    item jsonb;
    text_value text;
    fits boolean;
begin
    if allowed.value_kind = 'boolean' then
        return pg_catalog.jsonb_typeof(value) = 'boolean';
    end if;
    if allowed.value_kind = 'custom_field' then
        select f.* into definition from public.custom_fields as f where f.key = field_key;
        if op in ('has', 'has_not') then
            return definition.field_type = 'many_of' and pg_catalog.jsonb_typeof(value) = 'string'
                and definition.options @> pg_catalog.jsonb_build_array(value);
        end if;
        if definition.field_type = 'many_of' then
            return false;
        end if;
        if op = 'in' then
            return pg_catalog.jsonb_typeof(value) = 'array' and pg_catalog.jsonb_array_length(value) between 1 and 100
                and not exists (select 1 from pg_catalog.jsonb_array_elements(value) as v(x)
                                where not private.field_value_valid(definition, v.x));
        end if;
        return private.field_value_valid(definition, value);
    end if;
    -- The other kinds take a string, or a list of 1 to 100 strings for in.
    if (op = 'in') <> (pg_catalog.jsonb_typeof(value) = 'array') then
        return false;
    end if;
    if op = 'in' and pg_catalog.jsonb_array_length(value) not between 1 and 100 then
        return false;
    end if;
    for item in select x from pg_catalog.jsonb_array_elements(
            case when op = 'in' then value else pg_catalog.jsonb_build_array(value) end) as v(x) loop
        if pg_catalog.jsonb_typeof(item) <> 'string' then
            return false;
        end if;
        text_value := item #>> '{}';
        fits := case allowed.value_kind
            when 'code' then private.rule_value_known(allowed.vocabulary, text_value)
            when 'assignee' then text_value in ('me', 'unassigned') or exists (
                select 1 from public.support_staff as s
                where private.is_uuid(text_value) and s.user_id = text_value::uuid)
            when 'tag' then text_value ~ '^[a-z0-9][a-z0-9_-]{0,39}$'
            when 'email' then not private.is_blank(text_value) and pg_catalog.char_length(text_value) <= 320
            when 'interval' then text_value ~ '^[1-9][0-9]{0,3} (minute|hour|day|week)s?$'
            when 'text' then not private.is_blank(text_value) and pg_catalog.char_length(text_value) <= 200
            else false
        end;
        if not fits then
            return false;
        end if;
    end loop;
    return true;
end;
$$;

comment on function private.view_value_valid(public.view_condition_fields, text, text, jsonb) is
    'Whether a saved-view condition''s value fits its field (public.view_condition_fields) and '
    'operator: a code of the vocabulary, a staff id, a tag, a duration, a custom field''s value.';
revoke all on function private.view_value_valid(public.view_condition_fields, text, text, jsonb) from public, anon;
grant execute on function private.view_value_valid(public.view_condition_fields, text, text, jsonb)
    to authenticated, service_role;

-- The conditions of a view, checked when it is saved: well formed, known fields and operators,
-- values of the right kind. Its refusals name the condition (from 1) and, once known, its field.
create function private.check_view_conditions(conditions jsonb)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    item jsonb;
    n integer := 0;
    name text;
    field_key text;
    allowed public.view_condition_fields;
begin
    if pg_catalog.jsonb_typeof(conditions) is distinct from 'object'
        or (conditions - array['match', 'conditions']) <> '{}'
        or coalesce(conditions ->> 'match', 'all') not in ('all', 'any')
        or pg_catalog.jsonb_typeof(coalesce(conditions -> 'conditions', '[]')) <> 'array'
        or pg_catalog.jsonb_array_length(coalesce(conditions -> 'conditions', '[]')) > 20
        or exists (select 1 from pg_catalog.jsonb_array_elements(coalesce(conditions -> 'conditions', '[]')) as c(x)
                   where pg_catalog.jsonb_typeof(c.x) <> 'object'
                       or not (c.x ?& array['field', 'op', 'value']) or (c.x - array['field', 'op', 'value']) <> '{}'
                       or pg_catalog.jsonb_typeof(c.x -> 'field') <> 'string'
                       or pg_catalog.jsonb_typeof(c.x -> 'op') <> 'string') then
        perform private.refuse('view_malformed');
    end if;

    for item in select x from pg_catalog.jsonb_array_elements(coalesce(conditions -> 'conditions', '[]')) as c(x) loop
        n := n + 1;
        name := item ->> 'field';
        field_key := null;
        if name like 'field.%' then
            field_key := pg_catalog.substr(name, 7);
            if not exists (select 1 from public.custom_fields as f where f.key = field_key) then
                perform private.refuse('view_unknown_field', pg_catalog.jsonb_build_object('index', n));
            end if;
            select f.* into allowed from public.view_condition_fields as f where f.field = 'field';
        else
            select f.* into allowed from public.view_condition_fields as f where f.field = name and f.field <> 'field';
            if not found then
                perform private.refuse('view_unknown_field', pg_catalog.jsonb_build_object('index', n));
            end if;
        end if;
        if not ((item ->> 'op') = any (allowed.operators)) then
            perform private.refuse('view_unknown_operator', pg_catalog.jsonb_build_object(
                'index', n, 'field', name, 'operators', pg_catalog.array_to_string(allowed.operators, ', ')));
        end if;
        if not coalesce(private.view_value_valid(allowed, field_key, item ->> 'op', item -> 'value'), false) then
            perform private.refuse('view_bad_value', pg_catalog.jsonb_build_object(
                'index', n, 'field', name, 'expects', allowed.expects));
        end if;
    end loop;
end;
$$;

comment on function private.check_view_conditions(jsonb) is
    'Checks a saved view''s conditions against public.view_condition_fields and the custom '
    'fields (400 view_malformed, view_unknown_field, view_unknown_operator or view_bad_value, '
    'naming the condition and its field).';
revoke all on function private.check_view_conditions(jsonb) from public, anon;
grant execute on function private.check_view_conditions(jsonb) to authenticated, service_role;

create function private.check_saved_view()
    returns trigger
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    -- Someone who may not save views meets row level security (42501), not the condition language.
    if (select auth.uid()) is not null and not private.is_staff() then
        return new;
    end if;
    perform private.check_view_conditions(new.conditions);
    if exists (select 1 from pg_catalog.unnest(new.columns) as c(code)
               where not exists (select 1 from public.view_columns as v where v.code = c.code))
        or (select pg_catalog.count(distinct c) from pg_catalog.unnest(new.columns) as c)
            <> pg_catalog.cardinality(new.columns) then
        perform private.refuse('view_unknown_column');
    end if;
    if tg_op = 'UPDATE' then
        new.updated_at := now();
    end if;
    return new;
end;
$$;

comment on function private.check_saved_view() is
    'Before insert or update on public.saved_views: the conditions (private.check_view_conditions) '
    'and the columns (public.view_columns) are ones views can use (400 otherwise); keeps updated_at.';
revoke all on function private.check_saved_view() from public;
grant execute on function private.check_saved_view() to authenticated, service_role;

create trigger saved_views_check
    before insert or update on public.saved_views
    for each row execute function private.check_saved_view();
