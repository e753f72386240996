-- The two RPCs whose arguments PostgREST cast before the function ran now take them as they come
-- and check them themselves, so a wrong type is refused without quoting it.
--
-- Why: PostgREST casts each named argument of an RPC to its declared type before the call, so
-- set_email_notifications(kinds text[], enabled boolean) answered {"kinds": "x"} with
-- `malformed array literal: "x"` and retry_dead_notification(id bigint) answered {"id": "x"}
-- with `invalid input syntax for type bigint: "x"`: the caller's value quoted back, on a
-- hosted project too (the local gateway takes such values out, nothing else there does). Every
-- other RPC already takes text or jsonb and checks it. The names and JSON bodies stay: clients
-- (supabase.rpc, the Flask layer's unsubscribe) send the same request. From SQL, pass the
-- values as literals: set_email_notifications('["reply"]', 'false'),
-- retry_dead_notification('42').
--
-- Replaces public.set_email_notifications(text[], boolean) of 20260112000200 and
-- public.retry_dead_notification(bigint) of 20260112000500 (a different signature is a
-- different function: the old ones are dropped, nothing else calls them).

-- squawk: clients call both by name with the same JSON body before and after; SQL callers pass
-- literals (above). Nothing in the database depends on the old signatures.
-- squawk-ignore-file ban-drop-function

drop function public.set_email_notifications(text[], boolean);

create function public.set_email_notifications(kinds jsonb, enabled jsonb)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    -- Two checks, not one "or": SQL does not promise to skip the elements of a non-array.
    if pg_catalog.jsonb_typeof(kinds) is distinct from 'array' then
        raise exception 'kinds must be an array of notification kinds (strings)'
            using errcode = 'invalid_parameter_value';
    end if;
    if exists (
        select 1 from pg_catalog.jsonb_array_elements(kinds) as k
        where pg_catalog.jsonb_typeof(k) <> 'string'
    ) then
        raise exception 'kinds must be an array of notification kinds (strings)'
            using errcode = 'invalid_parameter_value';
    end if;
    if pg_catalog.jsonb_typeof(enabled) is distinct from 'boolean' then
        raise exception 'enabled must be true or false'
            using errcode = 'invalid_parameter_value';
    end if;
    insert into public.notification_preferences as p (kind, email)
    select distinct k, enabled::boolean from pg_catalog.jsonb_array_elements_text(kinds) as k
    on conflict (user_id, kind) do update
        set email = excluded.email, updated_at = pg_catalog.now();
end;
$$;

comment on function public.set_email_notifications(jsonb, jsonb) is
    'Turns the caller''s email for these notification kinds (a JSON array of kinds) on or off '
    '(enabled: true or false); the unsubscribe link in an email calls it with its kinds and '
    'enabled = false. A value of another type is a 400 quoting nothing; an unknown kind is a 409.';

revoke all on function public.set_email_notifications(jsonb, jsonb) from public, anon, service_role;
grant execute on function public.set_email_notifications(jsonb, jsonb) to authenticated;

drop function public.retry_dead_notification(bigint);

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
