-- RPC support_reply: staff answer the user publicly or add an internal note.
--
-- Why: support's half of the thread. POST /rest/v1/rpc/support_reply with {ticket_id, body,
-- internal?} (internal defaults to false). The message triggers set the author (the agent)
-- and write the history. An internal note is never shown to the ticket's owner. Non-staff
-- callers get 403.

-- Security definer: staff hold no policy on tickets and messages (see 20260110000800), and
-- users may not insert the internal column. It checks first that the caller is staff and
-- inserts one message, of the caller, on the ticket given.
create function private.reply_as_staff(target uuid, body text, internal boolean)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    ticket_status text;
    message public.ticket_messages;
begin
    perform private.require_staff();
    select t.status into ticket_status from public.support_tickets as t where t.id = target;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    message := private.insert_message(target, body, internal);
    return pg_catalog.json_build_object(
        'message_id', message.id,
        'internal', message.internal,
        'status', ticket_status,
        'created_at', private.utc_text(message.created_at)
    );
end;
$$;

comment on function private.reply_as_staff(uuid, text, boolean) is
    'Staff only: a public reply or internal note of the caller on a ticket.';
revoke all on function private.reply_as_staff(uuid, text, boolean) from public;
grant execute on function private.reply_as_staff(uuid, text, boolean) to authenticated;

create function public.support_reply(jsonb)
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
    perform private.check_request_body(body, '{"ticket_id": "string", "body": "string", "internal": "boolean"}');
    return private.reply_as_staff(
        private.uuid_param(body ->> 'ticket_id', 'ticket_id'),
        body ->> 'body',
        coalesce((body ->> 'internal')::boolean, false)
    );
end;
$$;

comment on function public.support_reply(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, body, internal?}. Returns {message_id, '
    'internal, status, created_at}. 400 on a broken rule, 404 for a missing ticket.';

revoke all on function public.support_reply(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_reply(jsonb) to authenticated;
