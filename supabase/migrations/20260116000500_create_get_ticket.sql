-- RPC get_ticket: one of the signed-in user's tickets in full, with its thread, history and files.
--
-- Why: the contract's "Get Ticket Detail", plus the bug details of bug reports (null on other
-- tickets), and what the user needs to follow their ticket in the same call:
-- `follow_up_of` (the closed ticket this one follows up), `messages`: public messages, oldest
-- first ({message_id, author_kind, body, created_at}); `events`: public events, oldest first
-- ({kind, actor_kind, from, to, message_id, at}); `attachments`: the files the user may see
-- (their own and support's on public replies; never those on internal notes), oldest first,
-- each {attachment_id, message_id, bucket, path, name, content_type, size, created_at}. The
-- client turns a path into a link with storage-js: createSignedUrl(path, seconds). Internal
-- notes and internal events are excluded here and hidden by RLS besides.
-- GET /rest/v1/rpc/get_ticket?ticket_id=<uuid>. A ticket that does not exist and a ticket of
-- another user give the same 404 (body code P0002, "Ticket not found"), so ids cannot be
-- probed. The id is text so that a malformed one gets a 400 naming ticket_id.
-- Defined here, once, because its answer reads the thread (20260110000500, 20260110000600) and
-- the attachments (20260116000300).

-- Both read the links through the caller's RLS (public.ticket_attachments) and the file's
-- metadata through the policies on storage.objects; one helper, so the two answers agree.
create function private.ticket_attachments_json(ticket_id uuid, include_internal boolean)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return coalesce((
        select pg_catalog.json_agg(pg_catalog.json_build_object(
                'attachment_id', a.id,
                'message_id', a.message_id,
                'bucket', a.bucket_id,
                'path', a.object_name,
                'name', pg_catalog.split_part(a.object_name, '/', 3),
                'content_type', o.metadata ->> 'mimetype',
                'size', private.attachment_size(o.metadata),
                'created_at', private.utc_text(a.created_at)
            ) order by a.created_at, a.id)
        from public.ticket_attachments as a
        left join public.ticket_messages as m on m.id = a.message_id
        left join storage.objects as o on o.bucket_id = a.bucket_id and o.name = a.object_name
        where a.ticket_id = ticket_attachments_json.ticket_id
            -- A message the caller cannot read (RLS) is not public to them.
            and (include_internal or a.message_id is null or m.internal is false)
    ), '[]'::json);
end;
$$;

comment on function private.ticket_attachments_json(uuid, boolean) is
    'The attachments of a ticket the caller may see, oldest first: {attachment_id, message_id, '
    'bucket, path, name, content_type, size, created_at}. Without include_internal, files on '
    'internal notes are left out even for staff.';
revoke all on function private.ticket_attachments_json(uuid, boolean) from public;
grant execute on function private.ticket_attachments_json(uuid, boolean) to authenticated;

create function public.get_ticket(ticket_id text)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    -- Parsed first: a malformed id is a 400 whatever plan the read below gets (the filter on
    -- the caller's own tickets may find none before it would evaluate the id).
    target uuid := private.uuid_param(get_ticket.ticket_id, 'ticket_id');
    ticket public.support_tickets;
begin
    -- The columns it answers with, which are the columns a user may read (20260116000800).
    select t.id, t.ticket_type, t.subject, t.description, t.status, t.priority, t.admin_notes,
        t.resolution, t.created_at, t.updated_at, t.resolved_at, t.steps_to_reproduce,
        t.expected_behavior, t.actual_behavior, t.device_info, t.app_version, t.screenshot_urls,
        t.follow_up_of
    into ticket.id, ticket.ticket_type, ticket.subject, ticket.description, ticket.status,
        ticket.priority, ticket.admin_notes, ticket.resolution, ticket.created_at,
        ticket.updated_at, ticket.resolved_at, ticket.steps_to_reproduce,
        ticket.expected_behavior, ticket.actual_behavior, ticket.device_info, ticket.app_version,
        ticket.screenshot_urls, ticket.follow_up_of
    from public.support_tickets as t
    where t.id = target
        and t.user_id = (select auth.uid());

    if not found then
        perform private.raise_ticket_not_found();
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
        ), '[]'::json),
        'attachments', private.ticket_attachments_json(ticket.id, false),
        -- The user-visible custom fields only (20260201000200).
        'fields', private.ticket_fields_json(ticket.id, false)
    );
end;
$$;

comment on function public.get_ticket(text) is
    'One of the signed-in user''s tickets: the contract''s detail fields, the bug details, '
    'follow_up_of, the public thread (messages) and history (events), oldest first, and the '
    'files (attachments: paths in the support-attachments bucket, for createSignedUrl), and the '
    'user-visible custom fields ({key: value}). 400 when '
    'ticket_id is not a UUID; 404 (code P0002, "Ticket not found") when it does not exist or '
    'belongs to someone else.';

-- Signed-in users only: service_role acts for no user (auth.uid() is null); it works on the tables.
revoke all on function public.get_ticket(text) from public, anon, authenticated, service_role;
grant execute on function public.get_ticket(text) to authenticated;
