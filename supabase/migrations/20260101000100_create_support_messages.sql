-- Response messages of the support API, and its catalog of refusals.
--
-- Why: the texts users read after filing a bug report, a ticket or feedback, and every reason
-- an RPC refuses a request (its HTTP status, a stable code, the message and a hint), live in
-- the database, so support can reword them in Studio without a deploy, and every path
-- (PostgREST, the Flask layer, the companion bot, the dashboard) says the same thing.
-- The RPC functions read them by topic; a missing topic is a server error, never a blank text.
-- A refusal is raised by private.refuse(topic) only (a house rule checks it): clients switch
-- on its code, which never changes, never on its message, which support may reword.

create table public.support_messages (
    topic text primary key,
    message text not null,
    -- An HTTP status: at most 599.
    -- squawk-ignore prefer-bigint-over-int
    status integer,
    code text,
    hint text,
    constraint support_messages_topic_format check (topic ~ '^[a-z_]+(\.[a-z_]+)?$'),
    constraint support_messages_message_not_blank check (message !~ '^[[:space:]]*$'),
    constraint support_messages_status_http_error check (status between 400 and 599),
    constraint support_messages_code_with_status check ((code is null) = (status is null)),
    constraint support_messages_code_format check (code ~ '^([a-z][a-z_]*[a-z]|[0-9A-Z]{5})$'),
    constraint support_messages_hint_refusal_only check (hint is null or status is not null)
);

comment on table public.support_messages is
    'Texts returned by the support API, by topic, and its refusals (rows with a status). Edit '
    'the wording (message, hint) freely; do not rename or delete topics, the RPC functions look '
    'them up by name, and never change a code: clients switch on it.';
comment on column public.support_messages.topic is
    'ticket_created.<ticket_type>, feedback_received.<category>, or the name of a refusal '
    '(rate_limited.<kind>, ticket_not_found, ticket_changed, ...) that private.refuse raises.';
comment on column public.support_messages.message is
    'The text users see. In a refusal, {name} stands for a value the function fills in (a '
    'parameter''s name, a status, a limit), never a submitted value; keep the braces as they are.';
comment on column public.support_messages.status is
    'For a refusal: the HTTP status PostgREST answers with. Null for the other texts.';
comment on column public.support_messages.code is
    'For a refusal: the stable code in the error body, the one clients switch on. Never change '
    'it: reword message and hint instead. Lower-case words name the reason; a five-character '
    'code (P0002, P0429, P0422, 42501) is one the contract or PostgREST already fixed.';
comment on column public.support_messages.hint is
    'For a refusal: what the caller can do about it, or null. May hold {name} placeholders.';
comment on constraint support_messages_status_http_error on public.support_messages is
    'status must be an HTTP error status (400 to 599)';
comment on constraint support_messages_code_with_status on public.support_messages is
    'code and status must be given together: a refusal has both, another text neither';
comment on constraint support_messages_code_format on public.support_messages is
    'code must be lower-case words joined by underscores, or a five-character error code';
comment on constraint support_messages_hint_refusal_only on public.support_messages is
    'hint is only for refusals (rows with a status)';
comment on constraint support_messages_topic_format on public.support_messages is
    'topic must be lower-case words separated by at most one dot';
comment on constraint support_messages_message_not_blank on public.support_messages is
    'message must not be blank';

insert into public.support_messages (topic, message) values
    ('ticket_created.bug', 'Thank you for reporting this bug. We''ll investigate and get back to you.'),
    ('ticket_created.technical', 'Your support ticket has been created. Our technical team typically responds within 24 hours.'),
    ('ticket_created.billing', 'Your support ticket has been created. We typically respond within 24 hours.'),
    ('ticket_created.account', 'Your support ticket has been created. We typically respond to account issues within 24 hours.'),
    ('ticket_created.other', 'Your support ticket has been created. We typically respond within 24 hours.'),
    ('feedback_received.feature_request', 'Thanks for the feature request! We review all suggestions for our roadmap.'),
    ('feedback_received.improvement', 'Thanks for the suggestion! We use ideas like this to make existing features better.'),
    ('feedback_received.complaint', 'We''re sorry this let you down. Thank you for telling us; we''ll look into it.'),
    ('feedback_received.praise', 'Thank you for the kind words! We''ve passed them on to the team.'),
    ('feedback_received.other', 'Thanks for your feedback! We read every message.');

-- The refusals. Codes are per reason and never change; the few five-character ones are fixed by
-- the contract (P0002, P0429, P0422) or shared with PostgREST's own refusals (42501).
insert into public.support_messages (topic, status, code, message, hint) values
    -- rate limits and idempotency (the contract's)
    ('rate_limited.bug_report', 429, 'P0429', 'You have sent too many bug reports in the last hour.', 'The limit is {limit} per hour.'),
    ('rate_limited.support_ticket', 429, 'P0429', 'You have created too many support tickets in the last hour.', 'The limit is {limit} per hour.'),
    ('rate_limited.feedback', 429, 'P0429', 'You have sent too much feedback in the last hour.', 'The limit is {limit} per hour.'),
    ('rate_limited.ticket_reply', 429, 'P0429', 'You have sent too many replies in the last hour.', 'The limit is {limit} per hour.'),
    ('idempotency_key_reused', 422, 'P0422', 'Idempotency-Key was already used for a different request', 'Send a new Idempotency-Key for a new request.'),
    -- who may call
    ('staff_only', 403, '42501', 'Only support staff can do this', null),
    ('admins_only', 403, 'admins_only', 'Only support admins can do this', null),
    -- not found (a ticket of another user is the same 404 as a missing one)
    ('ticket_not_found', 404, 'P0002', 'Ticket not found', null),
    ('feedback_not_found', 404, 'feedback_not_found', 'Feedback not found', null),
    ('suggestion_not_found', 404, 'suggestion_not_found', 'Suggestion not found', null),
    ('dead_notification_not_found', 404, 'dead_notification_not_found', 'No such dead notification', null),
    ('no_ticket_to_rate', 404, 'no_ticket_to_rate', 'You have no resolved ticket to rate', null),
    -- conflicts with the item's state
    ('ticket_changed', 409, 'ticket_changed', 'The ticket was changed by someone else since you read it', 'Read it again (support_ticket) and send its updated_at as expected_updated_at.'),
    ('ticket_closed', 409, 'ticket_closed', 'This ticket is closed. Please open a follow-up ticket.', 'Create a ticket with follow_up_of set to this ticket''s id.'),
    ('ticket_move_refused', 409, 'ticket_move_refused', 'A ticket cannot move from {from} to {to}', 'See public.ticket_transitions for the allowed moves.'),
    ('ticket_move_from_closed', 409, 'ticket_move_from_closed', 'A ticket cannot move from {from} to {to}', 'A closed ticket is final: open a follow-up ticket (follow_up_of).'),
    ('ticket_move_too_late', 409, 'ticket_move_too_late', 'A ticket cannot move from {from} to {to}', 'Only within {window} of its resolution.'),
    ('resolution_required', 400, 'resolution_required', 'resolution is required to move a ticket from {from} to {to}', null),
    ('ticket_not_rateable', 409, 'ticket_not_rateable', 'Only a resolved or closed ticket can be rated', 'Rate it once support has resolved it.'),
    ('ticket_already_rated', 409, 'ticket_already_rated', 'This ticket has already been rated', null),
    ('rating_merged_ticket', 409, 'rating_merged_ticket', 'A ticket merged into another cannot be rated', 'Rate the ticket it was merged into.'),
    ('ticket_closed_for_support', 409, 'ticket_closed_for_support', 'A closed ticket takes no public reply: its owner cannot answer it', 'Answer in the user''s follow-up ticket, or add an internal note.'),
    ('rating_window_passed', 409, 'rating_window_passed', 'The time to rate this ticket has passed', 'A ticket can be rated within {window} of its resolution.'),
    ('merge_other_requester', 409, 'merge_other_requester', 'Only tickets of the same requester can be merged', null),
    ('merge_closed_source', 409, 'merge_closed_source', 'A closed ticket cannot be merged', null),
    ('merge_closed_target', 409, 'merge_closed_target', 'A ticket cannot be merged into a closed ticket', 'Merge into the requester''s follow-up ticket instead.'),
    ('merge_problem_with_reports', 409, 'merge_problem_with_reports', 'A problem with linked reports cannot be merged', 'Unlink its reports first (support_unlink_problem).'),
    ('link_report_as_problem', 409, 'link_report_as_problem', 'A report cannot be a problem', 'Link to the problem it is linked to.'),
    ('link_problem_as_report', 409, 'link_problem_as_report', 'A problem with linked reports cannot be a report', null),
    ('link_closed_ticket', 409, 'link_closed_ticket', 'A closed ticket cannot be linked', null),
    ('feedback_move_refused', 409, 'feedback_move_refused', 'Feedback cannot move from {from} to {to}', 'See public.feedback_transitions for the allowed moves.'),
    ('suggestions_shadow_mode', 409, 'suggestions_shadow_mode', 'Suggestions are in shadow mode', 'An admin turns shadow mode off in triage_settings.'),
    ('suggestion_decided', 409, 'suggestion_decided', 'This suggestion was already decided', null),
    -- requests that name something they may not (the parameter layer's own refusals are in
    -- 20260101000110_create_parameter_helpers.sql)
    ('follow_up_not_closed', 400, 'follow_up_not_closed', 'follow_up_of must be one of your closed tickets', null),
    ('assignee_not_staff', 400, 'assignee_not_staff', 'assignee_id must be a member of support staff', null),
    ('merge_into_itself', 400, 'merge_into_itself', 'a ticket cannot be merged into itself', null),
    ('link_to_itself', 400, 'link_to_itself', 'a ticket cannot be its own problem', null),
    ('duplicate_of_unknown', 400, 'duplicate_of_unknown', 'duplicate_of must be another feedback entry', null),
    ('stats_window_reversed', 400, 'stats_window_reversed', 'since must be before until', null),
    ('stats_window_too_long', 400, 'stats_window_too_long', 'the window must be at most 366 days', null),
    ('queue_sort_unknown', 400, 'queue_sort_unknown', 'sort must be one of created, updated, priority', 'sort=due lists running clocks, the next deadline first.'),
    ('queue_assignee_unknown', 400, 'queue_assignee_unknown', 'assignee must be me, unassigned or a staff member''s id', null),
    ('queue_cursor_invalid', 400, 'queue_cursor_invalid', 'cursor is not valid for this sort', 'Pass next_cursor of the previous page unchanged, with the same sort.'),
    ('notification_kinds_invalid', 400, 'notification_kinds_invalid', 'kinds must be an array of notification kinds (strings)', null),
    ('suggestion_item_ambiguous', 400, 'suggestion_item_ambiguous', 'give exactly one of ticket_id, feedback_id', null),
    ('suggestion_value_invalid', 400, 'suggestion_value_invalid', 'value must be one of the values of {field}', null),
    ('suggestion_apply_ticket_only', 400, 'suggestion_apply_ticket_only', 'apply is for tickets only: a feedback category stays as the user chose', null);

-- Nobody but support reads or changes the catalog: service_role, or an admin in Studio (as the
-- owner). Users reach its texts only through the two readers below, which take a topic and
-- return or raise its row; a direct read served no client, and gave every signed-in user a
-- table to run regular expressions over on a hosted project, where no gateway of ours refuses
-- pattern filters. RLS stays on with no policy: a grant added by mistake still reads nothing.
alter table public.support_messages enable row level security;
revoke all on table public.support_messages from anon, authenticated;
grant select, insert, update, delete on table public.support_messages to service_role;

-- Security definer (the two readers): the invoker RPCs call them as the signed-in user, who
-- holds no privilege on the catalog. They read the public texts of the catalog and nothing
-- else, by the topic they are given, and never write.
create function private.support_message(topic text, fallback text default null)
    returns text
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    found_message text;
begin
    select m.message into found_message
    from public.support_messages as m
    where m.topic = support_message.topic;
    if found_message is null and fallback is not null then
        return private.support_message(fallback);
    end if;
    if found_message is null then
        raise exception 'support message "%" is missing', topic
            using errcode = 'internal_error',
                  hint = 'Insert the topic into public.support_messages.';
    end if;
    return found_message;
end;
$$;

comment on function private.support_message(text, text) is
    'The text of a support_messages topic, else of the fallback topic (a ticket type or feedback '
    'category added without a text of its own); raises internal_error (500) when neither is '
    'there. Security definer: users hold no privilege on the catalog; it reads the public text '
    'of one topic and nothing else.';
revoke all on function private.support_message(text, text) from public;
grant execute on function private.support_message(text, text) to authenticated, service_role;

-- The one way an RPC refuses a request. PostgREST turns sqlstate PGRST into the HTTP status
-- and the headers of detail, and the body of message, whatever role the function runs as.
create function private.refuse(
    topic text,
    args jsonb default null,
    details text default null,
    headers jsonb default null
)
    returns void
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    refusal public.support_messages;
    message text;
    hint text;
    arg record;
begin
    select m.* into refusal
    from public.support_messages as m
    where m.topic = refuse.topic and m.status is not null;
    if not found then
        raise exception 'refusal "%" is missing', topic
            using errcode = 'internal_error',
                  hint = 'Insert the topic with its status and code into public.support_messages.';
    end if;
    message := refusal.message;
    hint := refusal.hint;
    for arg in select a.key, a.value from pg_catalog.jsonb_each_text(coalesce(args, '{}')) as a loop
        message := pg_catalog.replace(message, '{' || arg.key || '}', coalesce(arg.value, ''));
        hint := pg_catalog.replace(hint, '{' || arg.key || '}', coalesce(arg.value, ''));
    end loop;
    raise sqlstate 'PGRST' using
        message = pg_catalog.json_build_object(
            'code', refusal.code, 'message', message, 'details', details, 'hint', hint
        )::text,
        detail = pg_catalog.json_build_object(
            'status', refusal.status, 'headers', coalesce(headers, '{}'::jsonb)
        )::text;
end;
$$;

comment on function private.refuse(text, jsonb, text, jsonb) is
    'Refuses the request with the refusal of public.support_messages named topic: its HTTP '
    'status, and a body {code, message, details, hint} in PostgREST''s shape. args fill the '
    '{name} placeholders of message and hint, details is the body''s details, headers the '
    'response''s (Retry-After). Never pass a submitted value. A missing topic is a 500. Security '
    'definer: users hold no privilege on the catalog; it reads the public refusal of one topic '
    'and nothing else.';
revoke all on function private.refuse(text, jsonb, text, jsonb) from public;
grant execute on function private.refuse(text, jsonb, text, jsonb) to authenticated, service_role;
