-- Fair share: no one caller holds more than a few of PostgREST's database connections at once.
--
-- Why: PostgREST serves every request on one of a small pool of connections (10 by default). A
-- signed-in user with a few expensive filters in flight (regular expressions on text columns,
-- each costing up to the statement timeout) could hold the whole pool, so everyone else's
-- requests waited and then failed. PostgREST runs a "pre-request" function in each request's
-- transaction before the request itself, on a hosted Supabase project as well as here, so the
-- limit lives there: each caller (the JWT's sub; the client address for anonymous requests)
-- takes one of a few per-caller slots, a transaction-level advisory lock that PostgreSQL
-- releases when the request ends, however it ends. A request that finds every slot of its
-- caller taken is answered at once, 429 with Retry-After, and holds its connection for about a
-- millisecond. service_role (the companion's admin paths, trusted servers) is not limited.
--
-- Reads (GET, HEAD) carry the filters that can be expensive and get few slots; writes are
-- bounded in cost (a create is a few milliseconds, queued behind the user's rate-limit lock)
-- and get more, so a burst of creates meets the per-kind rate limits, not this.
--
-- The pre-request function is named in PostgREST's configuration: here by the role setting
-- below (PostgREST reads in-database configuration at start and on `notify pgrst, 'reload
-- config'`), which a hosted project gets with `supabase db push` too; the local stack's
-- PostgREST config file names it as well. It is generic: it reads only the method and the
-- caller, so RPCs and tables added later are covered without a change here.

-- squawk: The slot counts are small numbers of requests at once.
-- squawk-ignore-file prefer-bigint-over-int

create schema if not exists api_guard;
comment on schema api_guard is
    'The checks PostgREST runs before every request (its db-pre-request function). Not exposed '
    'by PostgREST; it holds api_guard.check_request() only.';
-- PostgREST runs the function as whatever role the request's JWT names (a forged token may name
-- authenticator itself): every role must be able to run it, or such a request would fail here
-- instead of meeting the privileges of the role it named. The function reads and writes
-- nothing a caller could not learn otherwise.
revoke all on schema api_guard from public;
grant usage on schema api_guard to public;

create table public.request_limits (
    role text primary key,
    max_concurrent_reads integer not null,
    max_concurrent_writes integer not null,
    description text,
    constraint request_limits_role_valid check (role in ('anon', 'authenticated')),
    constraint request_limits_max_concurrent_reads_positive check (max_concurrent_reads > 0),
    constraint request_limits_max_concurrent_writes_positive check (max_concurrent_writes > 0)
);

comment on table public.request_limits is
    'How many requests of one caller PostgREST runs at once: a signed-in user (per JWT sub) or '
    'an anonymous client (per address). Reads are GET and HEAD; writes are every other method. '
    'Beyond it a request is answered 429 at once. Takes effect at once; a role without a row '
    'is not limited; service_role is never limited. Keep the sum of a few users'' slots well '
    'under PostgREST''s pool size (db-pool).';
comment on column public.request_limits.role is 'anon (keyed on the client address) or authenticated (keyed on the JWT sub).';
comment on column public.request_limits.max_concurrent_reads is 'At most this many GET/HEAD requests of one caller at once.';
comment on column public.request_limits.max_concurrent_writes is 'At most this many POST/PATCH/PUT/DELETE requests of one caller at once.';
comment on constraint request_limits_role_valid on public.request_limits is
    'role must be anon or authenticated';
comment on constraint request_limits_max_concurrent_reads_positive on public.request_limits is
    'max_concurrent_reads must be greater than 0';
comment on constraint request_limits_max_concurrent_writes_positive on public.request_limits is
    'max_concurrent_writes must be greater than 0';

insert into public.request_limits (role, max_concurrent_reads, max_concurrent_writes, description) values
    ('authenticated', 2, 8,
     'Per user: 2 reads (an app rarely needs more at once), 8 writes (a burst of creates '
     'queues on the rate limit, each a few milliseconds).'),
    ('anon', 2, 2, 'Per client address: anonymous callers may read or write nothing.');

alter table public.request_limits enable row level security;
revoke all on table public.request_limits from anon, authenticated;
grant select, insert, update, delete on table public.request_limits to service_role;

create policy "service role manages request limits"
    on public.request_limits
    for all
    to service_role
    using (true)
    with check (true);

-- Security definer: the function must read public.request_limits as anon too, and anon gets
-- no grant on any table. It lives in api_guard, which PostgREST does not expose, reads only
-- PostgREST's request settings, and writes nothing.
create function api_guard.check_request()
    returns void
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    caller_role text := pg_catalog.current_setting('role', true);
    claims json := nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::json;
    headers json := nullif(pg_catalog.current_setting('request.headers', true), '')::json;
    is_read boolean := pg_catalog.current_setting('request.method', true) in ('GET', 'HEAD');
    caller text;
    slots integer;
begin
    -- auth.uid() casts the sub claim to uuid: a token whose sub is not one would fail later
    -- with a cast error quoting it. Refuse it here, quoting nothing.
    if claims ->> 'sub' is not null and claims ->> 'sub'
        !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        raise sqlstate 'PGRST' using
            message = '{"code": "P0401", "message": "The JWT''s sub claim is not a user id", '
                '"details": null, "hint": "Sign in again to get a token for your account."}',
            detail = '{"status": 401, "headers": {"WWW-Authenticate": "Bearer error=\"invalid_token\""}}';
    end if;

    select case when is_read then l.max_concurrent_reads else l.max_concurrent_writes end
    into slots
    from public.request_limits as l
    where l.role = caller_role;
    if slots is null then
        return;
    end if;

    -- A signed-in user is their verified sub; anyone else their address as the gateway in front
    -- of PostgREST wrote it (Supabase's puts the client first in X-Forwarded-For; the local
    -- gateway overwrites the header with the peer address).
    caller := case
        when caller_role = 'authenticated' and claims ->> 'sub' is not null
            then 'sub:' || (claims ->> 'sub')
        else 'addr:' || coalesce(
            pg_catalog.btrim(pg_catalog.split_part(headers ->> 'x-forwarded-for', ',', 1)), '')
    end;

    for slot in 1..slots loop
        if pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtextextended(
            'support_api.fair_share:' || case when is_read then 'read:' else 'write:' end
                || caller,
            slot
        )) then
            return;
        end if;
    end loop;

    raise sqlstate 'PGRST' using
        message = pg_catalog.json_build_object(
            'code', 'P0429',
            'message', 'Too many requests at once',
            'details', pg_catalog.format(
                'At most %s %s of one caller run at a time.',
                slots, case when is_read then 'reads' else 'writes' end),
            'hint', 'Wait for an answer before sending more; retry in a second.'
        )::text,
        detail = pg_catalog.json_build_object(
            'status', 429,
            'headers', pg_catalog.json_build_object('Retry-After', '1')
        )::text;
end;
$$;

comment on function api_guard.check_request() is
    'PostgREST''s db-pre-request function: takes one of the caller''s concurrency slots '
    '(public.request_limits) for the rest of the request, or answers 429 (code P0429, '
    'Retry-After: 1). Set on a project with: alter role authenticator set '
    'pgrst.db_pre_request = ''api_guard.check_request''; notify pgrst, ''reload config'';';
grant execute on function api_guard.check_request() to public;

-- PostgREST reads its configuration from the authenticator role's settings too (db-config,
-- on by default), locally and on a hosted project.
alter role authenticator set pgrst.db_pre_request = 'api_guard.check_request';
notify pgrst, 'reload config';
