-- The single insert path of the create RPCs: one for tickets, one for feedback.
--
-- Why: report_bug and create_support_ticket both file a ticket, submit_feedback files feedback.
-- Each writer maps an already shape-checked request body to columns and turns a broken
-- constraint into a 400 whose message is the constraint's comment (private.raise_rule_violation),
-- so the RPCs never restate a rule. They run as the caller: column grants, RLS and the
-- rate-limit triggers apply exactly as to a direct insert. A ticket's follow_up_of field is read
-- by private.uuid_param (400 when it is not a UUID; the follow-up trigger of 20260101000200
-- checks what it names).

create function private.insert_ticket(fields jsonb)
    returns public.support_tickets
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    ticket public.support_tickets;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    -- The custom fields the user gave, for the insert trigger that files them with the ticket
    -- (20260201000200): a direct insert passes none, so a required field refuses it there too.
    perform pg_catalog.set_config('support.filing_fields', coalesce(fields -> 'fields', '{}')::text, true);
    insert into public.support_tickets (
        ticket_type, subject, description, priority,
        steps_to_reproduce, expected_behavior, actual_behavior, device_info, app_version,
        screenshot_urls, follow_up_of
    )
    values (
        fields ->> 'ticket_type',
        fields ->> 'subject',
        fields ->> 'description',
        -- The column default; JSON null means "not given".
        coalesce(fields ->> 'priority', 'medium'),
        fields ->> 'steps_to_reproduce',
        fields ->> 'expected_behavior',
        fields ->> 'actual_behavior',
        fields ->> 'device_info',
        fields ->> 'app_version',
        private.json_text_array(fields -> 'screenshot_urls'),
        private.uuid_param(fields ->> 'follow_up_of', 'follow_up_of', false)
    )
    -- Only columns the caller may read (20260116000800): a user reads not support's columns.
    returning id, ticket_type, status, priority, created_at
        into ticket.id, ticket.ticket_type, ticket.status, ticket.priority, ticket.created_at;
    return ticket;
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
        -- Not reached: raise_rule_violation always raises. Said for plpgsql_check
        -- (`supabase db lint`), which cannot see into the call.
        return null;
end;
$$;

comment on function private.insert_ticket(jsonb) is
    'Inserts a ticket for the caller from a shape-checked body (ticket_type, subject, '
    'description, priority, follow_up_of, the bug details and the custom fields); a broken rule becomes a 400 with '
    'the constraint''s message. Returns id, ticket_type, status, priority and created_at (the '
    'other fields null).';

create function private.insert_feedback(fields jsonb)
    returns public.user_feedback
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    feedback public.user_feedback;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    insert into public.user_feedback (category, description, rating, feature_name, would_recommend)
    values (
        fields ->> 'category',
        fields ->> 'description',
        (fields ->> 'rating')::numeric::integer,
        fields ->> 'feature_name',
        (fields ->> 'would_recommend')::boolean
    )
    -- Only columns the caller may read (20260116000800): not duplicate_of or meta_data.
    returning id, category, created_at into feedback.id, feedback.category, feedback.created_at;
    return feedback;
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
        -- Not reached: raise_rule_violation always raises. Said for plpgsql_check
        -- (`supabase db lint`), which cannot see into the call.
        return null;
end;
$$;

comment on function private.insert_feedback(jsonb) is
    'Inserts feedback for the caller from a shape-checked body; a broken rule becomes a 400 '
    'with the constraint''s message. Returns id, category and created_at (the other fields null).';

revoke all on function private.insert_ticket(jsonb),
    private.insert_feedback(jsonb) from public;
grant execute on function private.insert_ticket(jsonb),
    private.insert_feedback(jsonb) to authenticated, service_role;
