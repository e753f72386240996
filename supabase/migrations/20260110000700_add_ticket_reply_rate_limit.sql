-- Rate limit on users' replies: the ticket_reply kind of public.rate_limits, 30 an hour.
--
-- Why: a reply is as cheap to send as a ticket, so it is limited like the creates, by the same
-- mechanism: a row of rate_limits (support changes it without a migration) and
-- private.enforce_rate_limit of 20260101000400, whose ticket_reply kind counts a user's replies
-- in public.ticket_messages (through ticket_messages_author_id_created_at_idx, read by
-- private.recent_reply_times below); the before-insert trigger of ticket_messages calls it for
-- replies written by users.

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

-- Security definer: users may not read ticket_messages.author_id (20260116000800), and the
-- count of a user's replies is found by it (through ticket_messages_author_id_created_at_idx).
-- It returns the times of one author's replies and nothing else; enforce_rate_limit calls it
-- with the author the before-insert trigger set, the caller.
create function private.recent_reply_times(author_id uuid, since timestamptz, max_rows integer)
    returns setof timestamptz
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return query
        select m.created_at
        from public.ticket_messages as m
        where m.author_id = recent_reply_times.author_id
            and m.author_kind = 'user'
            and m.created_at > recent_reply_times.since
        order by m.created_at desc
        limit recent_reply_times.max_rows;
end;
$$;

comment on function private.recent_reply_times(uuid, timestamptz, integer) is
    'The times of the newest max_rows replies of a user after since (the ticket_reply rate '
    'limit). Security definer: users do not read author_id; it returns times only.';
revoke all on function private.recent_reply_times(uuid, timestamptz, integer) from public;
grant execute on function private.recent_reply_times(uuid, timestamptz, integer)
    to authenticated, service_role;
