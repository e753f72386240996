-- RPC create_support_ticket: POST /rest/v1/rpc/create_support_ticket with the contract's body.
--
-- Why: the contract's "Create Support Ticket" (billing, technical, account, other, or bug
-- without the bug details). One unnamed jsonb parameter, as report_bug. Security invoker:
-- the caller's grants, RLS and rate limit (5 per hour; bug_report's for type bug) apply.
-- follow_up_of (not in the contract): the id of one of the user's own closed tickets, for a
-- follow-up of a closed one (a reply to a closed ticket is refused, 409).

create function public.create_support_ticket(jsonb)
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
        "follow_up_of": "string",
        "fields": "object"
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
        -- A type added without a message of its own (one row of ticket_types) gets other's.
        'message', private.support_message('ticket_created.' || ticket.ticket_type, 'ticket_created.other'),
        'created_at', private.utc_text(ticket.created_at)
    ));
end;
$$;

comment on function public.create_support_ticket(jsonb) is
    'Creates a support ticket for the signed-in user. Body: {ticket_type, subject, description, '
    'priority?, follow_up_of?, fields?} (follow_up_of: one of the user''s closed tickets; fields: '
    'the user-visible custom fields of the type, {key: value}, required ones included). Returns '
    '{ticket_id, ticket_type, status, priority, message, created_at}. 400 on a broken rule, 429 '
    'past 5 per hour. Honours the Idempotency-Key header.';

-- Signed-in users only: service_role acts for no user (auth.uid() is null); it works on the tables.
revoke all on function public.create_support_ticket(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.create_support_ticket(jsonb) to authenticated;
