-- RPC support_triage_report: how often staff accepted each kind of suggestion, and what the
-- model measured on the labels it held out.
--
-- Why: suggestions are trusted only if they are measured. GET /rest/v1/rpc/support_triage_report
-- ?days= (default 30) for staff: per field (ticket_type, priority, category) the suggestions
-- made in the window, how many staff decided, how many of those they accepted (the acceptance
-- rate), and how many agree with the item's field as it is now (the agreement rate, which
-- measures a model in shadow mode, where nobody decides); and the latest training run's
-- held-out accuracy per field (public.triage_model_runs).

-- Security definer: no API role reads the suggestions, labels and runs, and staff hold no read
-- policy on tickets (20260110000800). It checks first that the caller is staff and answers
-- only counts and rates.
create function private.triage_report_as_staff(days integer)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    since timestamptz;
    kinds json;
    runs json;
begin
    perform private.require_staff();
    days := private.integer_param(days::text, 'days', 1, 366, 30);
    since := pg_catalog.now() - pg_catalog.make_interval(days => triage_report_as_staff.days);

    -- Counts and rates only, in shadow mode too: measuring the model before anyone is shown
    -- its suggestions is what shadow mode is for.
    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
               'field', k.field,
               'suggestions', k.suggestions,
               'decided', k.decided,
               'accepted', k.accepted,
               'acceptance_rate', case when k.decided > 0 then pg_catalog.round(k.accepted::numeric / k.decided, 3) end,
               'agreement_rate', case when k.suggestions > 0 then pg_catalog.round(k.agreeing::numeric / k.suggestions, 3) end
           ) order by k.field), '[]'::json)
    into kinds
    from (
        select f.field,
               pg_catalog.count(s.id) as suggestions,
               pg_catalog.count(l.id) as decided,
               pg_catalog.count(l.id) filter (where l.accepted) as accepted,
               pg_catalog.count(s.id) filter (where s.value = case s.field
                   when 'ticket_type' then t.ticket_type
                   when 'priority' then t.priority
                   else fb.category end) as agreeing
        from (values ('category'), ('priority'), ('ticket_type')) as f(field)
        left join public.triage_suggestions as s on s.field = f.field and s.created_at >= since
        left join public.triage_labels as l on l.suggestion_id = s.id
        left join public.support_tickets as t on t.id = s.ticket_id
        left join public.user_feedback as fb on fb.id = s.feedback_id
        group by f.field
    ) as k;

    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
               'field', r.field,
               'model_version', r.model_version,
               'trained_at', private.utc_text(r.trained_at),
               'examples', r.examples,
               'staff_labels', r.staff_labels,
               'held_out', r.held_out,
               'held_out_accuracy', pg_catalog.round(r.held_out_accuracy::numeric, 3)
           ) order by r.field), '[]'::json)
    into runs
    from (
        select distinct on (m.field) m.*
        from public.triage_model_runs as m
        order by m.field, m.trained_at desc, m.id desc
    ) as r;

    return pg_catalog.json_build_object(
        'shadow_mode', private.triage_shadow_mode(),
        'days', triage_report_as_staff.days,
        'kinds', kinds,
        'model', runs
    );
end;
$$;

comment on function private.triage_report_as_staff(integer) is
    'Staff only: the acceptance and accuracy report (public.support_triage_report).';
revoke all on function private.triage_report_as_staff(integer) from public;
grant execute on function private.triage_report_as_staff(integer) to authenticated;

create function public.support_triage_report(days integer default 30)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.triage_report_as_staff(support_triage_report.days);
end;
$$;

comment on function public.support_triage_report(integer) is
    'Staff only (403 otherwise). ?days= (1-366, default 30): {shadow_mode, days, kinds: [{field, '
    'suggestions, decided, accepted, acceptance_rate, agreement_rate}], model: [{field, '
    'model_version, trained_at, examples, staff_labels, held_out, held_out_accuracy}]}.';

revoke all on function public.support_triage_report(integer) from public, anon, authenticated, service_role;
grant execute on function public.support_triage_report(integer) to authenticated;
