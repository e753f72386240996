-- Voters told: when a public post moves to planned, in progress or shipped, every voter and every
-- author of an entry it gathers gets one notification through the notifications queue.
--
-- Why: the most repeated ask of feedback boards' users is to hear when what they voted for moves,
-- without being spammed (issue 29). A notification kind of its own, post_status (a row of
-- public.notification_kinds with no event_kind: no ticket event matches it), so that a user turns
-- it off like any other kind (set_email_notifications, the email's unsubscribe link) and admins
-- register webhooks for it. Whoever moves a post (support_update_post, or any update of
-- feedback_posts.status) sets off the trigger below, which in ONE statement picks the people,
-- records a notice for each and writes their queue messages: a post with 10,000 voters is one
-- insert ... select into the queue, not 10,000 calls (bench/post_fanout_bench.py).
-- Who is not told: the actor who moved it; a person who turned post_status off (every channel:
-- the fan-out skips them); a person who unfollowed the post (public.post_unfollows); a person
-- told of this post within notification_settings.post_status_window (1 day): one notice per
-- person per post per window at most, whatever the number of moves (the later moves of that day
-- are not told: the rows of private.post_status_notices are the notices sent). Moves to other
-- statuses (under review, declined) tell nobody. Messages carry ids only; the worker reads the
-- post's title, the address and the preference at delivery time
-- (private.post_notice_details, 20260207000700).

-- squawk: First release: nothing is deployed yet; notification_settings is one row, the table this
-- file creates is empty.
-- squawk-ignore-file require-concurrent-index-creation, adding-field-with-default, constraint-missing-not-valid

insert into public.notification_kinds (kind, event_kind, to_value, label) values
    ('post_status', null, null, 'A post you voted for moved.');

alter table public.notification_settings
    add column post_status_window interval not null default interval '1 day',
    add constraint notification_settings_post_status_window_range check (
        post_status_window between interval '0' and interval '7 days');

comment on column public.notification_settings.post_status_window is
    'A person told of a public post''s move hears nothing more of that post for this long '
    '(0: every move is told).';
comment on constraint notification_settings_post_status_window_range on public.notification_settings is
    'post_status_window must be between 0 and 7 days';

grant update (post_status_window) on table public.notification_settings to authenticated;

create table private.post_status_notices (
    id bigint generated always as identity primary key,
    post_id uuid not null references public.feedback_posts (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    from_status text not null,
    to_status text not null,
    notified_at timestamptz not null default now()
);

comment on table private.post_status_notices is
    'One row per person told of a public post''s move (the queue message names it). A person '
    'with a row for a post newer than notification_settings.post_status_window is not told '
    'again; rows older than the window and archive_retention are removed when the post next moves.';
comment on column private.post_status_notices.from_status is 'The post''s status before the move told.';
comment on column private.post_status_notices.to_status is 'The status the post moved to.';

create index post_status_notices_post_id_user_id_idx
    on private.post_status_notices (post_id, user_id, notified_at desc);
create index post_status_notices_user_id_idx on private.post_status_notices (user_id);

alter table private.post_status_notices enable row level security;
revoke all on table private.post_status_notices from anon, authenticated, service_role;

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('private.post_status_notices', false, '{}', 'user data: who was told of which post''s move, when');
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id}', erasure_rows = 'user_id = $1'
where table_name = 'private.post_status_notices';

-- Security definer: it reads the voters (users read only their own votes), the authors of the
-- gathered entries and the others' preferences, and writes the queue, which no API role may.
-- It runs for the row just updated and takes nothing from the request but the actor's id.
create function private.notify_post_status()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    actor uuid := (select auth.uid());
    quiet interval;
    kept interval;
begin
    -- Kinds are data: an admin who deletes the post_status row stops these notifications.
    if not exists (select 1 from public.notification_kinds as k where k.kind = 'post_status') then
        return null;
    end if;
    select s.post_status_window, greatest(s.post_status_window, s.archive_retention)
    into quiet, kept
    from public.notification_settings as s;
    -- Notices older than the window decide nothing; they are kept as long as delivered
    -- messages are (a message still queued, retried or dead names its notice).
    delete from private.post_status_notices as n
    where n.post_id = new.id and n.notified_at < pg_catalog.now() - kept;
    -- One statement for everyone: the notices and their queue messages (the row pgmq.send
    -- would write, as private.enqueue_notification writes it), whatever the number of voters.
    with people as (
        select v.user_id from public.post_votes as v where v.post_id = new.id
        union
        select f.user_id
        from public.feedback_post_entries as e
        join public.user_feedback as f on f.id = e.feedback_id
        where e.post_id = new.id and f.user_id is not null
    ),
    told as (
        insert into private.post_status_notices (post_id, user_id, from_status, to_status)
        select new.id, p.user_id, old.status, new.status
        from people as p
        where p.user_id is distinct from actor
            and not exists (
                select 1 from public.post_unfollows as u
                where u.post_id = new.id and u.user_id = p.user_id)
            and not exists (
                select 1 from public.notification_preferences as np
                where np.user_id = p.user_id and np.kind = 'post_status' and not np.email)
            and not exists (
                select 1 from private.post_status_notices as n
                where n.post_id = new.id and n.user_id = p.user_id
                    and n.notified_at > pg_catalog.now() - quiet)
        returning id, user_id, notified_at
    )
    insert into pgmq.q_notifications (vt, message)
    select pg_catalog.clock_timestamp(), pg_catalog.jsonb_build_object(
        'notice_id', t.id, 'kind', 'post_status', 'post_id', new.id,
        'recipient_id', t.user_id, 'occurred_at', t.notified_at)
    from told as t;
    return null;
end;
$$;

comment on function private.notify_post_status() is
    'After a public post moves to planned, in_progress or shipped: one notice and one queue '
    'message per voter and author of a gathered entry, in one statement; not the actor, not who '
    'turned post_status off or unfollowed the post, not who was told of it within '
    'notification_settings.post_status_window. Security definer: it reads others'' votes and '
    'preferences and writes the queue.';
revoke all on function private.notify_post_status() from public;

create trigger feedback_posts_notify_status
    after update of status on public.feedback_posts
    for each row
    when (new.status is distinct from old.status and new.status in ('planned', 'in_progress', 'shipped'))
    execute function private.notify_post_status();
