-- Response messages of the support API.
--
-- Why: the texts users read after filing a bug report, a ticket or feedback (and when they hit
-- a rate limit) live in the database, so support can reword them in Studio without a deploy,
-- and every path (PostgREST, the Flask layer, the companion bot) says the same thing.
-- The RPC functions read them by topic; a missing topic is a server error, never a blank text.

create table public.support_messages (
    topic text primary key,
    message text not null,
    constraint support_messages_topic_format check (topic ~ '^[a-z_]+(\.[a-z_]+)?$'),
    constraint support_messages_message_not_blank check (message !~ '^[[:space:]]*$')
);

comment on table public.support_messages is
    'Texts returned by the support API, by topic. Edit the wording freely; do not rename or '
    'delete topics, the RPC functions look them up by name.';
comment on column public.support_messages.topic is
    'ticket_created.<ticket_type>, feedback_received.<category>, rate_limited.<kind>, ticket_not_found.';
comment on column public.support_messages.message is 'The text users see.';
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
    ('feedback_received.other', 'Thanks for your feedback! We read every message.'),
    ('rate_limited.bug_report', 'You have sent too many bug reports in the last hour.'),
    ('rate_limited.support_ticket', 'You have created too many support tickets in the last hour.'),
    ('rate_limited.feedback', 'You have sent too much feedback in the last hour.'),
    ('ticket_not_found', 'Ticket not found');

-- Signed-in users read the texts (the invoker RPCs do so on their behalf); only support
-- (service_role, or an admin in Studio) changes them.
alter table public.support_messages enable row level security;
revoke all on table public.support_messages from anon, authenticated;
grant select on table public.support_messages to authenticated;
grant select, insert, update, delete on table public.support_messages to service_role;

create policy "signed-in users read support messages"
    on public.support_messages
    for select
    to authenticated
    using (true);

create function private.support_message(topic text)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    found_message text;
begin
    select m.message into found_message
    from public.support_messages as m
    where m.topic = support_message.topic;
    if found_message is null then
        raise exception 'support message "%" is missing', topic
            using errcode = 'internal_error',
                  hint = 'Insert the topic into public.support_messages.';
    end if;
    return found_message;
end;
$$;

comment on function private.support_message(text) is
    'The text of a support_messages topic; raises internal_error (500) when the topic is missing.';
revoke all on function private.support_message(text) from public;
grant execute on function private.support_message(text) to authenticated, service_role;
