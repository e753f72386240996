-- Shared helpers of the RPC functions: request-body checks, rule-violation messages, times.
--
-- Why: the create RPCs take the contract's JSON body as is (one unnamed jsonb parameter), so
-- they check its shape themselves before any cast: an object, no unknown fields, the right JSON
-- type for each field. Value rules (lengths, enumerations, blanks) are left to the table
-- constraints; when one fails, the RPC re-raises it with the constraint's comment as message,
-- so each rule and its message are written once, in the table's migration.
-- Errors use invalid_parameter_value (22023), check_violation (23514) or not_null_violation
-- (23502): PostgREST answers 400 to all three. No message ever contains a submitted value.
-- The helpers are plpgsql, even the one-line ones: a SQL function with a SET clause is never
-- inlined and plans its query again on every call; plpgsql keeps the plan for the session.

create function private.check_request_body(body jsonb, fields jsonb)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    unknown text[] := '{}'::text[];
    wrong_type text;
    field record;
    expected text;
begin
    -- fields maps each accepted field to its JSON type: string, integer, boolean, object or
    -- string_array. JSON null counts as absent; required fields are left to NOT NULL.
    if body is null or pg_catalog.jsonb_typeof(body) <> 'object' then
        raise exception 'request body must be a JSON object'
            using errcode = 'invalid_parameter_value';
    end if;

    -- One pass over the body's fields in name order (it runs on every create): every unknown
    -- field is named; otherwise the first field, by name, of the wrong type.
    for field in
        select f.key as name, f.value
        from pg_catalog.jsonb_each(body) as f
        order by f.key
    loop
        expected := fields ->> field.name;
        if expected is null then
            -- A name is the caller's text: at most 64 characters of it are quoted back.
            unknown := unknown || pg_catalog.format('"%s"', case
                when pg_catalog.char_length(field.name) > 64
                    then pg_catalog.left(field.name, 63) || '…'
                else field.name end);
        elsif wrong_type is not null or pg_catalog.jsonb_typeof(field.value) = 'null' then
            continue;
        elsif expected = 'string' and pg_catalog.jsonb_typeof(field.value) <> 'string' then
            wrong_type := field.name || ' must be a string';
        elsif expected = 'boolean' and pg_catalog.jsonb_typeof(field.value) <> 'boolean' then
            wrong_type := field.name || ' must be true or false';
        elsif expected = 'integer' and not (
            pg_catalog.jsonb_typeof(field.value) = 'number'
            and (field.value #>> '{}')::numeric = trunc((field.value #>> '{}')::numeric)
            and abs((field.value #>> '{}')::numeric) <= 2147483647
        ) then
            wrong_type := field.name || ' must be an integer';
        elsif expected = 'object' and pg_catalog.jsonb_typeof(field.value) <> 'object' then
            wrong_type := field.name || ' must be an object';
        elsif expected = 'string_array' and not (
            pg_catalog.jsonb_typeof(field.value) = 'array'
            and not pg_catalog.jsonb_path_exists(field.value, '$[*] ? (@.type() != "string")')
        ) then
            wrong_type := field.name || ' must be an array of strings';
        end if;
    end loop;

    if cardinality(unknown) > 0 then
        -- At most three are named: a body of a thousand unknown fields gets a short answer.
        raise exception '%', case
                when cardinality(unknown) = 1 then 'unknown field ' || unknown[1]
                when cardinality(unknown) <= 3
                    then 'unknown fields ' || pg_catalog.array_to_string(unknown, ', ')
                else 'unknown fields ' || pg_catalog.array_to_string(unknown[1:3], ', ')
                    || pg_catalog.format(' and %s more', cardinality(unknown) - 3)
            end
            using errcode = 'invalid_parameter_value';
    end if;
    if wrong_type is not null then
        raise exception '%', wrong_type using errcode = 'invalid_parameter_value';
    end if;
end;
$$;

comment on function private.check_request_body(jsonb, jsonb) is
    'Raises invalid_parameter_value (400) unless body is a JSON object whose fields are all '
    'listed in fields ({"name": "string"|"integer"|"boolean"|"object"|"string_array"}) with that JSON '
    'type (or null). Messages name the field, never the value.';

create function private.json_text_array(value jsonb)
    returns text[]
    language plpgsql
    immutable
    set search_path = ''
as $$
begin
    -- A JSON array of strings (already checked) as text[]; JSON null or absent gives null.
    if value is null or pg_catalog.jsonb_typeof(value) <> 'array' then
        return null;
    end if;
    return array(
        select e.element
        from pg_catalog.jsonb_array_elements_text(value) with ordinality as e(element, n)
        order by e.n
    );
end;
$$;

comment on function private.json_text_array(jsonb) is
    'A checked JSON array of strings as text[], in order; null for JSON null or absent.';

create function private.raise_rule_violation(
    error_code text,
    schema_name text,
    table_name text,
    constraint_name text,
    column_name text
)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    rule_message text;
begin
    -- Call from a handler for check_violation / not_null_violation with the values of
    -- `get stacked diagnostics`. The message is the comment on the broken constraint, a CHECK
    -- or a foreign key to a vocabulary (private.check_vocabulary raises those as check
    -- violations), {codes} in it replaced by the vocabulary's codes.
    select private.vocabulary_message(c.oid) into rule_message
    from pg_catalog.pg_constraint as c
    where c.conname = nullif(raise_rule_violation.constraint_name, '')
        and c.conrelid = (
            select r.oid
            from pg_catalog.pg_class as r
            join pg_catalog.pg_namespace as n on n.oid = r.relnamespace
            where n.nspname = raise_rule_violation.schema_name
                and r.relname = raise_rule_violation.table_name
        );
    if rule_message is null and error_code = '23502' and nullif(column_name, '') is not null then
        rule_message := column_name || ' is required';
    end if;
    raise exception '%', coalesce(rule_message, 'the request breaks a data rule')
        using errcode = coalesce(nullif(error_code, ''), 'check_violation');
end;
$$;

comment on function private.raise_rule_violation(text, text, text, text, text) is
    'Re-raises a check or not-null violation (or a value missing from a vocabulary) with the '
    'comment on the constraint as message ({codes}: the vocabulary''s codes; "<field> is '
    'required" for NOT NULL), and without the row.';

create function private.utc_text(ts timestamptz)
    returns text
    language plpgsql
    stable
    set search_path = ''
as $$
begin
    return pg_catalog.to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
end;
$$;

comment on function private.utc_text(timestamptz) is
    'A time as the API returns it: UTC, RFC 3339, whole seconds, ending in Z.';

revoke all on function private.check_request_body(jsonb, jsonb), private.json_text_array(jsonb),
    private.raise_rule_violation(text, text, text, text, text), private.utc_text(timestamptz)
    from public;
grant execute on function private.check_request_body(jsonb, jsonb), private.json_text_array(jsonb),
    private.raise_rule_violation(text, text, text, text, text), private.utc_text(timestamptz)
    to authenticated, service_role;
