-- RPC support_decide_suggestion: staff accept or override a suggestion in one action.
--
-- Why: POST /rest/v1/rpc/support_decide_suggestion {suggestion_id, value?, apply?}. Without
-- value the suggestion is accepted; with a value it is overridden by that value. Either way
-- the decision is kept in public.triage_labels (the label the model learns from). Only with
-- apply = true is the ticket's field changed, and then through the same path as any staff
-- change (private.update_ticket_as_staff: lifecycle, history, SLA clocks). Feedback
-- categories are never changed here: what the user chose stays (400 on apply). One decision
-- per suggestion (409 for a second); 409 in shadow mode (nobody is shown suggestions then).


-- Security definer: staff hold no insert on triage_labels and no update on tickets; this checks
-- that the caller is staff, validates the chosen value, writes one label and, when asked,
-- changes the one field through private.update_ticket_as_staff.
create function private.decide_suggestion_as_staff(target uuid, chosen text, apply boolean)
    returns public.triage_labels
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    suggestion public.triage_suggestions;
    label public.triage_labels;
    allowed boolean;
begin
    perform private.require_staff();
    if private.triage_shadow_mode() then
        perform private.refuse('suggestions_shadow_mode');
    end if;
    select s.* into suggestion from public.triage_suggestions as s where s.id = target for update;
    if not found then
        perform private.refuse('suggestion_not_found');
    end if;
    if exists (select 1 from public.triage_labels as l where l.suggestion_id = target) then
        perform private.refuse('suggestion_decided');
    end if;
    chosen := coalesce(chosen, suggestion.value);
    allowed := coalesce(chosen = any (private.field_codes(suggestion.field)), false);
    if not allowed then
        perform private.refuse('suggestion_value_invalid', pg_catalog.jsonb_build_object('field', suggestion.field));
    end if;
    if apply and suggestion.feedback_id is not null then
        perform private.refuse('suggestion_apply_ticket_only');
    end if;
    if apply then
        perform private.update_ticket_as_staff(
            suggestion.ticket_id, pg_catalog.jsonb_build_object(suggestion.field, chosen), null
        );
    end if;

    insert into public.triage_labels
        (suggestion_id, ticket_id, feedback_id, field, suggested_value, chosen_value, applied, decided_by)
    values
        (suggestion.id, suggestion.ticket_id, suggestion.feedback_id, suggestion.field,
         suggestion.value, chosen, apply, (select auth.uid()))
    returning * into label;
    return label;
end;
$$;

comment on function private.decide_suggestion_as_staff(uuid, text, boolean) is
    'Staff only: records the decision on a suggestion as a label and, with apply, changes the '
    'ticket''s field through private.update_ticket_as_staff.';
revoke all on function private.decide_suggestion_as_staff(uuid, text, boolean) from public;
grant execute on function private.decide_suggestion_as_staff(uuid, text, boolean) to authenticated;

create function public.support_decide_suggestion(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    label public.triage_labels;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"suggestion_id": "string", "value": "string", "apply": "boolean"}');
    label := private.decide_suggestion_as_staff(
        private.uuid_param(body ->> 'suggestion_id', 'suggestion_id'),
        body ->> 'value',
        coalesce((body ->> 'apply')::boolean, false)
    );
    return pg_catalog.json_build_object(
        'suggestion_id', label.suggestion_id,
        'ticket_id', label.ticket_id,
        'feedback_id', label.feedback_id,
        'field', label.field,
        'suggested_value', label.suggested_value,
        'chosen_value', label.chosen_value,
        'accepted', label.accepted,
        'applied', label.applied
    );
end;
$$;

comment on function public.support_decide_suggestion(jsonb) is
    'Staff only (403 otherwise). Body: {suggestion_id, value?, apply?}: accepts the suggestion '
    '(no value) or overrides it (value), recording the label; apply = true also changes the '
    'ticket''s field the usual way. 400 for a value the field does not allow or apply on '
    'feedback, 404 for a missing suggestion, 409 when already decided or in shadow mode.';

revoke all on function public.support_decide_suggestion(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_decide_suggestion(jsonb) to authenticated;
