-- Reply collisions: a public reply written while a newer public message arrived is refused.
--
-- Why: two agents answer the same person at the same minute, or an agent answers a question the
-- user has already changed. support_reply takes, optionally, what the agent saw of the thread:
-- seen_message_id (the newest public message on their screen) or seen_at (the time they read
-- the thread, for a thread without messages). When a public message of someone else came after
-- it, the reply is refused with 409 reply_collision, whose details name the newer message (its
-- id, author kind and time; never its text), and nothing is stored. Without either field the
-- reply is sent as before, so existing clients keep working. Internal notes never collide.
-- The check locks the ticket's row, so two replies checked at the same moment are checked one
-- after the other: the second sees the first.

insert into public.support_messages (topic, status, code, message, hint) values
    ('reply_collision', 409, 'reply_collision', 'A newer public message arrived on this ticket since you read it',
        'Read the thread again (support_ticket); details names the newer message. Send your reply with its id as seen_message_id.'),
    ('seen_message_unknown', 400, 'seen_message_unknown', 'seen_message_id is not a public message of this ticket',
        'Send the message_id of the newest public message support_ticket showed you.');

-- Security definer: staff hold no read policy on messages (20260110000800). It checks that the
-- caller is staff, reads the messages of one ticket and returns nothing of their text.
create function private.check_reply_collision(target uuid, seen_message uuid, seen_at timestamptz)
    returns void
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    seen public.ticket_messages;
    newer public.ticket_messages;
begin
    perform private.require_staff();
    perform 1 from public.support_tickets as t where t.id = target for update;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    if seen_message is not null then
        select m.* into seen from public.ticket_messages as m
        where m.id = seen_message and m.ticket_id = target and not m.internal;
        if not found then
            perform private.refuse('seen_message_unknown');
        end if;
    end if;
    select m.* into newer
    from public.ticket_messages as m
    where m.ticket_id = target
      and not m.internal
      and m.author_id is distinct from (select auth.uid())
      and case
          when seen_message is not null then (m.created_at, m.id) > (seen.created_at, seen.id)
          else m.created_at > seen_at
      end
    order by m.created_at desc, m.id desc
    limit 1;
    if found then
        perform private.refuse('reply_collision', null, pg_catalog.json_build_object(
            'message_id', newer.id,
            'author_kind', newer.author_kind,
            'created_at', private.utc_text_precise(newer.created_at))::text);
    end if;
end;
$$;

comment on function private.check_reply_collision(uuid, uuid, timestamptz) is
    'Staff only: refuses (409 reply_collision, details {message_id, author_kind, created_at}) when '
    'a public message of someone other than the caller came after the one seen (or after '
    'seen_at); locks the ticket row for the rest of the transaction. Security definer: staff '
    'read messages only through definer functions; it returns no message text.';
revoke all on function private.check_reply_collision(uuid, uuid, timestamptz) from public;
grant execute on function private.check_reply_collision(uuid, uuid, timestamptz) to authenticated;

create or replace function public.support_reply(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    target uuid;
    internal boolean;
    seen_message uuid;
    seen_at timestamptz;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"ticket_id": "string", "body": "string", "internal": "boolean",
        "seen_message_id": "string", "seen_at": "string"}');
    target := private.uuid_param(body ->> 'ticket_id', 'ticket_id');
    internal := coalesce((body ->> 'internal')::boolean, false);
    seen_message := private.uuid_param(body ->> 'seen_message_id', 'seen_message_id', false);
    seen_at := private.time_param(body ->> 'seen_at', 'seen_at');
    if not internal and (seen_message is not null or seen_at is not null) then
        perform private.check_reply_collision(target, seen_message, seen_at);
    end if;
    return private.reply_as_staff(target, body ->> 'body', internal);
end;
$$;

comment on function public.support_reply(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, body, internal?, seen_message_id?, seen_at?}. '
    'With seen_message_id (the newest public message the agent saw) or seen_at (when they read the '
    'thread), a public reply is refused with 409 reply_collision when a public message of someone '
    'else arrived since; its details name that message {message_id, author_kind, created_at}. '
    'Returns {message_id, internal, status, created_at}. 400 on a broken rule, 404 for a missing ticket.';
