-- Support tickets: bug reports and general support tickets, one table.
--
-- Why: the contract's support_tickets table, with every input rule as a named constraint so
-- that no path (the RPCs, direct PostgREST inserts, the Flask layer, an admin in Studio) can
-- store a ticket that breaks one. Each constraint's comment is the error message the RPCs
-- return for it, so a rule and its message live in one place. Bug reports are tickets of type
-- 'bug' whose details are readable columns and whose subject is derived from the description.
-- Users read and file their own tickets only; the support-only columns belong to support.
-- A closed ticket is final: the user files a follow-up that points at it (follow_up_of), as
-- Zendesk does; a trigger checks on every path (direct inserts, service_role and postgres
-- included) that it names one of the same user's closed tickets, else 400.

-- Helpers the constraints and triggers call. Immutable, so a CHECK may use them. In plpgsql
-- rather than sql: a SQL function with a SET clause is never inlined and plans its query
-- again on every call (every insert); plpgsql keeps the plan for the session.

create function private.screenshot_urls_are_valid(urls text[])
    returns boolean
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
begin
    -- A CHECK cannot hold a subquery, hence this function. Every element must be an https URL
    -- with a host (letters, digits, dots, hyphens, optional port) and no whitespace.
    return coalesce(pg_catalog.array_ndims(urls), 1) = 1
        and not exists (
            select 1
            from pg_catalog.unnest(urls) as u(url)
            where u.url is null
                or pg_catalog.char_length(u.url) > 2048
                or u.url !~ '^https://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?([/?#][^[:space:]]*)?$'
        );
end;
$$;

comment on function private.screenshot_urls_are_valid(text[]) is
    'True when every element is an https:// URL with a host, without whitespace, of at most '
    '2048 characters (null elements are invalid). Used by a CHECK on public.support_tickets.';

create function private.bug_subject(description text)
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
declare
    first_line text;
begin
    -- The first line that is not blank, whitespace collapsed to single spaces, cut to 255
    -- characters (254 and an ellipsis when longer). Null when there is no such line.
    select pg_catalog.btrim(pg_catalog.regexp_replace(l.line, '[[:space:]]+', ' ', 'g'))
    into first_line
    from pg_catalog.regexp_split_to_table(description, '\r\n|\r|\n') with ordinality as l(line, n)
    where l.line !~ '^[[:space:]]*$'
    order by l.n
    limit 1;
    if pg_catalog.char_length(first_line) > 255 then
        return pg_catalog.left(first_line, 254) || '…';
    end if;
    return first_line;
end;
$$;

comment on function private.bug_subject(text) is
    'Subject of a bug report: the first non-blank line of its description, whitespace '
    'collapsed, at most 255 characters (254 and "…" when cut).';

create table public.support_tickets (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    ticket_type text not null,
    subject text not null,
    description text not null,
    status text not null default 'open',
    priority text not null default 'medium',
    admin_notes text,
    resolution text,
    assigned_to text,
    meta_data jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    resolved_at timestamptz,
    steps_to_reproduce text,
    expected_behavior text,
    actual_behavior text,
    device_info text,
    app_version text,
    screenshot_urls text[],
    follow_up_of uuid references public.support_tickets (id) on delete set null,

    constraint support_tickets_ticket_type_valid
        foreign key (ticket_type) references public.ticket_types (code),
    constraint support_tickets_subject_not_blank check (subject !~ '^[[:space:]]*$'),
    constraint support_tickets_subject_max_length check (char_length(subject) <= 255),
    constraint support_tickets_description_not_blank check (description !~ '^[[:space:]]*$'),
    constraint support_tickets_description_max_length check (char_length(description) <= 5000),
    constraint support_tickets_status_valid foreign key (status) references public.ticket_statuses (code),
    constraint support_tickets_priority_valid
        foreign key (priority) references public.ticket_priorities (code),
    constraint support_tickets_assigned_to_max_length check (char_length(assigned_to) <= 100),
    constraint support_tickets_meta_data_object check (jsonb_typeof(meta_data) = 'object'),
    constraint support_tickets_steps_to_reproduce_max_length
        check (char_length(steps_to_reproduce) <= 5000),
    constraint support_tickets_expected_behavior_max_length
        check (char_length(expected_behavior) <= 5000),
    constraint support_tickets_actual_behavior_max_length
        check (char_length(actual_behavior) <= 5000),
    constraint support_tickets_device_info_max_length check (char_length(device_info) <= 255),
    constraint support_tickets_app_version_max_length check (char_length(app_version) <= 50),
    constraint support_tickets_screenshot_urls_max_count check (cardinality(screenshot_urls) <= 5),
    constraint support_tickets_screenshot_urls_https
        check (private.screenshot_urls_are_valid(screenshot_urls)),
    constraint support_tickets_bug_details_bug_only check (
        ticket_type = 'bug'
        or num_nonnulls(steps_to_reproduce, expected_behavior, actual_behavior,
                        device_info, app_version, screenshot_urls) = 0
    )
);

comment on table public.support_tickets is
    'Bug reports (ticket_type = bug) and support tickets filed by users. Users read and file '
    'their own; support works them here (status, priority, admin_notes, resolution, '
    'assigned_to). updated_at and resolved_at are kept by a trigger.';
comment on column public.support_tickets.user_id is 'The user who filed the ticket (auth.users).';
comment on column public.support_tickets.ticket_type is 'A code of public.ticket_types.';
comment on column public.support_tickets.subject is
    'At most 255 characters; for bug reports derived from the first line of the description.';
comment on column public.support_tickets.description is 'What the user wrote; at most 5000 characters.';
comment on column public.support_tickets.status is
    'A code of public.ticket_statuses. Set by support only; users see it in their list.';
comment on column public.support_tickets.priority is 'A code of public.ticket_priorities; medium by default.';
comment on column public.support_tickets.follow_up_of is
    'The user''s own closed ticket that this one follows up; null for a new matter.';
comment on column public.support_tickets.admin_notes is 'Support''s notes. Users can read them.';
comment on column public.support_tickets.resolution is 'What support did; shown to the user.';
comment on column public.support_tickets.assigned_to is 'Who in support owns the ticket; at most 100 characters.';
comment on column public.support_tickets.meta_data is 'Free-form JSON object for integrations (e.g. the source channel).';
comment on column public.support_tickets.updated_at is 'Set to now() on every update by a trigger.';
comment on column public.support_tickets.resolved_at is
    'Set when status becomes resolved, cleared when the ticket is reopened (open or in_progress); '
    'kept when a resolved ticket is closed.';
comment on column public.support_tickets.steps_to_reproduce is 'Bug reports only; at most 5000 characters.';
comment on column public.support_tickets.expected_behavior is 'Bug reports only; at most 5000 characters.';
comment on column public.support_tickets.actual_behavior is 'Bug reports only; at most 5000 characters.';
comment on column public.support_tickets.device_info is 'Bug reports only; at most 255 characters.';
comment on column public.support_tickets.app_version is 'Bug reports only; at most 50 characters.';
comment on column public.support_tickets.screenshot_urls is
    'Bug reports only; at most 5 https:// URLs of at most 2048 characters each.';

-- The comment of each constraint is the message the API returns when it is broken:
-- it names the field and the rule, never the value ({codes}: the vocabulary's codes).
comment on constraint support_tickets_ticket_type_valid on public.support_tickets is
    'ticket_type must be one of {codes}';
comment on constraint support_tickets_subject_not_blank on public.support_tickets is
    'subject must not be blank';
comment on constraint support_tickets_subject_max_length on public.support_tickets is
    'subject must be at most 255 characters';
comment on constraint support_tickets_description_not_blank on public.support_tickets is
    'description must not be blank';
comment on constraint support_tickets_description_max_length on public.support_tickets is
    'description must be at most 5000 characters';
comment on constraint support_tickets_status_valid on public.support_tickets is
    'status must be one of {codes}';
comment on constraint support_tickets_priority_valid on public.support_tickets is
    'priority must be one of {codes}';
comment on constraint support_tickets_assigned_to_max_length on public.support_tickets is
    'assigned_to must be at most 100 characters';
comment on constraint support_tickets_meta_data_object on public.support_tickets is
    'meta_data must be a JSON object';
comment on constraint support_tickets_steps_to_reproduce_max_length on public.support_tickets is
    'steps_to_reproduce must be at most 5000 characters';
comment on constraint support_tickets_expected_behavior_max_length on public.support_tickets is
    'expected_behavior must be at most 5000 characters';
comment on constraint support_tickets_actual_behavior_max_length on public.support_tickets is
    'actual_behavior must be at most 5000 characters';
comment on constraint support_tickets_device_info_max_length on public.support_tickets is
    'device_info must be at most 255 characters';
comment on constraint support_tickets_app_version_max_length on public.support_tickets is
    'app_version must be at most 50 characters';
comment on constraint support_tickets_screenshot_urls_max_count on public.support_tickets is
    'screenshot_urls must hold at most 5 URLs';
comment on constraint support_tickets_screenshot_urls_https on public.support_tickets is
    'screenshot_urls must each be an https:// URL of at most 2048 characters';
comment on constraint support_tickets_bug_details_bug_only on public.support_tickets is
    'steps_to_reproduce, expected_behavior, actual_behavior, device_info, app_version and '
    'screenshot_urls are only allowed on bug reports (ticket_type bug)';

-- A user's tickets, newest first (list, detail); the same filtered by status.
create index support_tickets_user_id_created_at_idx
    on public.support_tickets (user_id, created_at desc);
create index support_tickets_user_id_status_created_at_idx
    on public.support_tickets (user_id, status, created_at desc);
create index support_tickets_follow_up_of_idx on public.support_tickets (follow_up_of)
    where follow_up_of is not null;

-- Triggers.

create function private.derive_bug_subject()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    -- One place for the derivation, used by report_bug and by direct inserts alike. When the
    -- description has no non-blank line the subject becomes '' rather than null, so the error
    -- the user gets is about the description (its constraint sorts before the subject's).
    if new.ticket_type = 'bug' and new.subject is null then
        new.subject := coalesce(private.bug_subject(new.description), '');
    end if;
    return new;
end;
$$;

comment on function private.derive_bug_subject() is
    'Before insert on public.support_tickets: a bug report without a subject gets one derived '
    'from its description (private.bug_subject).';

create function private.track_ticket_status()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    if tg_op = 'UPDATE' then
        new.updated_at := now();
        if new.status = 'resolved' and old.status is distinct from 'resolved' then
            new.resolved_at := now();
        elsif new.status in ('open', 'in_progress') then
            new.resolved_at := null;
        end if;
    elsif new.status = 'resolved' and new.resolved_at is null then
        new.resolved_at := now();
    end if;
    return new;
end;
$$;

comment on function private.track_ticket_status() is
    'Before insert or update on public.support_tickets: updated_at = now() on update; '
    'resolved_at set when the status becomes resolved, cleared when the ticket is reopened.';

create function private.check_follow_up()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    -- Read as the writer: a user sees only their own tickets, so another user's ticket and a
    -- missing one get the same answer.
    if new.follow_up_of is not null and not exists (
        select 1
        from public.support_tickets as t
        where t.id = new.follow_up_of
            and t.user_id = new.user_id
            and t.status = 'closed'
    ) then
        perform private.refuse('follow_up_not_closed');
    end if;
    return new;
end;
$$;

comment on function private.check_follow_up() is
    'Before insert or update of follow_up_of on public.support_tickets: it must name a closed '
    'ticket of the same user (400 otherwise).';

revoke all on function private.derive_bug_subject(), private.track_ticket_status(),
    private.check_follow_up() from public;

-- Named to fire first of the before-insert triggers (name order): a bad reference is refused
-- before the rate limit counts.
create trigger support_tickets_check_follow_up
    before insert or update of follow_up_of on public.support_tickets
    for each row
    execute function private.check_follow_up();

create trigger support_tickets_derive_bug_subject
    before insert on public.support_tickets
    for each row
    execute function private.derive_bug_subject();

-- Named to fire last of the before triggers, where the CHECK constraints it stands for ran.
create trigger support_tickets_vocabulary
    before insert or update of ticket_type, priority, status on public.support_tickets
    for each row
    execute function private.check_vocabulary();

create trigger support_tickets_track_status
    before insert or update on public.support_tickets
    for each row
    execute function private.track_ticket_status();

-- Grants: anon nothing; users read, and insert only the columns a user may set. Support-only
-- columns (status, admin_notes, resolution, assigned_to, resolved_at), the timestamps, id and
-- meta_data are not insertable by users; nothing is updatable or deletable by users.
revoke all on table public.support_tickets from anon, authenticated;
grant select on table public.support_tickets to authenticated;
grant insert (
    user_id, ticket_type, subject, description, priority,
    steps_to_reproduce, expected_behavior, actual_behavior, device_info, app_version, screenshot_urls,
    follow_up_of
) on table public.support_tickets to authenticated;
grant select, insert, update, delete on table public.support_tickets to service_role;

-- The constraints call these helpers with the privileges of whoever writes the row.
revoke all on function private.screenshot_urls_are_valid(text[]),
    private.bug_subject(text) from public;
grant execute on function private.screenshot_urls_are_valid(text[]),
    private.bug_subject(text) to authenticated, service_role;

alter table public.support_tickets enable row level security;

create policy "users read their own tickets"
    on public.support_tickets
    for select
    to authenticated
    using (user_id = (select auth.uid()));

create policy "users file their own tickets"
    on public.support_tickets
    for insert
    to authenticated
    with check (user_id = (select auth.uid()));
