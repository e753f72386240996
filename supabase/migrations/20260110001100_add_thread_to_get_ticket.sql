-- get_ticket gains the public thread and history: fields added, none of the contract's changed.
--
-- Why: the user reads support's replies and how their ticket moved in the same call as the
-- detail. `messages`: public messages, oldest first ({message_id, author_kind, body,
-- created_at}); `events`: public events, oldest first ({kind, actor_kind, from, to,
-- message_id, at}); `follow_up_of`: the closed ticket this one follows up. Internal notes and
-- internal events are excluded here and hidden by RLS besides.

create or replace function public.get_ticket(ticket_id text)
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
        'screenshot_urls', ticket.screenshot_urls,
        'follow_up_of', ticket.follow_up_of,
        'messages', coalesce((
            select pg_catalog.json_agg(pg_catalog.json_build_object(
                    'message_id', m.id,
                    'author_kind', m.author_kind,
                    'body', m.body,
                    'created_at', private.utc_text(m.created_at)
                ) order by m.created_at, m.id)
            from public.ticket_messages as m
            where m.ticket_id = ticket.id and not m.internal
        ), '[]'::json),
        'events', coalesce((
            select pg_catalog.json_agg(pg_catalog.json_build_object(
                    'kind', e.kind,
                    'actor_kind', e.actor_kind,
                    'from', e.from_value,
                    'to', e.to_value,
                    'message_id', e.message_id,
                    'at', private.utc_text(e.created_at)
                ) order by e.created_at, e.id)
            from public.ticket_events as e
            where e.ticket_id = ticket.id and not e.internal
        ), '[]'::json)
    );
end;
$$;

comment on function public.get_ticket(text) is
    'One of the signed-in user''s tickets: the contract''s detail fields, the bug details, '
    'follow_up_of, the public thread (messages) and history (events), oldest first. 400 when '
    'ticket_id is not a UUID; 404 (code P0002, "Ticket not found") when it does not exist or '
    'belongs to someone else.';
