-- The notification worker's own role, and the only functions that read what it delivers.
--
-- Why: support-worker needs the queue, the recipient's email address (auth.users.email, which
-- no API role reads) and the content of the ticket; it needs nothing else. It connects with the
-- database URL it is given and switches to `support_worker` (`set role`), so a bug in it can
-- reach only this: the queue tables, and four definer functions that read exactly one batch.
-- On hosted Supabase the postgres role it connects as is a member (granted below); a separate
-- login is `alter role support_worker login password '...'`.

do $$
begin
    if to_regrole('support_worker') is null then
        create role support_worker nologin noinherit;
    end if;
end
$$;
grant support_worker to postgres;
alter role support_worker set statement_timeout = '30s';

comment on role support_worker is
    'support-worker (notification delivery): the notifications queue and private.notification_* only.';

grant usage on schema pgmq, private to support_worker;
grant select, update, delete on table pgmq.q_notifications to support_worker;
grant select, insert on table pgmq.a_notifications to support_worker;
grant select on table pgmq.meta to support_worker;

-- Security definer: returns, for the given events only, what the email and the webhook say
-- (including the owner's email address and email preference); executable by the worker alone.
create function private.notification_details(event_ids bigint[])
    returns table (
        event_id bigint,
        kind text,
        label text,
        ticket_id uuid,
        subject text,
        recipient_id uuid,
        recipient_email text,
        email_wanted boolean,
        event_kind text,
        from_value text,
        to_value text,
        from_label text,
        to_label text,
        reply text,
        occurred_at timestamptz
    )
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return query
    select e.id, k.kind, k.label, t.id, t.subject, t.user_id, u.email::text,
        coalesce(p.email, true) and not e.internal, e.kind, e.from_value, e.to_value,
        private.event_value_label(e.kind, e.from_value), private.event_value_label(e.kind, e.to_value),
        case when e.kind = 'public_reply' then m.body end, e.created_at
    from public.ticket_events as e
    join public.support_tickets as t on t.id = e.ticket_id
    join auth.users as u on u.id = t.user_id
    join lateral (
        select nk.kind, nk.label
        from public.notification_kinds as nk
        where nk.event_kind = e.kind and (nk.to_value is null or nk.to_value = e.to_value)
        order by nk.to_value is null
        limit 1
    ) as k on true
    left join public.notification_preferences as p on p.user_id = t.user_id and p.kind = k.kind
    left join public.ticket_messages as m on m.id = e.message_id and not m.internal
    where e.id = any (event_ids) and (not e.internal or e.kind = 'rule_notice')
    order by e.id;
end;
$$;

comment on function private.notification_details(bigint[]) is
    'support-worker only: what to deliver for these events (recipient address, preference, '
    'ticket subject, reply text, the labels of a changed status, priority or type). Events of deleted tickets return nothing; '
    'a rule''s notice (internal) is for webhooks only, never emailed.';

create function private.notification_webhooks(kinds text[])
    returns table (id bigint, url text, kind text, secret text)
    language sql
    stable
    security definer
    set search_path = ''
as $$
    select w.id, w.url, w.kind, w.secret
    from public.webhook_endpoints as w
    where w.enabled and w.kind = any (kinds)
    order by w.id;
$$;

comment on function private.notification_webhooks(text[]) is
    'support-worker only: the enabled webhook endpoints of these kinds, with their secrets.';

create function private.notification_policy()
    returns public.notification_settings
    language sql
    stable
    security definer
    set search_path = ''
as $$
    select s.* from public.notification_settings as s;
$$;

comment on function private.notification_policy() is
    'support-worker only: the notification settings row (retries, batching).';

create function private.bury_notification(msg_id bigint, attempts integer, reason text)
    returns void
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
begin
    insert into public.dead_notifications (msg_id, message, attempts, reason)
    select q.msg_id, q.message, bury_notification.attempts, pg_catalog.left(reason, 500)
    from pgmq.q_notifications as q
    where q.msg_id = bury_notification.msg_id;
    perform pgmq.archive('notifications', bury_notification.msg_id);
end;
$$;

comment on function private.bury_notification(bigint, integer, text) is
    'support-worker only: moves a notification that failed its last attempt to '
    'public.dead_notifications (with the reason) and archives it from the queue.';

revoke all on function private.notification_details(bigint[]), private.notification_webhooks(text[]),
    private.notification_policy(), private.bury_notification(bigint, integer, text) from public;
grant execute on function private.notification_details(bigint[]), private.notification_webhooks(text[]),
    private.notification_policy(), private.bury_notification(bigint, integer, text) to support_worker;
grant execute on function pgmq.read(text, integer, integer, jsonb), pgmq.archive(text, bigint[]),
    pgmq.set_vt(text, bigint, integer) to support_worker;
