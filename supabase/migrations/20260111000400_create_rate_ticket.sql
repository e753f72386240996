-- RPC rate_ticket: the owner rates their resolved or closed ticket, once.
--
-- Why: POST /rest/v1/rpc/rate_ticket with {ticket_id?, rating, comment?} (one unnamed jsonb
-- parameter, like the creates). Without ticket_id it rates the caller's most recently resolved
-- (or closed) ticket that was not merged into another: what the companion's "rate 5" means,
-- decided here rather than in the bot.
-- Security invoker: RLS and the rules of public.ticket_ratings apply as to a direct insert. 404
-- for a ticket that is not the caller's (as get_ticket) or when they have none to rate, 400 for
-- a broken rule (rating 1-5, comment at most 2000 characters), 409 for an open ticket, a ticket
-- merged into another, a second rating or a rating after the window.

create function public.rate_ticket(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    target uuid;
    subject text;
    saved public.ticket_ratings;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.check_request_body(body, '{"ticket_id": "string", "rating": "integer", "comment": "string"}');
    if body ->> 'ticket_id' is null then
        select t.id, t.subject into target, subject
        from public.support_tickets as t
        where t.user_id = (select auth.uid()) and t.status in ('resolved', 'closed') and t.merged_into is null
        order by coalesce(t.resolved_at, t.updated_at) desc, t.id desc
        limit 1;
        if target is null then
            perform private.refuse('no_ticket_to_rate');
        end if;
    else
        target := private.uuid_param(body ->> 'ticket_id', 'ticket_id');
        select t.subject into subject
        from public.support_tickets as t
        where t.id = target and t.user_id = (select auth.uid());
        if not found then
            perform private.raise_ticket_not_found();
        end if;
    end if;

    begin
        insert into public.ticket_ratings (ticket_id, rating, comment)
        values (target, (body ->> 'rating')::integer, body ->> 'comment')
        returning * into saved;
    exception
        when check_violation or not_null_violation then
            get stacked diagnostics
                error_code = returned_sqlstate,
                failed_schema = schema_name,
                failed_table = table_name,
                failed_constraint = constraint_name,
                failed_column = column_name;
            perform private.raise_rule_violation(
                error_code, failed_schema, failed_table, failed_constraint, failed_column
            );
        when unique_violation then
            -- Two ratings at once: the second waits for the first and finds its key.
            perform private.refuse('ticket_already_rated');
    end;

    return pg_catalog.json_build_object(
        'ticket_id', saved.ticket_id,
        'subject', subject,
        'rating', saved.rating,
        'comment', saved.comment,
        'created_at', private.utc_text(saved.created_at)
    );
end;
$$;

comment on function public.rate_ticket(jsonb) is
    'The signed-in user rates their resolved or closed ticket once. Body: {ticket_id?, rating '
    '(1-5), comment?}; without ticket_id, their most recently resolved or closed ticket not merged '
    'into another. Returns {ticket_id, subject, rating, comment, created_at}. 400 on a broken rule, '
    '404 for a ticket that is not theirs (or none to rate), 409 when it is not resolved or closed, '
    'merged into another, already rated, or resolved longer ago than the rating window (14 days).';

revoke all on function public.rate_ticket(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.rate_ticket(jsonb) to authenticated;
