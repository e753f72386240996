-- RPC get_ticket: one of the signed-in user's tickets in full.
--
-- Why: the contract's "Get Ticket Detail", plus the bug details of bug reports (null on other
-- tickets). GET /rest/v1/rpc/get_ticket?ticket_id=<uuid>. A ticket that does not exist and a
-- ticket of another user give the same 404 (body code P0002, "Ticket not found"), so ids
-- cannot be probed. The id is text so that a malformed one gets a 400 naming ticket_id.

create function public.get_ticket(ticket_id text)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
begin
    if get_ticket.ticket_id is null
        or get_ticket.ticket_id !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        raise exception 'ticket_id must be a UUID'
            using errcode = 'invalid_parameter_value';
    end if;

    select t.* into ticket
    from public.support_tickets as t
    where t.id = get_ticket.ticket_id::uuid
        and t.user_id = (select auth.uid());

    if not found then
        raise sqlstate 'PGRST' using
            message = pg_catalog.json_build_object(
                'code', 'P0002',
                'message', private.support_message('ticket_not_found'),
                'details', null,
                'hint', null
            )::text,
            detail = '{"status":404,"headers":{}}';
    end if;

    return pg_catalog.json_build_object(
        'ticket_id', ticket.id,
        'ticket_type', ticket.ticket_type,
        'subject', ticket.subject,
        'description', ticket.description,
        'status', ticket.status,
        'priority', ticket.priority,
        'admin_notes', ticket.admin_notes,
        'resolution', ticket.resolution,
        'created_at', private.utc_text(ticket.created_at),
        'updated_at', private.utc_text(ticket.updated_at),
        'resolved_at', private.utc_text(ticket.resolved_at),
        'steps_to_reproduce', ticket.steps_to_reproduce,
        'expected_behavior', ticket.expected_behavior,
        'actual_behavior', ticket.actual_behavior,
        'device_info', ticket.device_info,
        'app_version', ticket.app_version,
        'screenshot_urls', ticket.screenshot_urls
    );
end;
$$;

comment on function public.get_ticket(text) is
    'One of the signed-in user''s tickets: the contract''s detail fields plus the bug details. '
    '400 when ticket_id is not a UUID; 404 (code P0002, "Ticket not found") when it does not '
    'exist or belongs to someone else.';

-- Signed-in users only: service_role acts for no user (auth.uid() is null); it works on the tables.
revoke all on function public.get_ticket(text) from public, anon, authenticated, service_role;
grant execute on function public.get_ticket(text) to authenticated;
