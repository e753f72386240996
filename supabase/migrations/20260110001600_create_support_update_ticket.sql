-- RPC support_update_ticket: staff change a ticket's status, priority, type, assignee,
-- resolution or notes.
--
-- Why: the one way staff change a ticket. POST /rest/v1/rpc/support_update_ticket with
-- {ticket_id, status?, priority?, ticket_type?, assignee_id?, resolution?, admin_notes?,
-- expected_updated_at?}: a field left out stays as it is; assignee_id, resolution and
-- admin_notes may be null to clear them. With expected_updated_at (the updated_at that
-- support_ticket or support_queue returned) a ticket changed by someone else since is a 409,
-- so two agents never overwrite each other. Status moves follow public.ticket_transitions
-- (409 naming both statuses; 400 when a resolution is required). Non-staff callers get 403.

-- Security definer: signed-in users hold no update on support_tickets, so that a user's direct
-- update is refused (42501); staff change tickets only here. It checks that the caller is
-- staff, locks the row, and writes only the fields named above; the table's constraints and
-- triggers (transitions, history) apply as to any update.
create function private.update_ticket_as_staff(target uuid, fields jsonb, expected timestamptz)
    returns public.support_tickets
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
    new_assignee uuid;
    assignee_name text;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.require_staff();
    select t.* into ticket from public.support_tickets as t where t.id = target for update;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    if expected is not null and ticket.updated_at <> expected then
        perform private.refuse('ticket_changed');
    end if;

    new_assignee := ticket.assignee_id;
    assignee_name := ticket.assigned_to;
    if fields ? 'assignee_id' then
        if fields ->> 'assignee_id' is null then
            new_assignee := null;
            assignee_name := null;
        else
            new_assignee := private.uuid_param(fields ->> 'assignee_id', 'assignee_id');
            select s.display_name into assignee_name
            from public.support_staff as s where s.user_id = new_assignee;
            if not found then
                perform private.refuse('assignee_not_staff');
            end if;
        end if;
    end if;

    update public.support_tickets as t
    set status = case when fields ? 'status' then fields ->> 'status' else t.status end,
        priority = case when fields ? 'priority' then fields ->> 'priority' else t.priority end,
        ticket_type = case when fields ? 'ticket_type' then fields ->> 'ticket_type' else t.ticket_type end,
        resolution = case when fields ? 'resolution' then fields ->> 'resolution' else t.resolution end,
        admin_notes = case when fields ? 'admin_notes' then fields ->> 'admin_notes' else t.admin_notes end,
        assignee_id = new_assignee,
        assigned_to = pg_catalog.left(assignee_name, 100)
    where t.id = target
    returning t.* into ticket;
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

comment on function private.update_ticket_as_staff(uuid, jsonb, timestamptz) is
    'Staff only: applies the given fields to a ticket, refusing a stale expected updated_at (409).';
revoke all on function private.update_ticket_as_staff(uuid, jsonb, timestamptz) from public;
grant execute on function private.update_ticket_as_staff(uuid, jsonb, timestamptz) to authenticated;

create function public.support_update_ticket(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    expected timestamptz;
    ticket public.support_tickets;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{
        "ticket_id": "string",
        "status": "string",
        "priority": "string",
        "ticket_type": "string",
        "assignee_id": "string",
        "resolution": "string",
        "admin_notes": "string",
        "expected_updated_at": "string"
    }');
    expected := private.time_param(body ->> 'expected_updated_at', 'expected_updated_at');

    ticket := private.update_ticket_as_staff(
        private.uuid_param(body ->> 'ticket_id', 'ticket_id'),
        body - 'ticket_id' - 'expected_updated_at',
        expected
    );

    return pg_catalog.json_build_object(
        'ticket_id', ticket.id,
        'ticket_type', ticket.ticket_type,
        'status', ticket.status,
        'priority', ticket.priority,
        'assignee_id', ticket.assignee_id,
        'assigned_to', ticket.assigned_to,
        'resolution', ticket.resolution,
        'admin_notes', ticket.admin_notes,
        'updated_at', private.utc_text_precise(ticket.updated_at),
        'resolved_at', private.utc_text(ticket.resolved_at)
    );
end;
$$;

comment on function public.support_update_ticket(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, status?, priority?, ticket_type?, '
    'assignee_id?, resolution?, admin_notes?, expected_updated_at?}. Returns the ticket''s '
    'working fields with updated_at to microseconds. 400 on a broken rule, 404 for a missing '
    'ticket, 409 for a move public.ticket_transitions does not allow or a stale expected_updated_at.';

revoke all on function public.support_update_ticket(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_update_ticket(jsonb) to authenticated;
