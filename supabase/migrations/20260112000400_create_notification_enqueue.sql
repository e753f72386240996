-- Enqueue a notification for every user-visible ticket event, in the event's transaction.
--
-- Why: a committed change always has its message and a rolled-back one never does, because
-- the message is a row written by the same transaction (pgmq.send). An event notifies when a
-- row of public.notification_kinds matches it, it is not internal, and its actor is not the
-- ticket's owner (nobody is told of their own action). Messages carry ids only; the worker
-- reads the content at delivery time. A message joins the visible time of a pending message for
-- the same ticket and user, so changes within notification_settings.batch_window are read
-- together and sent as one email.

-- Security definer: no API role may write to the queue; this runs for the event just inserted
-- (by the history triggers) and takes nothing from the request.
create function private.enqueue_notification(
    kind text,
    event_id bigint,
    ticket_id uuid,
    recipient_id uuid,
    occurred_at timestamptz
)
    returns bigint
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    visible timestamptz;
    queued bigint;
begin
    select min(q.vt) into visible
    from pgmq.q_notifications as q
    where q.message ->> 'ticket_id' = enqueue_notification.ticket_id::text
        and q.read_ct = 0
        and q.vt > pg_catalog.clock_timestamp()
        and q.message ->> 'recipient_id' = enqueue_notification.recipient_id::text;
    if visible is null then
        select pg_catalog.clock_timestamp() + s.batch_window into visible
        from public.notification_settings as s;
    end if;
    -- The row pgmq.send would write (the columns of pgmq 1.5.1), without its dynamic SQL and
    -- queue-name checks: they were most of what the trigger cost a status change.
    insert into pgmq.q_notifications (vt, message)
    values (
        coalesce(visible, pg_catalog.clock_timestamp()),
        pg_catalog.jsonb_build_object(
            'event_id', event_id, 'kind', kind, 'ticket_id', ticket_id,
            'recipient_id', recipient_id, 'occurred_at', occurred_at
        )
    )
    returning msg_id into queued;
    return queued;
end;
$$;

comment on function private.enqueue_notification(text, bigint, uuid, uuid, timestamptz) is
    'Queues one notification (ids only) for delivery by support-worker, batched with a pending '
    'one for the same ticket and user. Issue-level triggers (ticket events, feedback) call it.';
revoke all on function private.enqueue_notification(text, bigint, uuid, uuid, timestamptz) from public;

create function private.notify_ticket_event()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    matched text;
    owner uuid;
begin
    -- An internal event is told to nobody, but for a rule's notice to the webhooks (its
    -- notification is never emailed: private.notification_details).
    if (new.internal and new.kind <> 'rule_notice') or new.actor_kind = 'user' then
        return null;
    end if;
    select k.kind into matched
    from public.notification_kinds as k
    where k.event_kind = new.kind and (k.to_value is null or k.to_value = new.to_value)
    order by k.to_value is null
    limit 1;
    if matched is null then
        return null;
    end if;
    select t.user_id into owner from public.support_tickets as t where t.id = new.ticket_id;
    if owner is null or owner is not distinct from new.actor_id
        -- A rule's change that the owner's own change set off is their action too (docs/rules.md);
        -- a reply a rule writes to them is not.
        or (new.rule_name is not null and new.kind not in ('public_reply', 'rule_notice')
            and owner::text = pg_catalog.current_setting('support.rule_cause', true)) then
        return null;
    end if;
    perform private.enqueue_notification(matched, new.id, new.ticket_id, owner, new.created_at);
    return null;
end;
$$;

comment on function private.notify_ticket_event() is
    'After insert on public.ticket_events: queues a notification for the ticket''s owner when a '
    'public event matches public.notification_kinds and someone else acted.';
revoke all on function private.notify_ticket_event() from public;

create trigger ticket_events_notify
    after insert on public.ticket_events
    for each row
    execute function private.notify_ticket_event();
