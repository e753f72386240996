-- RPC export_my_data: everything the support API holds about the signed-in user, as one JSON
-- document.
--
-- Why: people have the right to a copy of what is kept about them (GDPR art. 15 and 20). GET
-- /rest/v1/rpc/export_my_data, or GET /api/me/export through the Flask layer, answers
-- {format, user_id, exported_at, tickets, feedback, ratings, notification_preferences,
-- companion_conversations}: each ticket exactly as get_ticket answers it (its public thread,
-- public history and the files the user may see, as paths in the support-attachments bucket
-- for createSignedUrl), each feedback entry as list_my_feedback does, the user's ratings, email
-- choices and companion conversation. Security invoker: it reads through the caller's own
-- policies and the same functions as the user's other reads, so it can hold nothing the user
-- could not read through the API, never an internal note, an internal event, a file on a note,
-- or a staff-only field (assignee, SLA clocks, triage).

create function public.export_my_data()
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    uid uuid := (select auth.uid());
begin
    return pg_catalog.json_build_object(
        'format', 'support-export/1',
        'user_id', uid,
        'exported_at', private.utc_text(pg_catalog.now()),
        'tickets', coalesce((
            select pg_catalog.json_agg(public.get_ticket(t.id::text) order by t.created_at, t.id)
            from public.support_tickets as t
            where t.user_id = uid
        ), '[]'::json),
        'feedback', private.own_feedback_entries(null, null, 0),
        'ratings', coalesce((
            select pg_catalog.json_agg(pg_catalog.json_build_object(
                    'ticket_id', r.ticket_id,
                    'rating', r.rating,
                    'comment', r.comment,
                    'created_at', private.utc_text(r.created_at)
                ) order by r.created_at, r.ticket_id)
            from public.ticket_ratings as r
            where r.user_id = uid
        ), '[]'::json),
        'notification_preferences', coalesce((
            select pg_catalog.json_agg(pg_catalog.json_build_object(
                    'kind', p.kind,
                    'email', p.email,
                    'updated_at', private.utc_text(p.updated_at)
                ) order by p.kind)
            from public.notification_preferences as p
            where p.user_id = uid
        ), '[]'::json),
        'companion_conversations', coalesce((
            select pg_catalog.json_agg(pg_catalog.json_build_object(
                    'intent', c.intent,
                    'started_at', private.utc_text(c.started_at)
                ))
            from public.companion_conversations as c
            where c.user_id = uid
        ), '[]'::json)
    );
end;
$$;

comment on function public.export_my_data() is
    'Everything stored about the signed-in user, as one document: {format: "support-export/1", '
    'user_id, exported_at, tickets: [as get_ticket answers each, oldest first: public messages, '
    'public events, attachments as paths], feedback: [as list_my_feedback, oldest first], '
    'ratings: [{ticket_id, rating, comment, created_at}], notification_preferences: [{kind, '
    'email, updated_at}], companion_conversations: [{intent, started_at}]}. Never internal notes '
    'or staff-only fields.';

-- Signed-in users only: service_role acts for no user (auth.uid() is null).
revoke all on function public.export_my_data() from public, anon, authenticated, service_role;
grant execute on function public.export_my_data() to authenticated;
