-- The feedback loop as data: statuses and their allowed moves, duplicates, the response and
-- the review time kept by triggers, and an append-only history.
--
-- Why: people who asked for something hear what became of it. Statuses: received ->
-- under_review -> planned -> in_progress -> shipped, or declined, or duplicate (of another entry,
-- duplicate_of): rows of public.feedback_statuses. The contract's user_feedback keeps its
-- columns. Each allowed move is
-- a row of feedback_transitions (admins change them); a BEFORE UPDATE trigger refuses every
-- other move for every role with HTTP 409 naming both statuses. Triggers keep reviewed_at (the
-- first move away from received, as before) and admin_response: an entry that becomes
-- shipped, declined or duplicate without a response gets the text of support_messages
-- (feedback_status.<status>). When an entry with a feature_name ships, every open entry with
-- the same feature_name ships with it (rows marked with_feature): the people who asked for the
-- feature learn it shipped. A response is one person's ("Hi …, for your account"): each entry
-- shipped with the feature keeps its own, or gets the shared shipped text when it has none. Every change is a feedback_events row
-- (status, response, duplicate), written by a trigger; users read the history of their own
-- feedback. Staff hold no read policy on user_feedback or feedback_events (as on tickets, see
-- 20260110000800), so a user's read of their own feedback is planned for that user alone; staff
-- read entries and history through the definer functions of 20260111000900.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file adding-foreign-key-constraint, constraint-missing-not-valid, require-concurrent-index-creation

alter table public.user_feedback
    add column duplicate_of uuid references public.user_feedback (id) on delete set null,
    add constraint user_feedback_duplicate_of_when_duplicate
        check ((status = 'duplicate') = (duplicate_of is not null)),
    add constraint user_feedback_duplicate_of_not_self check (duplicate_of <> id),
    add constraint user_feedback_admin_response_max_length check (char_length(admin_response) <= 5000);

comment on column public.user_feedback.status is
    'A code of public.feedback_statuses; moves along public.feedback_transitions, set by support only.';
comment on column public.user_feedback.duplicate_of is
    'For status duplicate: the entry this one repeats.';
comment on column public.user_feedback.admin_response is
    'Support''s answer to the person; a default text when an entry is closed without one.';
comment on constraint user_feedback_duplicate_of_when_duplicate on public.user_feedback is
    'duplicate_of is required for status duplicate and only allowed with it';
comment on constraint user_feedback_duplicate_of_not_self on public.user_feedback is
    'feedback cannot be a duplicate of itself';
comment on constraint user_feedback_admin_response_max_length on public.user_feedback is
    'admin_response must be at most 5000 characters';

create index user_feedback_status_created_at_idx on public.user_feedback (status, created_at desc);
create index user_feedback_feature_name_status_idx on public.user_feedback (feature_name, status)
    where feature_name is not null;
create index user_feedback_created_at_idx on public.user_feedback (created_at desc, id desc);
create index user_feedback_search_idx on public.user_feedback
    using gin (pg_catalog.to_tsvector('simple'::regconfig, description));

insert into public.support_messages (topic, message) values
    ('feedback_status.shipped', 'Good news: what you asked for has shipped. Thank you for the idea!'),
    ('feedback_status.declined', 'Thank you for the idea. We have decided not to build this for now.'),
    ('feedback_status.duplicate', 'Thank you! Someone suggested this before; we track it there.');

create table public.feedback_transitions (
    from_status text not null,
    to_status text not null,
    with_feature boolean not null default false,
    description text,
    primary key (from_status, to_status),
    constraint feedback_transitions_from_status_valid
        foreign key (from_status) references public.feedback_statuses (code),
    constraint feedback_transitions_to_status_valid
        foreign key (to_status) references public.feedback_statuses (code),
    constraint feedback_transitions_to_status_differs check (from_status <> to_status)
);

comment on table public.feedback_transitions is
    'Allowed status changes of feedback entries. A change without a row here is refused on every path.';
comment on column public.feedback_transitions.with_feature is
    'Only as part of shipping a feature: another entry with the same feature_name became shipped.';
comment on constraint feedback_transitions_from_status_valid on public.feedback_transitions is
    'from_status must be one of {codes}';
comment on constraint feedback_transitions_to_status_valid on public.feedback_transitions is
    'to_status must be one of {codes}';
comment on constraint feedback_transitions_to_status_differs on public.feedback_transitions is
    'to_status must differ from from_status';

create trigger feedback_transitions_vocabulary
    before insert or update of from_status, to_status on public.feedback_transitions
    for each row
    execute function private.check_vocabulary();

insert into public.feedback_transitions (from_status, to_status, with_feature, description) values
    ('received', 'under_review', false, 'Support looks at it.'),
    ('received', 'planned', false, 'On the roadmap at once.'),
    ('received', 'declined', false, 'Not for us.'),
    ('received', 'duplicate', false, 'Asked before.'),
    ('under_review', 'planned', false, 'On the roadmap.'),
    ('under_review', 'declined', false, 'Not for us.'),
    ('under_review', 'duplicate', false, 'Asked before.'),
    ('planned', 'in_progress', false, 'Being built.'),
    ('planned', 'declined', false, 'Taken off the roadmap.'),
    ('in_progress', 'shipped', false, 'Released.'),
    ('in_progress', 'planned', false, 'Paused.'),
    ('declined', 'under_review', false, 'Reconsidered.'),
    ('duplicate', 'under_review', false, 'Not a duplicate after all.'),
    ('received', 'shipped', true, 'The feature it asks for shipped.'),
    ('under_review', 'shipped', true, 'The feature it asks for shipped.'),
    ('planned', 'shipped', true, 'The feature it asks for shipped.');

alter table public.feedback_transitions enable row level security;
revoke all on table public.feedback_transitions from anon, authenticated;
grant select, insert, delete on table public.feedback_transitions to authenticated;
grant update (with_feature, description) on table public.feedback_transitions to authenticated;
grant select, insert, update, delete on table public.feedback_transitions to service_role;

create policy "signed-in users read the feedback workflow"
    on public.feedback_transitions for select to authenticated using (true);
create policy "admins add feedback transitions"
    on public.feedback_transitions for insert to authenticated with check ((select private.is_admin()));
create policy "admins change feedback transitions"
    on public.feedback_transitions for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins remove feedback transitions"
    on public.feedback_transitions for delete to authenticated using ((select private.is_admin()));

create table public.feedback_events (
    id bigint generated always as identity primary key,
    feedback_id uuid not null references public.user_feedback (id) on delete cascade,
    kind text not null,
    -- No foreign key: the history keeps who acted even after that account is gone.
    actor_id uuid,
    from_value text,
    to_value text,
    created_at timestamptz not null default now(),
    constraint feedback_events_kind_valid
        check (kind in ('status', 'response', 'duplicate', 'tag_added', 'tag_removed'))
);

comment on table public.feedback_events is
    'Append-only history of feedback entries, written by triggers: status (from, to), response '
    '(admin_response written or changed; the text is on the entry), duplicate (to = the entry) and '
    'tag_added / tag_removed (staff''s tags, 20260201000100; the owner does not see them).';
comment on constraint feedback_events_kind_valid on public.feedback_events is
    'kind must be one of status, response, duplicate, tag_added, tag_removed';

create index feedback_events_feedback_id_created_at_idx on public.feedback_events (feedback_id, created_at, id);

alter table public.feedback_events enable row level security;
revoke all on table public.feedback_events from anon, authenticated, service_role;
grant select on table public.feedback_events to authenticated, service_role;

create policy "users read the history of their own feedback"
    on public.feedback_events for select to authenticated
    using (kind not in ('tag_added', 'tag_removed') and exists (
        select 1 from public.user_feedback as f
        where f.id = feedback_events.feedback_id and f.user_id = (select auth.uid())
    ));

-- The append-only guard of ticket_events (20260110000500), for this table.
create trigger feedback_events_append_only
    before update or delete on public.feedback_events
    for each row
    execute function private.refuse_event_change('public.user_feedback', 'feedback_id');

create trigger feedback_events_no_truncate
    before truncate on public.feedback_events
    for each statement
    execute function private.refuse_event_change('public.user_feedback', 'feedback_id');

create function private.apply_feedback_workflow()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    rule public.feedback_transitions;
begin
    -- A missing or unknown status is left to the table's constraints (their messages name no value).
    if new.status is distinct from old.status
        and exists (select 1 from public.feedback_statuses as s where s.code = new.status) then
        select r.* into rule
        from public.feedback_transitions as r
        where r.from_status = old.status and r.to_status = new.status;
        if not found or (rule.with_feature
                         and current_setting('support.feature_shipping', true) is distinct from 'on') then
            perform private.refuse(
                'feedback_move_refused', pg_catalog.jsonb_build_object('from', old.status, 'to', new.status)
            );
        end if;
        if new.status <> 'duplicate' then
            new.duplicate_of := null;
        end if;
        if new.status in ('shipped', 'declined', 'duplicate')
            and coalesce(new.admin_response, '') ~ '^[[:space:]]*$' then
            new.admin_response := private.support_message('feedback_status.' || new.status);
        end if;
    end if;
    return new;
end;
$$;

comment on function private.apply_feedback_workflow() is
    'Before update on public.user_feedback: refuses a status change without a row in '
    'public.feedback_transitions (HTTP 409); clears duplicate_of off duplicate; gives a closed '
    'entry without a response the default text (support_messages feedback_status.<status>).';

-- Security definer: no role inserts feedback events directly, and shipping a feature updates
-- other users' entries. It records the changes of the row that fired it and ships only the open
-- entries with the same feature_name, through the workflow's with_feature rows.
create function private.record_feedback_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
begin
    insert into public.feedback_events (feedback_id, kind, actor_id, from_value, to_value)
    select new.id, c.kind, caller, c.before, c.after
    from (values
        ('status', old.status, new.status, old.status is distinct from new.status),
        ('duplicate', null, new.duplicate_of::text, new.duplicate_of is not null and old.duplicate_of is distinct from new.duplicate_of),
        ('response', null, null, old.admin_response is distinct from new.admin_response)
    ) as c(kind, before, after, changed)
    where c.changed;

    if new.status = 'shipped' and old.status <> 'shipped' and new.feature_name is not null
        and current_setting('support.feature_shipping', true) is distinct from 'on' then
        perform pg_catalog.set_config('support.feature_shipping', 'on', true);
        -- Not new.admin_response: it was written to one person. An entry without a response of
        -- its own gets the shared text (apply_feedback_workflow, feedback_status.shipped).
        update public.user_feedback as f
        set status = 'shipped'
        where f.feature_name = new.feature_name
            and f.id <> new.id
            and f.status in (
                select r.from_status from public.feedback_transitions as r where r.to_status = 'shipped'
            );
        perform pg_catalog.set_config('support.feature_shipping', '', true);
    end if;
    return null;
end;
$$;

comment on function private.record_feedback_change() is
    'After update on public.user_feedback: appends status, duplicate and response events; when an '
    'entry with a feature_name ships, ships the open entries of that feature, each keeping its own '
    'response (or getting the shared shipped text).';

revoke all on function private.apply_feedback_workflow(), private.record_feedback_change() from public;

create trigger user_feedback_apply_workflow
    before update on public.user_feedback
    for each row
    execute function private.apply_feedback_workflow();

create trigger user_feedback_record_history
    after update on public.user_feedback
    for each row
    execute function private.record_feedback_change();
