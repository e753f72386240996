-- Custom fields: ticket fields that admins define as data (plan, order number, device model),
-- their values checked in the database.
--
-- Why: every team needs a few fields of its own, and adding a column per team is a migration.
-- A definition (public.custom_fields) names a key, a label, a type of public.custom_field_types
-- (text, number, date, one_of, many_of, checkbox), its options for one_of and many_of, the
-- ticket type it belongs to (null: every type), whether it is required and whether the user
-- sees it. Values live in public.ticket_field_values, one row per ticket and field, indexed by
-- (field_key, value) for filtering. A trigger checks each value against its definition on
-- every path (the RPCs, service_role, Studio): a value of the wrong type or outside the
-- options is a 400 naming the field, never quoting the value.
-- Users set the user-visible fields when they file (create_support_ticket and report_bug take
-- `fields`, so the Flask routes and the companion helper do too); a required field of the
-- ticket's type must be given then. Users read the user-visible values of their own tickets
-- (get_ticket, export_my_data, a direct read); staff-only values reach staff only
-- (support_ticket), and their history events are internal. Staff set values with
-- support_set_ticket_fields; each change is one `field` event (`staff_field`, internal, for a staff-only field).

-- squawk: position orders a handful of rows.
-- squawk-ignore-file prefer-bigint-over-smallint

insert into public.support_messages (topic, status, code, message, hint) values
    ('custom_field_unknown', 400, 'custom_field_unknown',
        'fields holds a field that tickets of this type do not have',
        'See public.custom_fields (key, ticket_type) for the fields of each type.'),
    ('custom_field_value_invalid', 400, 'custom_field_value_invalid', 'fields.{field} must be {expects}', null),
    ('custom_field_required', 400, 'custom_field_required', 'fields.{field} is required for this ticket type', null);

create table public.custom_field_types (
    code text primary key,
    label text not null,
    position smallint not null unique,
    expects text not null,
    constraint custom_field_types_code_format check (code ~ '^[a-z][a-z_]{0,39}$'),
    constraint custom_field_types_label_not_blank check (label !~ '^[[:space:]]*$'),
    constraint custom_field_types_expects_not_blank check (expects !~ '^[[:space:]]*$')
);

comment on table public.custom_field_types is
    'The types of custom fields. Each is checked by private.field_value_valid, so a new type is '
    'a row and a branch there.';
comment on column public.custom_field_types.code is 'The value stored in custom_fields.field_type.';
comment on column public.custom_field_types.label is 'What people read.';
comment on column public.custom_field_types.position is 'Where the type comes in lists.';
comment on column public.custom_field_types.expects is
    'What a value must be, in the refusal "fields.<key> must be <expects>".';
comment on constraint custom_field_types_code_format on public.custom_field_types is
    'code must be lower-case letters and underscores, at most 40 characters';
comment on constraint custom_field_types_label_not_blank on public.custom_field_types is 'label must not be blank';
comment on constraint custom_field_types_expects_not_blank on public.custom_field_types is 'expects must not be blank';

insert into public.custom_field_types (code, label, position, expects) values
    ('text', 'Text', 1, 'a text of at most 1,000 characters'),
    ('number', 'Number', 2, 'a number'),
    ('date', 'Date', 3, 'a date (YYYY-MM-DD)'),
    ('one_of', 'One of', 4, 'one of its options'),
    ('many_of', 'Many of', 5, 'a list of its options'),
    ('checkbox', 'Checkbox', 6, 'true or false');

alter table public.custom_field_types enable row level security;
revoke all on table public.custom_field_types from anon, authenticated, service_role;
grant select on table public.custom_field_types to authenticated, service_role;
create policy "signed-in users read the labels" on public.custom_field_types
    for select to authenticated using (true);

create table public.custom_fields (
    key text primary key,
    label text not null,
    field_type text not null,
    options jsonb,
    ticket_type text,
    required boolean not null default false,
    visible_to_user boolean not null default true,
    position smallint not null default 0,
    created_at timestamptz not null default now(),
    constraint custom_fields_key_format check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    constraint custom_fields_label_not_blank check (not private.is_blank(label)),
    constraint custom_fields_label_max_length check (char_length(label) <= 100),
    constraint custom_fields_field_type_valid foreign key (field_type) references public.custom_field_types (code),
    constraint custom_fields_ticket_type_valid foreign key (ticket_type) references public.ticket_types (code),
    -- The two choice types are the only ones with options: part of what the types mean.
    constraint custom_fields_options_for_choices check (
        (field_type in ('one_of', 'many_of')) = (options is not null)),
    constraint custom_fields_options_strings check (
        options is null or (
            pg_catalog.jsonb_typeof(options) = 'array'
            and pg_catalog.jsonb_array_length(options) between 1 and 100
            and not pg_catalog.jsonb_path_exists(options, '$[*] ? (@.type() != "string")'))),
    constraint custom_fields_required_visible_to_user check (visible_to_user or not required)
);

comment on table public.custom_fields is
    'Custom ticket fields, defined by admins. Values are in ticket_field_values, checked against '
    'the definition. Changing a definition does not recheck values already stored.';
comment on column public.custom_fields.key is 'The name of the field in `fields` objects.';
comment on column public.custom_fields.label is 'What people read.';
comment on column public.custom_fields.field_type is 'A code of public.custom_field_types.';
comment on column public.custom_fields.options is 'For one_of and many_of: the allowed values, an array of strings.';
comment on column public.custom_fields.ticket_type is 'The ticket type the field belongs to; null: every type.';
comment on column public.custom_fields.required is 'The user must give it when filing a ticket of its type.';
comment on column public.custom_fields.visible_to_user is
    'False: staff-only; users never see it, its values or its history.';
comment on column public.custom_fields.position is 'Where the field comes in forms.';
comment on constraint custom_fields_key_format on public.custom_fields is
    'key must be lower-case letters, digits and underscores, starting with a letter, at most 40 characters';
comment on constraint custom_fields_label_not_blank on public.custom_fields is 'label must not be blank';
comment on constraint custom_fields_label_max_length on public.custom_fields is 'label must be at most 100 characters';
comment on constraint custom_fields_field_type_valid on public.custom_fields is 'field_type must be one of {codes}';
comment on constraint custom_fields_ticket_type_valid on public.custom_fields is 'ticket_type must be one of {codes}';
comment on constraint custom_fields_options_for_choices on public.custom_fields is
    'options is required for one_of and many_of fields, and only for them';
comment on constraint custom_fields_options_strings on public.custom_fields is
    'options must be an array of 1 to 100 strings';
comment on constraint custom_fields_required_visible_to_user on public.custom_fields is
    'a required field must be visible to the user, who gives it when filing';

create trigger custom_fields_vocabulary
    before insert or update of field_type, ticket_type on public.custom_fields
    for each row execute function private.check_vocabulary();

create table public.ticket_field_values (
    ticket_id uuid not null references public.support_tickets (id) on delete cascade,
    field_key text not null references public.custom_fields (key) on delete cascade,
    value jsonb not null,
    -- No foreign key: the value keeps who set it even after that account is gone.
    set_by uuid,
    set_at timestamptz not null default now(),
    primary key (ticket_id, field_key)
);

comment on table public.ticket_field_values is
    'The values of custom fields on tickets, checked against their definition by a trigger. Users '
    'read the user-visible values of their own tickets; staff read all through support_ticket.';
comment on column public.ticket_field_values.value is 'As JSON: a string, number, date string, option, array of options or boolean.';
comment on column public.ticket_field_values.set_by is 'Who set it: the owner when filing, or a staff member.';

-- Filtering by a field's value (the queue's and the saved views' field conditions).
create index ticket_field_values_field_key_value_idx on public.ticket_field_values (field_key, value);

alter table public.custom_fields enable row level security;
alter table public.ticket_field_values enable row level security;
revoke all on table public.custom_fields, public.ticket_field_values from anon, authenticated;
grant select, delete on table public.custom_fields to authenticated;
grant insert (key, label, field_type, options, ticket_type, required, visible_to_user, position)
    on table public.custom_fields to authenticated;
-- Not key or field_type: the stored values were checked against them.
grant update (label, options, ticket_type, required, visible_to_user, position)
    on table public.custom_fields to authenticated;
grant select (ticket_id, field_key, value, set_at) on table public.ticket_field_values to authenticated;
grant select, insert, update, delete on table public.custom_fields, public.ticket_field_values to service_role;

create policy "users read the fields they fill in, staff every field"
    on public.custom_fields for select to authenticated
    using (visible_to_user or (select private.is_staff()));
create policy "admins add fields"
    on public.custom_fields for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change fields"
    on public.custom_fields for update to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));
create policy "admins remove fields"
    on public.custom_fields for delete to authenticated
    using ((select private.is_admin()));

create policy "users read the user-visible fields of their own tickets"
    on public.ticket_field_values for select to authenticated
    using (
        exists (
            select 1 from public.support_tickets as t
            where t.id = ticket_field_values.ticket_id and t.user_id = (select auth.uid()))
        and exists (
            select 1 from public.custom_fields as f
            where f.key = ticket_field_values.field_key and f.visible_to_user)
    );

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.custom_field_types', true, '{}', 'vocabulary of custom field types'),
    ('public.custom_fields', true, '{}', 'custom field definitions'),
    ('public.ticket_field_values', false, '{}', 'user data: custom field values (value; set_by: a user or staff id)');

create trigger audit_changes after insert or update or delete on public.custom_field_types
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.custom_field_types
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.custom_fields
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.custom_fields
    for each statement execute function private.record_audit();

create function private.field_value_valid(field public.custom_fields, value jsonb)
    returns boolean
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    kind text := pg_catalog.jsonb_typeof(value);
begin
    -- One branch per row of public.custom_field_types.
    return case field.field_type
        when 'text' then kind = 'string' and not private.is_blank(value #>> '{}')
            and pg_catalog.char_length(value #>> '{}') <= 1000
        when 'number' then kind = 'number'
        when 'date' then kind = 'string' and (value #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
            and private.is_date(value #>> '{}')
        when 'one_of' then kind = 'string' and field.options @> pg_catalog.jsonb_build_array(value)
        when 'many_of' then kind = 'array' and field.options @> value
            and not pg_catalog.jsonb_path_exists(value, '$[*] ? (@.type() != "string")')
            and pg_catalog.jsonb_array_length(value) = (
                select pg_catalog.count(distinct e) from pg_catalog.jsonb_array_elements_text(value) as e)
        when 'checkbox' then kind = 'boolean'
        else false
    end;
end;
$$;

comment on function private.field_value_valid(public.custom_fields, jsonb) is
    'Whether value is a value of the field: its type (custom_field_types) and options.';

create function private.is_date(value text)
    returns boolean
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    perform value::date;
    return true;
exception
    when others then
        return false;
end;
$$;

comment on function private.is_date(text) is 'Whether a YYYY-MM-DD text is a real date.';

create function private.check_field_value()
    returns trigger
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    field public.custom_fields;
    kind_of_ticket text;
begin
    select f.* into field from public.custom_fields as f where f.key = new.field_key;
    select t.ticket_type into kind_of_ticket from public.support_tickets as t where t.id = new.ticket_id;
    if field.key is null or (field.ticket_type is not null and field.ticket_type <> kind_of_ticket) then
        perform private.refuse('custom_field_unknown');
    end if;
    if not private.field_value_valid(field, new.value) then
        perform private.refuse('custom_field_value_invalid', pg_catalog.jsonb_build_object(
            'field', field.key,
            'expects', (select t.expects from public.custom_field_types as t where t.code = field.field_type)));
    end if;
    return new;
end;
$$;

comment on function private.check_field_value() is
    'Before insert or update on ticket_field_values: 400 for a field the ticket''s type does not '
    'have, or a value outside the definition (naming the field, never the value).';

revoke all on function private.field_value_valid(public.custom_fields, jsonb), private.is_date(text),
    private.check_field_value() from public;
grant execute on function private.field_value_valid(public.custom_fields, jsonb), private.is_date(text),
    private.check_field_value() to authenticated, service_role;

create trigger ticket_field_values_check
    before insert or update on public.ticket_field_values
    for each row execute function private.check_field_value();

insert into public.ticket_event_kinds (code, label, position, internal)
select k.code, k.label, (select max(e.position) from public.ticket_event_kinds as e) + k.n, k.internal
from (values ('field', 'changed a field', 1, false),
             ('staff_field', 'changed a staff-only field', 2, true)) as k (code, label, n, internal);

-- Security definer: no role may insert into ticket_events. It writes exactly the event of the
-- row that fired it, internal when the field is staff-only, the actor from the request.
create function private.record_field_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    changed public.ticket_field_values := coalesce(new, old);
    owner uuid;
    shown boolean;
begin
    select t.user_id into owner from public.support_tickets as t where t.id = changed.ticket_id;
    if not found then
        return null;  -- the ticket is being deleted, its history with it
    end if;
    select f.visible_to_user into shown from public.custom_fields as f where f.key = changed.field_key;
    insert into public.ticket_events (ticket_id, kind, internal, actor_id, actor_kind, from_value, to_value)
    values (changed.ticket_id, case when shown then 'field' else 'staff_field' end, not coalesce(shown, false),
        (select auth.uid()),
        coalesce(private.ticket_actor_kind(owner), 'agent'),
        case when tg_op <> 'INSERT' then pg_catalog.jsonb_build_object('key', old.field_key, 'value', old.value)::text end,
        case when tg_op <> 'DELETE' then pg_catalog.jsonb_build_object('key', new.field_key, 'value', new.value)::text end);
    return null;
end;
$$;

comment on function private.record_field_change() is
    'After insert, update or delete on ticket_field_values: one `field` event (`staff_field`, '
    'internal, for a staff-only field), from/to as {"key", "value"} JSON texts. Security definer: no role '
    'inserts into ticket_events; the event is the row''s, the actor the request''s.';
revoke all on function private.record_field_change() from public;

create trigger ticket_field_values_record_history
    after insert or update or delete on public.ticket_field_values
    for each row execute function private.record_field_change();

-- Security definer: users hold no insert on ticket_field_values. Nobody may call it but
-- take_filed_fields, the insert trigger, for the ticket the caller is filing; it writes only
-- user-visible fields of the ticket's type, and refuses the request when a required one is
-- missing.
create function private.file_ticket_fields(ticket_id uuid, fields jsonb)
    returns void
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
    given jsonb := coalesce(fields, '{}');
    missing text;
begin
    select t.* into ticket from public.support_tickets as t
    where t.id = file_ticket_fields.ticket_id;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    if exists (
        select 1 from pg_catalog.jsonb_object_keys(given) as k (key)
        where not exists (
            select 1 from public.custom_fields as f
            where f.key = k.key and f.visible_to_user
              and (f.ticket_type is null or f.ticket_type = ticket.ticket_type)))
    then
        perform private.refuse('custom_field_unknown');
    end if;
    select f.key into missing from public.custom_fields as f
    where f.required and (f.ticket_type is null or f.ticket_type = ticket.ticket_type)
      and coalesce(pg_catalog.jsonb_typeof(given -> f.key), 'null') = 'null'
    order by f.position, f.key
    limit 1;
    if missing is not null then
        perform private.refuse('custom_field_required', pg_catalog.jsonb_build_object('field', missing));
    end if;
    insert into public.ticket_field_values (ticket_id, field_key, value, set_by)
    select ticket.id, g.key, g.value, ticket.user_id
    from pg_catalog.jsonb_each(given) as g
    where pg_catalog.jsonb_typeof(g.value) <> 'null';
end;
$$;

comment on function private.file_ticket_fields(uuid, jsonb) is
    'The fields a user gives when filing (take_filed_fields): only user-visible fields of the '
    'ticket''s type, every required one. Security definer: users hold no insert on '
    'ticket_field_values; only the insert trigger take_filed_fields calls it, for the new ticket.';
revoke all on function private.file_ticket_fields(uuid, jsonb) from public;

-- Security definer, to call file_ticket_fields as the filing user's request (auth.uid()) and
-- read the fields insert_ticket handed over for this very insert. Every ticket a user files, by
-- an RPC or a direct insert, meets the same rule; staff and support's tools (no owner's uid)
-- file without fields.
create function private.take_filed_fields()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    given jsonb := coalesce(nullif(pg_catalog.current_setting('support.filing_fields', true), '')::jsonb, '{}');
begin
    perform pg_catalog.set_config('support.filing_fields', '', true);
    if (select auth.uid()) is distinct from new.user_id then
        return null;
    end if;
    perform private.file_ticket_fields(new.id, given);
    return null;
end;
$$;

comment on function private.take_filed_fields() is
    'After insert on support_tickets, when the caller files their own ticket: files the custom '
    'fields insert_ticket handed over (none for a direct insert), refusing a missing required '
    'one. Security definer: it runs file_ticket_fields, which checks everything it writes.';
revoke all on function private.take_filed_fields() from public;

create trigger support_tickets_take_fields
    after insert on public.support_tickets
    for each row execute function private.take_filed_fields();

-- Invoker: a user reads through their policy (user-visible values of their own tickets), the
-- staff operations (security definer) read every value.
create function private.ticket_fields_json(ticket_id uuid, staff_only_too boolean)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return coalesce((
        select pg_catalog.json_object_agg(v.field_key, v.value order by f.position, f.key)
        from public.ticket_field_values as v
        join public.custom_fields as f on f.key = v.field_key
        where v.ticket_id = ticket_fields_json.ticket_id and (staff_only_too or f.visible_to_user)
    ), '{}'::json);
end;
$$;

comment on function private.ticket_fields_json(uuid, boolean) is
    'A ticket''s custom field values as {key: value}, in the fields'' order; staff-only ones only '
    'when asked (and readable by the caller).';
revoke all on function private.ticket_fields_json(uuid, boolean) from public;
grant execute on function private.ticket_fields_json(uuid, boolean) to authenticated;

-- Security definer: staff hold no privilege on ticket_field_values. It checks the caller is
-- staff, locks the ticket, refuses a stale expected updated_at, and sets or clears exactly the
-- fields given (the trigger checks each value).
create function private.set_ticket_fields_as_staff(target uuid, fields jsonb, expected timestamptz)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
    cleared text;
begin
    perform private.require_staff();
    select t.* into ticket from public.support_tickets as t where t.id = target for update;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    if expected is not null and ticket.updated_at <> expected then
        perform private.refuse('ticket_changed');
    end if;
    if exists (
        select 1 from pg_catalog.jsonb_object_keys(fields) as k (key)
        where not exists (
            select 1 from public.custom_fields as f
            where f.key = k.key and (f.ticket_type is null or f.ticket_type = ticket.ticket_type)))
    then
        perform private.refuse('custom_field_unknown');
    end if;
    select f.key into cleared
    from pg_catalog.jsonb_each(fields) as g
    join public.custom_fields as f on f.key = g.key
    where f.required and pg_catalog.jsonb_typeof(g.value) = 'null'
    order by f.position, f.key
    limit 1;
    if cleared is not null then
        perform private.refuse('custom_field_required', pg_catalog.jsonb_build_object('field', cleared));
    end if;

    delete from public.ticket_field_values as v
    using pg_catalog.jsonb_each(fields) as g
    where v.ticket_id = target and v.field_key = g.key and pg_catalog.jsonb_typeof(g.value) = 'null';
    insert into public.ticket_field_values as v (ticket_id, field_key, value, set_by)
    select target, g.key, g.value, (select auth.uid())
    from pg_catalog.jsonb_each(fields) as g
    where pg_catalog.jsonb_typeof(g.value) <> 'null'
    on conflict (ticket_id, field_key) do update
        set value = excluded.value, set_by = excluded.set_by, set_at = now()
        where v.value is distinct from excluded.value;
    return pg_catalog.json_build_object('ticket_id', target, 'fields', private.ticket_fields_json(target, true));
end;
$$;

comment on function private.set_ticket_fields_as_staff(uuid, jsonb, timestamptz) is
    'Staff only: sets (or clears, with null) custom fields of a ticket; one event per change.';
revoke all on function private.set_ticket_fields_as_staff(uuid, jsonb, timestamptz) from public;
grant execute on function private.set_ticket_fields_as_staff(uuid, jsonb, timestamptz) to authenticated;

create function public.support_set_ticket_fields(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
begin
    perform private.require_staff();
    perform private.check_request_body(body,
        '{"ticket_id": "string", "fields": "object", "expected_updated_at": "string"}');
    return private.set_ticket_fields_as_staff(
        private.uuid_param(body ->> 'ticket_id', 'ticket_id'),
        coalesce(body -> 'fields', '{}'),
        private.time_param(body ->> 'expected_updated_at', 'expected_updated_at'));
end;
$$;

comment on function public.support_set_ticket_fields(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, fields: {key: value or null}, '
    'expected_updated_at?}. Sets each field (null clears it), staff-only ones included; one '
    '`field` history event per change (internal for a staff-only field). Returns {ticket_id, '
    'fields}. 400 naming the field for a value outside its definition or a required field '
    'cleared, 400 for a field the ticket''s type does not have, 404 for a missing ticket, 409 '
    'for a stale expected_updated_at.';
revoke all on function public.support_set_ticket_fields(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_set_ticket_fields(jsonb) to authenticated;
