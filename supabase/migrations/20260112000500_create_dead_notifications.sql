-- Dead notifications: what could not be delivered after notification_settings.max_attempts.
--
-- Why: a notification is never dropped silently. When the last attempt fails, support-worker
-- moves it here with the reason (no content: the reason names the channel and the error) and
-- archives it from the queue. Admins read this table (Studio, PostgREST) and put a row back in
-- the queue with public.retry_dead_notification once the cause is fixed. Its id is text: a
-- bigint argument would be cast by PostgREST before the call, quoting a wrong value back.

-- squawk: attempts counts delivery attempts, a small number.
-- squawk-ignore-file prefer-bigint-over-int

create table public.dead_notifications (
    id bigint generated always as identity primary key,
    msg_id bigint not null,
    message jsonb not null,
    attempts integer not null,
    reason text not null,
    died_at timestamptz not null default now()
);

comment on table public.dead_notifications is
    'Notifications that failed max_attempts times: the queued message (ids only), the attempts '
    'and the last reason. Retry with public.retry_dead_notification(id).';
comment on column public.dead_notifications.reason is 'The channel and error of the last attempt.';

create index dead_notifications_died_at_idx on public.dead_notifications (died_at);

alter table public.dead_notifications enable row level security;
revoke all on table public.dead_notifications from anon, authenticated, service_role;
grant select on table public.dead_notifications to authenticated, service_role;

create policy "admins read dead notifications"
    on public.dead_notifications for select to authenticated
    using ((select private.is_admin()));

-- Security definer: admins hold no write on this table nor on the queue; this moves exactly
-- one row back, after checking that the caller is an admin.
create function private.requeue_dead_notification(dead_id bigint)
    returns bigint
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    dead public.dead_notifications;
begin
    if not private.is_admin() then
        perform private.refuse('admins_only');
    end if;
    delete from public.dead_notifications as d where d.id = dead_id returning d.* into dead;
    if dead.id is null then
        perform private.refuse('dead_notification_not_found');
    end if;
    return pgmq.send('notifications', dead.message);
end;
$$;

comment on function private.requeue_dead_notification(bigint) is
    'Admins only: puts a dead notification back in the queue, visible now; returns the new message id.';
revoke all on function private.requeue_dead_notification(bigint) from public;
grant execute on function private.requeue_dead_notification(bigint) to authenticated;

create function public.retry_dead_notification(id text)
    returns bigint
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    -- An id that is no whole number names no dead notification: requeue gets null, checks the
    -- caller is an admin first, then answers 404 as for any unknown id.
    return private.requeue_dead_notification(
        case when retry_dead_notification.id ~ '^[0-9]{1,18}$'
            then retry_dead_notification.id::bigint
        end
    );
end;
$$;

comment on function public.retry_dead_notification(text) is
    'Admins only: queues a dead notification again (the same event, so the same email Message-ID '
    'and webhook-id); returns the new queue message id. 404 for an unknown id or one that is no '
    'whole number (quoting nothing).';
revoke all on function public.retry_dead_notification(text) from public, anon, service_role;
grant execute on function public.retry_dead_notification(text) to authenticated;
