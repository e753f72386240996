-- Per-user rate limits on bug reports, support tickets and feedback.
--
-- Why: the contract limits each user to 5 bug reports, 5 other tickets and 10 feedback entries
-- per sliding hour. The limits live in a table support can change in Studio without a
-- migration; a BEFORE INSERT trigger on both tables enforces them for signed-in users on every
-- path (RPCs and direct inserts). service_role and admins (postgres) are not limited.
--
-- How it holds under concurrency: the trigger takes a transaction-level advisory lock on the
-- user (one lock for every kind: a request inserting several kinds, in any order, never waits
-- for a lock while holding another, so two requests of one user cannot deadlock), so
-- simultaneous requests of one user queue up; each counts only after it holds
-- the lock, in a new statement, so under READ COMMITTED it sees the rows that the requests
-- before it committed. Of 8 simultaneous bug reports exactly 5 succeed.
-- How it stays cheap: the count reads, through an index, at most max_per_hour of the user's
-- newest rows of that kind, whatever their history.
-- A refusal is HTTP 429 through PostgREST (private.refuse, topic rate_limited.<kind>) with a Retry-After
-- header; the insert and the whole request are rolled back, so nothing is stored. A bulk
-- insert that alone creates more than the limit gets 429 without Retry-After: no wait helps.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs. The indexes
-- serve the rate limits, so they live here, beside them.
-- squawk-ignore-file require-concurrent-index-creation

create table public.rate_limits (
    kind text primary key,
    -- A count per hour that admins set: nowhere near the int limit squawk warns of.
    -- squawk-ignore prefer-bigint-over-int
    max_per_hour integer not null,
    description text,
    constraint rate_limits_kind_valid check (kind in ('bug_report', 'support_ticket', 'feedback')),
    constraint rate_limits_max_per_hour_positive check (max_per_hour > 0)
);

comment on table public.rate_limits is
    'How many of each kind a signed-in user may create per sliding hour. Change max_per_hour '
    'here; it takes effect at once. A kind without a row is not limited. service_role and '
    'admins are never limited.';
comment on column public.rate_limits.kind is
    'bug_report (tickets of type bug), support_ticket (every other ticket type) or feedback.';
comment on column public.rate_limits.max_per_hour is 'At most this many per user in any 60 minutes.';
comment on constraint rate_limits_kind_valid on public.rate_limits is
    'kind must be one of bug_report, support_ticket, feedback';
comment on constraint rate_limits_max_per_hour_positive on public.rate_limits is
    'max_per_hour must be greater than 0';

insert into public.rate_limits (kind, max_per_hour, description) values
    ('bug_report', 5, 'Bug reports (support tickets of type bug) per user per hour.'),
    ('support_ticket', 5, 'Support tickets of every other type per user per hour.'),
    ('feedback', 10, 'Feedback entries per user per hour.');

alter table public.rate_limits enable row level security;
revoke all on table public.rate_limits from anon, authenticated;
grant select on table public.rate_limits to authenticated;
grant select, insert, update, delete on table public.rate_limits to service_role;

create policy "signed-in users read rate limits"
    on public.rate_limits
    for select
    to authenticated
    using (true);

create function private.enforce_rate_limit(user_id uuid, kind text)
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
        -- Users' replies (public.ticket_messages, 20260110000600), through the definer helper
        -- of 20260110000700 (users may not read author_id); plpgsql resolves it when this
        -- branch first runs.
        select count(*), min(recent.created_at) filter (where recent.created_at <> pg_catalog.now()),
            count(*) filter (where recent.created_at = pg_catalog.now())
        into recent_count, oldest_counted, own_count
        from private.recent_reply_times(enforce_rate_limit.user_id, window_start, limit_per_hour)
            as recent (created_at);
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
        perform private.refuse(
            'rate_limited.' || kind,
            pg_catalog.jsonb_build_object('limit', limit_per_hour),
            pg_catalog.format(
                'This request alone creates more than %s: send at most %s at a time.',
                limit_per_hour, limit_per_hour)
        );
    end if;

    -- The request may go through once the oldest of the counted rows stored before it leaves
    -- the window (at the earliest: a bulk insert's later rows are not known yet).
    retry_after := greatest(1, ceil(extract(epoch from
        oldest_counted + interval '1 hour' - pg_catalog.clock_timestamp()))::integer);

    perform private.refuse(
        'rate_limited.' || kind,
        pg_catalog.jsonb_build_object('limit', limit_per_hour),
        pg_catalog.format('Try again in %s seconds.', retry_after),
        pg_catalog.jsonb_build_object('Retry-After', retry_after::text)
    );
end;
$$;

comment on function private.enforce_rate_limit(uuid, text) is
    'Raises HTTP 429 (PGRST, code P0429, Retry-After header) when the signed-in user already '
    'created max_per_hour rows of this kind in the last hour. No-op for other roles.';
revoke all on function private.enforce_rate_limit(uuid, text) from public;
grant execute on function private.enforce_rate_limit(uuid, text) to authenticated, service_role;

create function private.enforce_ticket_rate_limit()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    perform private.enforce_rate_limit(
        new.user_id,
        case when new.ticket_type = 'bug' then 'bug_report' else 'support_ticket' end
    );
    return new;
end;
$$;

create function private.enforce_feedback_rate_limit()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    perform private.enforce_rate_limit(new.user_id, 'feedback');
    return new;
end;
$$;

comment on function private.enforce_ticket_rate_limit() is
    'Before insert on public.support_tickets: rate limit bug_report (type bug) or support_ticket.';
comment on function private.enforce_feedback_rate_limit() is
    'Before insert on public.user_feedback: rate limit feedback.';
revoke all on function private.enforce_ticket_rate_limit(), private.enforce_feedback_rate_limit()
    from public;

-- Named to fire after support_tickets_derive_bug_subject (triggers fire in name order).
create trigger support_tickets_enforce_rate_limit
    before insert on public.support_tickets
    for each row
    execute function private.enforce_ticket_rate_limit();

create trigger user_feedback_enforce_rate_limit
    before insert on public.user_feedback
    for each row
    execute function private.enforce_feedback_rate_limit();

-- enforce_rate_limit() reads at most max_per_hour rows of one kind (bug report or other
-- ticket), newest first; one partial index per kind keeps it bounded whatever the history.
-- (Feedback is counted through user_feedback_user_id_created_at_idx, which the list shares.)
create index support_tickets_user_id_created_at_bug_idx
    on public.support_tickets (user_id, created_at desc)
    where ticket_type = 'bug';
create index support_tickets_user_id_created_at_not_bug_idx
    on public.support_tickets (user_id, created_at desc)
    where ticket_type <> 'bug';
