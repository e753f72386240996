-- Votes on public posts: one per user per post, removable, counted exactly, rate-limited.
--
-- Why: the board's figure is how many people want a thing (issue 29). A vote is a row of
-- public.post_votes, keyed by (post_id, user_id): a user votes once, however many requests they
-- send at once (the key, and insert ... on conflict do nothing). vote_for_post and withdraw_vote
-- are the only way in for users (POST /rest/v1/rpc/vote_for_post {post_id}); a trigger keeps
-- feedback_posts.vote_count by one per row inserted or deleted, in the vote's transaction, so
-- the count is exact under any concurrency (the post's row lock orders the increments). Users
-- read their own votes only: nobody reads who voted for a post.
-- Votes are limited like the creates: the vote kind of public.rate_limits (per user, sliding
-- hour, the advisory lock of private.enforce_rate_limit). A withdrawn vote still counts against
-- the limit: each vote cast is a row of private.vote_ledger (user and time, nothing else), which
-- private.enforce_rate_limit reads through private.recent_vote_times; rows older than an hour
-- are removed as the user votes again. The rate-limit machinery knows users, not addresses
-- (only the fair share of 20260103000100 keys anonymous requests by address): a burst of new
-- accounts is bounded by how fast accounts can be made (Auth's own limits), not here.

-- squawk: First release: nothing is deployed yet; rate_limits holds a handful of rows of rules and
-- its CHECK is replaced by a wider one.
-- squawk-ignore-file ban-drop-constraint, constraint-missing-not-valid, require-concurrent-index-creation

insert into public.support_messages (topic, status, code, message, hint) values
    ('rate_limited.vote', 429, 'P0429', 'You have voted too often in the last hour.', 'The limit is {limit} per hour.');

alter table public.rate_limits drop constraint rate_limits_kind_valid;
alter table public.rate_limits add constraint rate_limits_kind_valid
    check (kind in ('bug_report', 'support_ticket', 'feedback', 'ticket_reply', 'vote'));
comment on constraint rate_limits_kind_valid on public.rate_limits is
    'kind must be one of bug_report, support_ticket, feedback, ticket_reply, vote';
comment on column public.rate_limits.kind is
    'bug_report (tickets of type bug), support_ticket (every other ticket type), feedback, '
    'ticket_reply (users'' replies on their tickets) or vote (votes cast on public posts).';

insert into public.rate_limits (kind, max_per_hour, description) values
    ('vote', 60, 'Votes a user casts on public posts per hour (a withdrawn vote still counts).');

create table public.post_votes (
    post_id uuid not null references public.feedback_posts (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (post_id, user_id)
);

comment on table public.post_votes is
    'One vote per user per post (vote_for_post, withdraw_vote). Users read their own votes only; '
    'feedback_posts.vote_count is kept from these rows by a trigger.';

create index post_votes_user_id_created_at_idx on public.post_votes (user_id, created_at desc);

create table private.vote_ledger (
    id bigint generated always as identity primary key,
    user_id uuid not null,
    cast_at timestamptz not null default now()
);

comment on table private.vote_ledger is
    'Each vote cast in the last hour (user, time): the vote rate limit counts it, so withdrawing '
    'and voting again is limited too. Rows older than an hour are removed as the user votes.';

create index vote_ledger_user_id_cast_at_idx on private.vote_ledger (user_id, cast_at desc);

alter table public.post_votes enable row level security;
alter table private.vote_ledger enable row level security;
revoke all on table public.post_votes, private.vote_ledger from anon, authenticated;
grant select on table public.post_votes to authenticated;
grant select, insert, delete on table public.post_votes to service_role;

create policy "users read their own votes"
    on public.post_votes for select to authenticated
    using (user_id = (select auth.uid()));

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.post_votes', false, '{}', 'user data: who votes for which public post'),
    ('private.vote_ledger', false, '{}', 'user data: when a user cast votes (the vote rate limit)');
-- Erasure (docs/privacy.md): the votes go without their triggers, so a post's vote_count keeps
-- them (a count without the person), and so do the ledger's times.
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id}', erasure_rows = 'user_id = $1'
where table_name in ('public.post_votes', 'private.vote_ledger');

-- Security definer: users hold no update on feedback_posts. It moves vote_count by exactly the
-- row inserted or deleted; the update takes the post's row lock, so concurrent votes add up.
create function private.count_post_vote()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    if tg_op = 'INSERT' then
        update public.feedback_posts as p set vote_count = p.vote_count + 1 where p.id = new.post_id;
    else
        update public.feedback_posts as p set vote_count = p.vote_count - 1 where p.id = old.post_id;
    end if;
    return null;
end;
$$;

comment on function private.count_post_vote() is
    'After insert or delete on post_votes: feedback_posts.vote_count plus or minus one. Security '
    'definer: users hold no update on posts; it changes only the count of the vote''s post.';
revoke all on function private.count_post_vote() from public;

create trigger post_votes_count
    after insert or delete on public.post_votes
    for each row execute function private.count_post_vote();

-- Security definer: users do not read the ledger. It returns the times of one user's newest
-- votes and nothing else; enforce_rate_limit calls it for the caller.
create function private.recent_vote_times(user_id uuid, since timestamptz, max_rows integer)
    returns setof timestamptz
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return query
        select l.cast_at
        from private.vote_ledger as l
        where l.user_id = recent_vote_times.user_id
            and l.cast_at > recent_vote_times.since
        order by l.cast_at desc
        limit recent_vote_times.max_rows;
end;
$$;

comment on function private.recent_vote_times(uuid, timestamptz, integer) is
    'The times of the newest max_rows votes a user cast after since (the vote rate limit). '
    'Security definer: users do not read the ledger; it returns times only.';
revoke all on function private.recent_vote_times(uuid, timestamptz, integer) from public;
grant execute on function private.recent_vote_times(uuid, timestamptz, integer) to authenticated, service_role;

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
        -- Users' replies (public.ticket_messages, 20260110000600), through the definer helper
        -- of 20260110000700 (users may not read author_id); plpgsql resolves it when this
        -- branch first runs.
        select count(*), min(recent.created_at) filter (where recent.created_at <> pg_catalog.now()),
            count(*) filter (where recent.created_at = pg_catalog.now())
        into recent_count, oldest_counted, own_count
        from private.recent_reply_times(enforce_rate_limit.user_id, window_start, limit_per_hour)
            as recent (created_at);
    elsif kind = 'vote' then
        -- Votes cast (public.post_votes, 20260207000100), through the definer helper below
        -- (users read only their own votes, and a withdrawn vote still counts: the ledger).
        select count(*), min(recent.created_at) filter (where recent.created_at <> pg_catalog.now()),
            count(*) filter (where recent.created_at = pg_catalog.now())
        into recent_count, oldest_counted, own_count
        from private.recent_vote_times(enforce_rate_limit.user_id, window_start, limit_per_hour)
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
    'created max_per_hour rows of this kind in the last hour (for vote: cast max_per_hour votes). '
    'No-op for other roles.';

-- Security definer: users hold no insert or delete on post_votes, nor any privilege on the
-- ledger. It acts for the caller only (auth.uid()), on one post that exists: one vote row at
-- most, one ledger row per vote cast.
create function private.cast_vote(post uuid, voting boolean)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
    inserted integer := 0;
begin
    if not exists (select 1 from public.feedback_posts as p where p.id = post) then
        perform private.refuse('post_not_found');
    end if;
    if voting then
        insert into public.post_votes (post_id, user_id) values (post, caller)
        on conflict do nothing;
        get diagnostics inserted = row_count;
        if inserted > 0 then
            delete from private.vote_ledger as l
            where l.user_id = caller and l.cast_at < pg_catalog.now() - interval '1 hour';
            insert into private.vote_ledger (user_id) values (caller);
        end if;
    else
        delete from public.post_votes as v where v.post_id = post and v.user_id = caller;
    end if;
    return pg_catalog.json_build_object(
        'post_id', post,
        'voted', voting,
        'vote_count', (select p.vote_count from public.feedback_posts as p where p.id = post));
end;
$$;

comment on function private.cast_vote(uuid, boolean) is
    'The caller votes for (voting) or withdraws their vote from a post. Security definer: users '
    'hold no write on post_votes or the ledger; it writes the caller''s own vote only.';
revoke all on function private.cast_vote(uuid, boolean) from public;
grant execute on function private.cast_vote(uuid, boolean) to authenticated;

create function public.vote_for_post(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    post uuid;
begin
    perform private.check_request_body(body, '{"post_id": "string"}');
    post := private.uuid_param(body ->> 'post_id', 'post_id');
    -- Voting again for a post changes nothing and is not counted against the limit.
    if exists (select 1 from public.post_votes as v where v.post_id = post and v.user_id = (select auth.uid())) then
        return private.cast_vote(post, true);
    end if;
    perform private.enforce_rate_limit((select auth.uid()), 'vote');
    return private.cast_vote(post, true);
end;
$$;

comment on function public.vote_for_post(jsonb) is
    'Signed-in users. Body: {post_id}: you vote for the post (once: voting again changes nothing). '
    'Returns {post_id, voted: true, vote_count}. 404 for a missing post; 429 beyond the vote rate '
    'limit (public.rate_limits, kind vote).';
revoke all on function public.vote_for_post(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.vote_for_post(jsonb) to authenticated;

create function public.withdraw_vote(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
begin
    perform private.check_request_body(body, '{"post_id": "string"}');
    return private.cast_vote(private.uuid_param(body ->> 'post_id', 'post_id'), false);
end;
$$;

comment on function public.withdraw_vote(jsonb) is
    'Signed-in users. Body: {post_id}: your vote for the post is removed (none: nothing changes). '
    'Returns {post_id, voted: false, vote_count}. 404 for a missing post.';
revoke all on function public.withdraw_vote(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.withdraw_vote(jsonb) to authenticated;
