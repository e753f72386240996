-- RPC report_bug: POST /rest/v1/rpc/report_bug with the contract's request body.
--
-- Why: the contract's "Report a Bug". One unnamed jsonb parameter, so PostgREST (12 and 14)
-- passes the whole body and `supabase.rpc('report_bug', body)` works with the body as is.
-- Security invoker: the caller's grants, RLS and rate limit (5 per hour) apply.

create function public.report_bug(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    replay json;
    ticket public.support_tickets;
begin
    perform private.check_request_body(body, '{
        "description": "string",
        "steps_to_reproduce": "string",
        "expected_behavior": "string",
        "actual_behavior": "string",
        "device_info": "string",
        "app_version": "string",
        "screenshot_urls": "string_array",
        "fields": "object"
    }');
    replay := private.idempotency_replay('report_bug', body);
    if replay is not null then
        return replay;
    end if;

    ticket := private.insert_ticket(body || '{"ticket_type": "bug"}');

    return private.idempotency_store(pg_catalog.json_build_object(
        'ticket_id', ticket.id,
        'status', ticket.status,
        'message', private.support_message('ticket_created.bug'),
        'created_at', private.utc_text(ticket.created_at)
    ));
end;
$$;

comment on function public.report_bug(jsonb) is
    'Files a bug report for the signed-in user. Body: {description, steps_to_reproduce?, '
    'expected_behavior?, actual_behavior?, device_info?, app_version?, screenshot_urls?, fields?} '
    '(fields: the user-visible custom fields of bugs, {key: value}). '
    'Returns {ticket_id, status, message, created_at}. 400 on a broken rule, 429 past 5 per '
    'hour. Honours the Idempotency-Key header.';

-- Signed-in users only: service_role acts for no user (auth.uid() is null); it works on the tables.
revoke all on function public.report_bug(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.report_bug(jsonb) to authenticated;
