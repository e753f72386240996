-- Follow-ups: a closed ticket is final; the user files a new one that points at it.
--
-- Why: as Zendesk does, a reply to a closed ticket is refused (409) and the user opens a
-- follow-up instead. create_support_ticket accepts `follow_up_of`, the id of one of the user's
-- own closed tickets; a trigger checks it on every path (direct inserts, service_role and
-- postgres included): the ticket must belong to the same user and be closed, else 400. The
-- closed ticket's history gets a `linked` event (private.record_ticket_change).

create function private.follow_up_uuid(value text)
    returns uuid
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    if value is null then
        return null;
    end if;
    if value !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        raise exception 'follow_up_of must be a UUID' using errcode = 'invalid_parameter_value';
    end if;
    return value::uuid;
end;
$$;

comment on function private.follow_up_uuid(text) is
    'The follow_up_of field as a uuid (null when absent); 400 when it is not a UUID.';

create function private.check_follow_up()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    -- Read as the writer: a user sees only their own tickets, so another user's ticket and a
    -- missing one get the same answer.
    if new.follow_up_of is not null and not exists (
        select 1
        from public.support_tickets as t
        where t.id = new.follow_up_of
            and t.user_id = new.user_id
            and t.status = 'closed'
    ) then
        raise exception 'follow_up_of must be one of your closed tickets'
            using errcode = 'invalid_parameter_value';
    end if;
    return new;
end;
$$;

comment on function private.check_follow_up() is
    'Before insert or update of follow_up_of on public.support_tickets: it must name a closed '
    'ticket of the same user (400 otherwise).';

revoke all on function private.follow_up_uuid(text), private.check_follow_up() from public;
grant execute on function private.follow_up_uuid(text) to authenticated, service_role;

-- Named to fire first of the before-insert triggers (name order): a bad reference is refused
-- before the rate limit counts.
create trigger support_tickets_check_follow_up
    before insert or update of follow_up_of on public.support_tickets
    for each row
    execute function private.check_follow_up();

grant insert (follow_up_of) on table public.support_tickets to authenticated;

create or replace function private.insert_ticket(fields jsonb)
    returns public.support_tickets
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    insert into public.support_tickets (
        ticket_type, subject, description, priority,
        steps_to_reproduce, expected_behavior, actual_behavior, device_info, app_version,
        screenshot_urls, follow_up_of
    )
    values (
        fields ->> 'ticket_type',
        fields ->> 'subject',
        fields ->> 'description',
        -- The column default; JSON null means "not given".
        coalesce(fields ->> 'priority', 'medium'),
        fields ->> 'steps_to_reproduce',
        fields ->> 'expected_behavior',
        fields ->> 'actual_behavior',
        fields ->> 'device_info',
        fields ->> 'app_version',
        private.json_text_array(fields -> 'screenshot_urls'),
        private.follow_up_uuid(fields ->> 'follow_up_of')
    )
    returning * into ticket;
    return ticket;
exception
    when check_violation or not_null_violation then
        get stacked diagnostics
            error_code = returned_sqlstate,
            failed_schema = schema_name,
            failed_table = table_name,
            failed_constraint = constraint_name,
            failed_column = column_name;
        perform private.raise_rule_violation(
            error_code, failed_schema, failed_table, failed_constraint, failed_column
        );
        return null;  -- not reached: raise_rule_violation always raises
end;
$$;

comment on function private.insert_ticket(jsonb) is
    'Inserts a ticket for the caller from a shape-checked body (ticket_type, subject, '
    'description, priority, follow_up_of and the bug details); a broken rule becomes a 400 with '
    'the constraint''s message.';

create or replace function public.create_support_ticket(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    replay json;
    ticket public.support_tickets;
begin
    perform private.check_request_body(body, '{
        "ticket_type": "string",
        "subject": "string",
        "description": "string",
        "priority": "string",
        "follow_up_of": "string"
    }');
    replay := private.idempotency_replay('create_support_ticket', body);
    if replay is not null then
        return replay;
    end if;

    ticket := private.insert_ticket(body);

    return private.idempotency_store(pg_catalog.json_build_object(
        'ticket_id', ticket.id,
        'ticket_type', ticket.ticket_type,
        'status', ticket.status,
        'priority', ticket.priority,
        'message', private.support_message('ticket_created.' || ticket.ticket_type),
        'created_at', private.utc_text(ticket.created_at)
    ));
end;
$$;

comment on function public.create_support_ticket(jsonb) is
    'Creates a support ticket for the signed-in user. Body: {ticket_type, subject, description, '
    'priority?, follow_up_of?} (follow_up_of: one of the user''s closed tickets). Returns '
    '{ticket_id, ticket_type, status, priority, message, created_at}. 400 on a broken rule, 429 '
    'past 5 per hour. Honours the Idempotency-Key header.';
