-- RPC submit_feedback: POST /rest/v1/rpc/submit_feedback with the contract's request body.
--
-- Why: the contract's "Submit Feedback". One unnamed jsonb parameter, as report_bug. Security
-- invoker: the caller's grants, RLS and rate limit (10 per hour) apply. The message depends on
-- the category (support_messages, topic feedback_received.<category>).

create function public.submit_feedback(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    replay json;
    feedback public.user_feedback;
begin
    perform private.check_request_body(body, '{
        "category": "string",
        "description": "string",
        "rating": "integer",
        "feature_name": "string",
        "would_recommend": "boolean"
    }');
    replay := private.idempotency_replay('submit_feedback', body);
    if replay is not null then
        return replay;
    end if;

    feedback := private.insert_feedback(body);

    return private.idempotency_store(pg_catalog.json_build_object(
        'feedback_id', feedback.id,
        -- A category added without a message of its own gets other's.
        'message', private.support_message('feedback_received.' || feedback.category, 'feedback_received.other'),
        'created_at', private.utc_text(feedback.created_at)
    ));
end;
$$;

comment on function public.submit_feedback(jsonb) is
    'Records feedback from the signed-in user. Body: {category, description, rating?, '
    'feature_name?, would_recommend?}. Returns {feedback_id, message, created_at}. 400 on a '
    'broken rule, 429 past 10 per hour. Honours the Idempotency-Key header.';

-- Signed-in users only: service_role acts for no user (auth.uid() is null); it works on the tables.
revoke all on function public.submit_feedback(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.submit_feedback(jsonb) to authenticated;
