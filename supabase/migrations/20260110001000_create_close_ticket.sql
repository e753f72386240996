-- RPC close_ticket: the user closes their own ticket.
--
-- Why: a user whose matter is settled says so (or confirms a resolution); a closed ticket is
-- final. POST /rest/v1/rpc/close_ticket with {"ticket_id"}. Closing a closed ticket answers
-- the same as the first time. The move is checked by public.ticket_transitions as the user's.

-- Security definer: signed-in users hold no update on support_tickets (every other change of a
-- ticket is support's), and this is the one change a user may make. It checks that the caller
-- owns the ticket and sets nothing but the status; the transition trigger decides the move.
create function private.close_own_ticket(target uuid)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
begin
    select t.* into ticket
    from public.support_tickets as t
    where t.id = target and t.user_id = (select auth.uid())
    for update;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    if ticket.status <> 'closed' then
        update public.support_tickets as t
        set status = 'closed'
        where t.id = target
        returning t.* into ticket;
    end if;
    return pg_catalog.json_build_object(
        'ticket_id', ticket.id,
        'status', ticket.status,
        'updated_at', private.utc_text(ticket.updated_at)
    );
end;
$$;

comment on function private.close_own_ticket(uuid) is
    'Closes the caller''s own ticket (checked), as the user''s move in public.ticket_transitions.';
revoke all on function private.close_own_ticket(uuid) from public;
grant execute on function private.close_own_ticket(uuid) to authenticated;

create function public.close_ticket(ticket_id text)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    return private.close_own_ticket(private.uuid_param(close_ticket.ticket_id, 'ticket_id'));
end;
$$;

comment on function public.close_ticket(text) is
    'The signed-in user closes their ticket: {ticket_id} → {ticket_id, status, updated_at}. 400 '
    'when ticket_id is not a UUID, 404 when it is not theirs. Closed is final.';

revoke all on function public.close_ticket(text) from public, anon, authenticated, service_role;
grant execute on function public.close_ticket(text) to authenticated;
