-- RPC reply_to_ticket: the user answers support on one of their tickets.
--
-- Why: the user's half of the thread. POST /rest/v1/rpc/reply_to_ticket with
-- {"ticket_id", "body"} (one unnamed jsonb parameter, like the creates). Security invoker:
-- RLS (own tickets, public messages only), the rate limit (ticket_reply, 30 an hour) and the
-- message triggers apply as to a direct insert. A reply to a resolved ticket reopens it (within
-- 14 days); to a closed one it is a 409 telling the user to open a follow-up.

create function public.reply_to_ticket(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    target uuid;
    message public.ticket_messages;
    ticket_status text;
begin
    perform private.check_request_body(body, '{"ticket_id": "string", "body": "string"}');
    target := private.uuid_param(body ->> 'ticket_id', 'ticket_id');
    if not exists (
        select 1 from public.support_tickets as t
        where t.id = target and t.user_id = (select auth.uid())
    ) then
        perform private.raise_ticket_not_found();
    end if;

    message := private.insert_message(target, body ->> 'body', false);

    select t.status into ticket_status from public.support_tickets as t where t.id = target;
    return pg_catalog.json_build_object(
        'message_id', message.id,
        'status', ticket_status,
        'created_at', private.utc_text(message.created_at)
    );
end;
$$;

comment on function public.reply_to_ticket(jsonb) is
    'The signed-in user replies on their ticket. Body: {ticket_id, body}. Returns {message_id, '
    'status, created_at}; status is open when the reply reopened a resolved ticket. 400 on a '
    'broken rule, 404 for a ticket that is not theirs, 409 when the ticket is closed, 429 past '
    '30 replies an hour.';

revoke all on function public.reply_to_ticket(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.reply_to_ticket(jsonb) to authenticated;
