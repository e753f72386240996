-- RPC rate_ticket: the owner rates their resolved or closed ticket, once.
--
-- Why: POST /rest/v1/rpc/rate_ticket with {ticket_id, rating, comment?} (one unnamed jsonb
-- parameter, like the creates). Security invoker: RLS and the rules of public.ticket_ratings
-- apply as to a direct insert. 404 for a ticket that is not the caller's (as get_ticket), 400
-- for a broken rule (rating 1-5, comment at most 2000 characters), 409 for an open ticket, a
-- second rating or a rating after the window.

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
    saved public.ticket_ratings;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.check_request_body(body, '{"ticket_id": "string", "rating": "integer", "comment": "string"}');
    target := private.ticket_uuid(body ->> 'ticket_id');
    if not exists (
        select 1 from public.support_tickets as t
        where t.id = target and t.user_id = (select auth.uid())
    ) then
        perform private.raise_ticket_not_found();
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
            perform private.raise_http_error(409, 'P0409', 'This ticket has already been rated', null);
    end;

    return pg_catalog.json_build_object(
        'ticket_id', saved.ticket_id,
        'rating', saved.rating,
        'comment', saved.comment,
        'created_at', private.utc_text(saved.created_at)
    );
end;
$$;

comment on function public.rate_ticket(jsonb) is
    'The signed-in user rates their resolved or closed ticket once. Body: {ticket_id, rating '
    '(1-5), comment?}. Returns {ticket_id, rating, comment, created_at}. 400 on a broken rule, 404 '
    'for a ticket that is not theirs, 409 when it is not resolved or closed, already rated, or '
    'resolved longer ago than the rating window (14 days).';

revoke all on function public.rate_ticket(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.rate_ticket(jsonb) to authenticated;
