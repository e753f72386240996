-- Rate limit on users' replies: the ticket_reply kind of public.rate_limits, 30 an hour.
--
-- Why: a reply is as cheap to send as a ticket, so it is limited like the creates, by the same
-- mechanism: a row of rate_limits (support changes it without a migration) and
-- private.enforce_rate_limit, called by the before-insert trigger of public.ticket_messages
-- for replies written by users (staff are not limited). The function is the one of
-- 20260101000400 with one more kind, counted through ticket_messages_author_id_created_at_idx.

-- squawk: rate_limits holds a handful of rows of rules; its CHECK is replaced by a wider one.
-- squawk-ignore-file ban-drop-constraint, constraint-missing-not-valid

alter table public.rate_limits drop constraint rate_limits_kind_valid;
alter table public.rate_limits add constraint rate_limits_kind_valid
    check (kind in ('bug_report', 'support_ticket', 'feedback', 'ticket_reply'));
comment on constraint rate_limits_kind_valid on public.rate_limits is
    'kind must be one of bug_report, support_ticket, feedback, ticket_reply';
comment on column public.rate_limits.kind is
    'bug_report (tickets of type bug), support_ticket (every other ticket type), feedback or '
    'ticket_reply (users'' replies on their tickets).';

insert into public.rate_limits (kind, max_per_hour, description) values
    ('ticket_reply', 30, 'Replies of a user on their tickets per hour.');
insert into public.support_messages (topic, message) values
    ('rate_limited.ticket_reply', 'You have sent too many replies in the last hour.');

create or replace function private.enforce_rate_limit(user_id uuid, kind text)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    limit_per_hour integer;
    window_start timestamptz;
    recent_count integer;
    oldest_counted timestamptz;
    own_count integer;
    retry_after integer;
begin
    -- Only signed-in users are limited; service_role (the companion's admin paths) and
    -- postgres (admins, migrations, seed) are not.
    if current_user <> 'authenticated' then
        return;
    end if;

    -- Serialize this user's creating requests until the transaction ends. One lock per user,
    -- not per (user, kind): two requests mixing kinds in different orders would otherwise each
    -- hold one kind's lock and wait for the other's.
    perform pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended('support_api.rate_limit:' || user_id::text, 0)
    );

    select r.max_per_hour into limit_per_hour
    from public.rate_limits as r
    where r.kind = enforce_rate_limit.kind;
    if limit_per_hour is null then
        return;
    end if;

    -- clock_timestamp(), not now(): now() is when this transaction started, possibly before it
    -- waited for the lock. Each statement below takes a fresh snapshot, so the rows of the
    -- requests that held the lock before us are visible.
    window_start := pg_catalog.clock_timestamp() - interval '1 hour';

    if kind = 'bug_report' then
        select count(*), min(recent.created_at) filter (where recent.created_at <> pg_catalog.now()),
            count(*) filter (where recent.created_at = pg_catalog.now())
        into recent_count, oldest_counted, own_count
        from (
            select t.created_at
            from public.support_tickets as t
            where t.user_id = enforce_rate_limit.user_id
                and t.ticket_type = 'bug'
                and t.created_at > window_start
            order by t.created_at desc
            limit limit_per_hour
        ) as recent;
    elsif kind = 'support_ticket' then
        select count(*), min(recent.created_at) filter (where recent.created_at <> pg_catalog.now()),
            count(*) filter (where recent.created_at = pg_catalog.now())
        into recent_count, oldest_counted, own_count
        from (
            select t.created_at
            from public.support_tickets as t
            where t.user_id = enforce_rate_limit.user_id
                and t.ticket_type <> 'bug'
                and t.created_at > window_start
            order by t.created_at desc
            limit limit_per_hour
        ) as recent;
    elsif kind = 'ticket_reply' then
        select count(*), min(recent.created_at) filter (where recent.created_at <> pg_catalog.now()),
            count(*) filter (where recent.created_at = pg_catalog.now())
        into recent_count, oldest_counted, own_count
        from (
            select m.created_at
            from public.ticket_messages as m
            where m.author_id = enforce_rate_limit.user_id
                and m.author_kind = 'user'
                and m.created_at > window_start
            order by m.created_at desc
            limit limit_per_hour
        ) as recent;
    else
        select count(*), min(recent.created_at) filter (where recent.created_at <> pg_catalog.now()),
            count(*) filter (where recent.created_at = pg_catalog.now())
        into recent_count, oldest_counted, own_count
        from (
            select f.created_at
            from public.user_feedback as f
            where f.user_id = enforce_rate_limit.user_id
                and f.created_at > window_start
            order by f.created_at desc
            limit limit_per_hour
        ) as recent;
    end if;

    if recent_count < limit_per_hour then
        return;
    end if;

    -- Rows this request inserted before this one (a bulk insert) are counted too, and were
    -- created at now(), the transaction's start; they are not stored if it fails, so they
    -- cannot date a retry. When they alone reach the limit, no wait helps.
    if own_count >= limit_per_hour then
        raise sqlstate 'PGRST' using
            message = pg_catalog.json_build_object(
                'code', 'P0429',
                'message', private.support_message('rate_limited.' || kind),
                'details', pg_catalog.format(
                    'This request alone creates more than %s: send at most %s at a time.',
                    limit_per_hour, limit_per_hour),
                'hint', pg_catalog.format('The limit is %s per hour.', limit_per_hour)
            )::text,
            detail = '{"status": 429, "headers": {}}';
    end if;

    -- The request may go through once the oldest of the counted rows stored before it leaves
    -- the window (at the earliest: a bulk insert's later rows are not known yet).
    retry_after := greatest(1, ceil(extract(epoch from
        oldest_counted + interval '1 hour' - pg_catalog.clock_timestamp()))::integer);

    raise sqlstate 'PGRST' using
        message = pg_catalog.json_build_object(
            'code', 'P0429',
            'message', private.support_message('rate_limited.' || kind),
            'details', pg_catalog.format('Try again in %s seconds.', retry_after),
            'hint', pg_catalog.format('The limit is %s per hour.', limit_per_hour)
        )::text,
        detail = pg_catalog.json_build_object(
            'status', 429,
            'headers', pg_catalog.json_build_object('Retry-After', retry_after::text)
        )::text;
end;
$$;
