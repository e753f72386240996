-- Rate limit on users' replies: the ticket_reply kind of public.rate_limits, 30 an hour.
--
-- Why: a reply is as cheap to send as a ticket, so it is limited like the creates, by the same
-- mechanism: a row of rate_limits (support changes it without a migration) and
-- private.enforce_rate_limit of 20260101000400, whose ticket_reply kind counts a user's replies
-- in public.ticket_messages (through ticket_messages_author_id_created_at_idx); the
-- before-insert trigger of ticket_messages calls it for replies written by users.

-- squawk: rate_limits holds a handful of rows of rules; its CHECK is replaced by a wider one.
-- squawk-ignore-file ban-drop-constraint, constraint-missing-not-valid

alter table public.rate_limits drop constraint rate_limits_kind_valid;
alter table public.rate_limits add constraint rate_limits_kind_valid
    check (kind in ('bug_report', 'support_ticket', 'feedback', 'ticket_reply'));
comment on constraint rate_limits_kind_valid on public.rate_limits is
    'kind must be one of bug_report, support_ticket, feedback, ticket_reply';
comment on column public.rate_limits.kind is
    'bug_report (tickets of type bug), support_ticket (every other ticket type), feedback or '
    'ticket_reply (users'' replies on their tickets).';

insert into public.rate_limits (kind, max_per_hour, description) values
    ('ticket_reply', 30, 'Replies of a user on their tickets per hour.');
