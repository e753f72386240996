-- RPC support_feedback_suggestions: staff read the category suggestions of a whole page of the
-- feedback board in one request.
--
-- Why: the board (dashboard/feedback.js) shows each entry's suggested category beside it, and it
-- renders from one round of requests. It cannot wait for the queue's answer to ask for the
-- suggestions of the ids in it, so this takes the same parameters as support_feedback_queue
-- (status, category, feature_name, q, limit, offset) and answers the suggestions of the entries
-- that call answers, in the same order: GET /rest/v1/rpc/support_feedback_suggestions?... The
-- page is chosen by private.support_feedback_queue itself and each entry's suggestions are read
-- by private.suggestions_as_staff, so the filters, the checks of the parameters and the shape of
-- a suggestion are those of the two RPCs, not a copy. In shadow mode the list is empty and
-- shadow_mode is true. Non-staff callers get 403.

-- Security definer: the shadow-mode setting (public.triage_settings) is read by the owner only,
-- as in the other staff triage operations. It checks first that the caller is staff, then
-- reads through the two staff functions named above, which check again.
create function private.feedback_suggestions_as_staff(
    status text,
    category text,
    feature_name text,
    q text,
    "limit" text,
    "offset" text
)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
-- The contract's names limit and offset are reserved words that plpgsql_check (`supabase db
-- lint`) warns of; as in support_feedback_queue, its "other warnings" are off for this function.
-- @plpgsql_check_options: other_warnings = false
declare
    page json;
    shadow boolean;
    items jsonb;
begin
    perform private.require_staff();
    page := private.support_feedback_queue(
        feedback_suggestions_as_staff.status, feedback_suggestions_as_staff.category,
        feedback_suggestions_as_staff.feature_name, feedback_suggestions_as_staff.q,
        feedback_suggestions_as_staff."limit", feedback_suggestions_as_staff."offset"
    );
    shadow := private.triage_shadow_mode();
    select coalesce(pg_catalog.jsonb_agg(
               pg_catalog.jsonb_build_object('feedback_id', e.entry ->> 'feedback_id') || s.item
               order by e.position, s.item ->> 'field'), '[]'::jsonb)
    into items
    from pg_catalog.json_array_elements(page -> 'feedback') with ordinality as e(entry, position)
    cross join lateral pg_catalog.jsonb_array_elements(
        (private.suggestions_as_staff(null, e.entry ->> 'feedback_id') -> 'suggestions')::jsonb
    ) as s(item)
    where not shadow;

    return pg_catalog.json_build_object('shadow_mode', shadow, 'suggestions', items);
end;
$$;

comment on function private.feedback_suggestions_as_staff(text, text, text, text, text, text) is
    'Staff only: the suggestions of a page of the feedback queue (public.support_feedback_suggestions).';
revoke all on function private.feedback_suggestions_as_staff(text, text, text, text, text, text) from public;
grant execute on function private.feedback_suggestions_as_staff(text, text, text, text, text, text) to authenticated;

create function public.support_feedback_suggestions(
    status text default null,
    category text default null,
    feature_name text default null,
    q text default null,
    "limit" text default null,
    "offset" text default null
)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
-- limit and offset again, as in support_feedback_queue's wrapper.
-- @plpgsql_check_options: other_warnings = false
begin
    return private.feedback_suggestions_as_staff(
        support_feedback_suggestions.status, support_feedback_suggestions.category,
        support_feedback_suggestions.feature_name, support_feedback_suggestions.q,
        support_feedback_suggestions."limit", support_feedback_suggestions."offset"
    );
end;
$$;

comment on function public.support_feedback_suggestions(text, text, text, text, text, text) is
    'Staff only (403 otherwise). The parameters of support_feedback_queue; answers {shadow_mode, '
    'suggestions: [{feedback_id, suggestion_id, field, value, confidence, current_value, '
    'model_version, created_at, decision}]} for the entries that call answers, in its order; an '
    'empty list in shadow mode. Decide with support_decide_suggestion.';

revoke all on function public.support_feedback_suggestions(text, text, text, text, text, text)
    from public, anon, authenticated, service_role;
grant execute on function public.support_feedback_suggestions(text, text, text, text, text, text) to authenticated;
