-- RPC support_suggestions: staff read the suggestions for one ticket or feedback entry.
--
-- Why: the dashboard shows each suggestion beside the field the user chose, with its
-- confidence, the model version and the decision taken on it, so an agent accepts or overrides
-- in one action (public.support_decide_suggestion). GET /rest/v1/rpc/support_suggestions
-- ?ticket_id= or ?feedback_id=. In shadow mode the list is empty and shadow_mode is true:
-- suggestions are still computed and stored, nobody is shown them. Non-staff callers get 403;
-- the owner of the item never sees a suggestion on any path (no API role reads the table).

-- Security definer: staff hold no read policy on tickets (20260110000800) and no API role reads
-- triage_suggestions or triage_labels. It checks first that the caller is staff and reads the
-- suggestions of the one item asked for.
create function private.suggestions_as_staff(ticket_id text, feedback_id text)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    target_ticket uuid;
    target_feedback uuid;
    shadow boolean;
    ticket public.support_tickets;
    entry public.user_feedback;
    items json;
begin
    perform private.require_staff();
    if pg_catalog.num_nonnulls(suggestions_as_staff.ticket_id, suggestions_as_staff.feedback_id) <> 1 then
        perform private.refuse('suggestion_item_ambiguous');
    end if;
    if suggestions_as_staff.ticket_id is not null then
        target_ticket := private.uuid_param(suggestions_as_staff.ticket_id, 'ticket_id');
        select t.* into ticket from public.support_tickets as t where t.id = target_ticket;
        if not found then
            perform private.raise_ticket_not_found();
        end if;
    else
        target_feedback := private.uuid_param(suggestions_as_staff.feedback_id, 'feedback_id');
        select f.* into entry from public.user_feedback as f where f.id = target_feedback;
        if not found then
            perform private.refuse('feedback_not_found');
        end if;
    end if;

    shadow := private.triage_shadow_mode();
    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
               'suggestion_id', s.id,
               'field', s.field,
               'value', s.value,
               'confidence', pg_catalog.round(s.confidence::numeric, 3),
               'current_value', case s.field
                   when 'ticket_type' then ticket.ticket_type
                   when 'priority' then ticket.priority
                   else entry.category end,
               'model_version', s.model_version,
               'created_at', private.utc_text(s.created_at),
               'decision', case when l.id is not null then pg_catalog.json_build_object(
                   'chosen_value', l.chosen_value, 'accepted', l.accepted, 'applied', l.applied,
                   'decided_at', private.utc_text(l.decided_at)) end
           ) order by s.field), '[]'::json)
    into items
    from public.triage_suggestions as s
    left join public.triage_labels as l on l.suggestion_id = s.id
    where not shadow
        and (s.ticket_id = target_ticket or s.feedback_id = target_feedback);

    return pg_catalog.json_build_object('shadow_mode', shadow, 'suggestions', items);
end;
$$;

comment on function private.suggestions_as_staff(text, text) is
    'Staff only: the suggestions of one ticket or feedback entry (public.support_suggestions).';
revoke all on function private.suggestions_as_staff(text, text) from public;
grant execute on function private.suggestions_as_staff(text, text) to authenticated;

create function public.support_suggestions(ticket_id text default null, feedback_id text default null)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.suggestions_as_staff(support_suggestions.ticket_id, support_suggestions.feedback_id);
end;
$$;

comment on function public.support_suggestions(text, text) is
    'Staff only (403 otherwise). ?ticket_id= or ?feedback_id=: {shadow_mode, suggestions: '
    '[{suggestion_id, field, value, confidence, current_value, model_version, created_at, '
    'decision}]}; an empty list in shadow mode. 404 for a missing item.';

revoke all on function public.support_suggestions(text, text) from public, anon, authenticated, service_role;
grant execute on function public.support_suggestions(text, text) to authenticated;
