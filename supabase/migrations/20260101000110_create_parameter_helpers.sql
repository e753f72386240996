-- The parameter layer: how every RPC reads an id, a page and a time from its parameters.
--
-- Why: an RPC's parameters arrive as text (query strings, JSON strings), and each kind was
-- checked by hand in many places with drifting messages. These helpers are the only code that
-- parses them (a house rule, 01-house-rules.sql, checks that no other function matches the UUID
-- pattern or raises an HTTP error itself); a bad value is a 400 from the refusal catalog
-- (public.support_messages) that names the parameter and never quotes the value.

insert into public.support_messages (topic, status, code, message, hint) values
    ('parameter_required', 400, 'parameter_required', '{name} is required', null),
    ('invalid_uuid', 400, 'invalid_uuid', '{name} must be a UUID', null),
    ('integer_out_of_range', 400, 'integer_out_of_range', '{name} must be an integer from {low} to {high}', null),
    ('integer_too_small', 400, 'integer_too_small', '{name} must be an integer of at least {low}', null),
    ('invalid_time', 400, 'invalid_time', '{name} must be a date or time (RFC 3339)', null),
    ('invalid_boolean', 400, 'invalid_boolean', '{name} must be true or false', null),
    ('text_too_long', 400, 'text_too_long', '{name} must be at most {max} characters', null);

create function private.is_uuid(value text)
    returns boolean
    language sql
    immutable
    parallel safe
    security invoker
    set search_path = ''
as $$
    select value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
$$;

comment on function private.is_uuid(text) is
    'True when value is a UUID in its canonical text form (any case), null for null: the one '
    'place the pattern is written.';

create function private.uuid_param(value text, name text, required boolean default true)
    returns uuid
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    if value is null then
        if required then
            perform private.refuse('parameter_required', pg_catalog.jsonb_build_object('name', name));
        end if;
        return null;
    end if;
    if not private.is_uuid(value) then
        perform private.refuse('invalid_uuid', pg_catalog.jsonb_build_object('name', name));
    end if;
    return value::uuid;
end;
$$;

comment on function private.uuid_param(text, text, boolean) is
    'The id parameter called name as a uuid: 400 "<name> is required" (unless required is false, '
    'then null) or "<name> must be a UUID".';

create function private.integer_param(
    value text,
    name text,
    low integer,
    high integer default null,
    fallback integer default null
)
    returns integer
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    if value is null then
        return fallback;
    end if;
    -- At most nine digits: the cast below cannot overflow, and no page is that long.
    if value !~ '^[0-9]{1,9}$' or value::integer < low or value::integer > high then
        perform private.refuse(
            case when high is null then 'integer_too_small' else 'integer_out_of_range' end,
            pg_catalog.jsonb_build_object('name', name, 'low', low, 'high', high)
        );
    end if;
    return value::integer;
end;
$$;

comment on function private.integer_param(text, text, integer, integer, integer) is
    'A count parameter (a page size, an offset, a number of days) called name: fallback when '
    'absent, else an integer from low to high (no upper bound when high is null); 400 "<name> '
    'must be an integer from <low> to <high>" or "... of at least <low>" otherwise.';

create function private.time_param(value text, name text)
    returns timestamptz
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    parsed timestamptz;
begin
    parsed := value::timestamptz;
    -- Years 1 to 9999 only, as RFC 3339 writes them: beyond, the difference of two times can
    -- overflow (4713 BC to 294276 passed support_stats' 366-day rule) and a BC time loses its
    -- era in an answer.
    if parsed between '0001-01-01T00:00:00Z' and '9999-12-31T23:59:59.999999Z' or parsed is null then
        return parsed;
    end if;
    perform private.refuse('invalid_time', pg_catalog.jsonb_build_object('name', name));
    return null;
exception
    when data_exception then
        perform private.refuse('invalid_time', pg_catalog.jsonb_build_object('name', name));
        return null;
end;
$$;

comment on function private.time_param(text, text) is
    'A time parameter called name: null when absent, else the time it names (RFC 3339; a date is '
    'its midnight) between the years 1 and 9999; 400 "<name> must be a date or time (RFC 3339)" '
    'otherwise.';

revoke all on function private.is_uuid(text), private.uuid_param(text, text, boolean),
    private.integer_param(text, text, integer, integer, integer), private.time_param(text, text)
    from public;
grant execute on function private.is_uuid(text), private.uuid_param(text, text, boolean),
    private.integer_param(text, text, integer, integer, integer), private.time_param(text, text)
    to authenticated, service_role;
