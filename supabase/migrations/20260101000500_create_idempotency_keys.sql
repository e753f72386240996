-- Idempotent creation: the Idempotency-Key request header.
--
-- Why: mobile clients retry on flaky networks. A client may send `Idempotency-Key: <uuid>`
-- with report_bug, submit_feedback or create_support_ticket; a retry with the same key by the
-- same user within 24 hours gets the first response again and creates (and rate-counts)
-- nothing. The same key with another operation or another body is refused with 422; a key that
-- is not a UUID with 400. Keys live in `private`, which PostgREST does not expose; the invoker
-- RPCs reach them through the grants and policies below (no security definer needed).
--
-- Concurrency: the key row is inserted first, before anything is created. A concurrent request
-- with the same key blocks on that insert until the first request commits, then finds the
-- stored response (or, if the first failed and rolled back, proceeds as the first).

create table private.idempotency_keys (
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    key uuid not null,
    operation text not null,
    request_hash text not null,
    response json,
    created_at timestamptz not null default now(),
    primary key (user_id, key)
);

comment on table private.idempotency_keys is
    'Idempotency-Key header values of the create RPCs, per user, with the response they got. '
    'Rows older than 24 hours are ignored and deleted lazily by the next request of that user.';
comment on column private.idempotency_keys.operation is 'report_bug, submit_feedback or create_support_ticket.';
comment on column private.idempotency_keys.request_hash is 'sha256 of the normalized (jsonb) request body.';
comment on column private.idempotency_keys.response is 'The response returned the first time, replayed on retries.';

create index idempotency_keys_user_id_created_at_idx
    on private.idempotency_keys (user_id, created_at);

alter table private.idempotency_keys enable row level security;
revoke all on table private.idempotency_keys from public, anon, authenticated;
grant select, insert, delete on table private.idempotency_keys to authenticated;
grant update (response) on table private.idempotency_keys to authenticated;
grant select, insert, update, delete on table private.idempotency_keys to service_role;

create policy "users read their own idempotency keys"
    on private.idempotency_keys
    for select
    to authenticated
    using (user_id = (select auth.uid()));

create policy "users record their own idempotency keys"
    on private.idempotency_keys
    for insert
    to authenticated
    with check (user_id = (select auth.uid()));

create policy "users store responses on their own idempotency keys"
    on private.idempotency_keys
    for update
    to authenticated
    using (user_id = (select auth.uid()))
    with check (user_id = (select auth.uid()));

create policy "users expire their own idempotency keys"
    on private.idempotency_keys
    for delete
    to authenticated
    using (user_id = (select auth.uid()));

create function private.request_idempotency_key()
    returns uuid
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    header text;
begin
    -- PostgREST puts the request headers, lower-cased, in request.headers.
    header := nullif(current_setting('request.headers', true), '')::json ->> 'idempotency-key';
    if header is null then
        return null;
    end if;
    return private.uuid_param(pg_catalog.btrim(header), 'Idempotency-Key');
end;
$$;

comment on function private.request_idempotency_key() is
    'The Idempotency-Key header of the current PostgREST request as a uuid, null when absent; '
    '400 (invalid_uuid) when it is not a UUID.';

create function private.idempotency_replay(operation text, body jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    request_key uuid := private.request_idempotency_key();
    body_hash text;
    caller uuid;
    earlier private.idempotency_keys;
begin
    if request_key is null then
        return null;
    end if;
    body_hash := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(body::text, 'UTF8')), 'hex');
    caller := (select auth.uid());

    delete from private.idempotency_keys as k
    where k.user_id = caller
        and k.created_at < now() - interval '24 hours';

    insert into private.idempotency_keys (user_id, key, operation, request_hash)
    values (caller, request_key, operation, body_hash)
    on conflict do nothing;
    if found then
        return null;
    end if;

    -- Seen before (perhaps by a request that was still running: the insert above waited for it
    -- to commit). This statement takes a fresh snapshot and sees the stored row.
    select k.* into earlier
    from private.idempotency_keys as k
    where k.user_id = caller and k.key = request_key;

    if earlier.operation is distinct from operation or earlier.request_hash is distinct from body_hash then
        perform private.refuse('idempotency_key_reused');
    end if;
    return earlier.response;
end;
$$;

comment on function private.idempotency_replay(text, jsonb) is
    'Call first in a create RPC. Null when the request has no Idempotency-Key or the key is new '
    '(it is then recorded); the stored response when the same user sent the same operation and '
    'body with this key in the last 24 hours; HTTP 422 (P0422) when the key was used for another '
    'request.';

create function private.idempotency_store(response json)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    request_key uuid := private.request_idempotency_key();
begin
    if request_key is not null then
        update private.idempotency_keys as k
        set response = idempotency_store.response
        where k.user_id = (select auth.uid()) and k.key = request_key;
    end if;
    return response;
end;
$$;

comment on function private.idempotency_store(json) is
    'Call last in a create RPC: stores the response on the request''s Idempotency-Key (if any) '
    'and returns it.';

revoke all on function private.request_idempotency_key(), private.idempotency_replay(text, jsonb),
    private.idempotency_store(json) from public;
grant execute on function private.request_idempotency_key(), private.idempotency_replay(text, jsonb),
    private.idempotency_store(json) to authenticated, service_role;
