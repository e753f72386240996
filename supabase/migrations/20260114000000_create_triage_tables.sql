-- Auto-triage: the suggestions stored beside each ticket and feedback entry, the staff
-- decisions on them (the labels the model learns from), the training runs, and the settings.
--
-- Why: a classifier suggests a ticket's type and priority and a feedback entry's category, off
-- the request path (support-triage, a worker like the scheduler). Suggestions never touch what
-- the user chose and never hide or delay anything: they live in their own table, which only
-- staff read (RLS), and nothing but a staff decision with "apply" changes a ticket. Each staff
-- accept or override is kept in triage_labels; retraining reads them. Shadow mode (a setting
-- admins toggle) keeps computing and storing suggestions while agents see none of them, so the
-- model can be measured before anyone relies on it. The worker writes through the functions of
-- its own role (20260114002000); no API role inserts or changes suggestions, labels or runs.
-- As with tickets (20260110000800), staff hold no read policy on the suggestions, labels and
-- runs: they read them only through the staff RPCs (security definer functions in private
-- that check private.staff_role() first, behind public invoker wrappers), so no API role has
-- any privilege on those three tables.

-- squawk: Days, counts of examples and labels of one training run: nowhere near the int limit.
-- squawk-ignore-file prefer-bigint-over-int

create table public.triage_settings (
    id boolean primary key default true,
    shadow_mode boolean not null default true,
    similar_window_days integer not null default 30,
    similar_min_score real not null default 0.25,
    updated_at timestamptz not null default now(),
    constraint triage_settings_id_single check (id),
    constraint triage_settings_similar_window_days_range check (similar_window_days between 1 and 365),
    constraint triage_settings_similar_min_score_range check (similar_min_score > 0 and similar_min_score <= 1)
);

comment on table public.triage_settings is
    'Auto-triage settings, one row; admins change them. shadow_mode (on at first): suggestions '
    'are computed and stored but agents are shown none. similar_window_days: how far back the '
    'likely-duplicate lookup searches open bug reports. similar_min_score: the least score a '
    'likely duplicate needs.';
comment on constraint triage_settings_id_single on public.triage_settings is
    'there is one settings row';
comment on constraint triage_settings_similar_window_days_range on public.triage_settings is
    'similar_window_days must be between 1 and 365';
comment on constraint triage_settings_similar_min_score_range on public.triage_settings is
    'similar_min_score must be above 0 and at most 1';

insert into public.triage_settings default values;

alter table public.triage_settings enable row level security;
create policy "staff read the triage settings" on public.triage_settings
    for select to authenticated using ((select private.is_staff()));
create policy "admins change the triage settings" on public.triage_settings
    for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
revoke all on public.triage_settings from anon, authenticated, service_role;
grant select, update (shadow_mode, similar_window_days, similar_min_score) on public.triage_settings
    to authenticated;

create function private.touch_triage_settings()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end;
$$;
comment on function private.touch_triage_settings() is 'Keeps triage_settings.updated_at.';
revoke all on function private.touch_triage_settings() from public;
create trigger touch_triage_settings before update on public.triage_settings
    for each row execute function private.touch_triage_settings();

-- One row per suggested field, so each kind (ticket_type, priority, category) is decided and
-- measured on its own.
create table public.triage_suggestions (
    id uuid primary key default gen_random_uuid(),
    ticket_id uuid references public.support_tickets (id) on delete cascade,
    feedback_id uuid references public.user_feedback (id) on delete cascade,
    field text not null,
    value text not null,
    confidence real not null,
    model_version text not null,
    created_at timestamptz not null default now(),
    constraint triage_suggestions_item_one check (num_nonnulls(ticket_id, feedback_id) = 1),
    constraint triage_suggestions_field_valid check (
        (ticket_id is not null and field in ('ticket_type', 'priority'))
        or (feedback_id is not null and field = 'category')
    ),
    constraint triage_suggestions_confidence_range check (confidence between 0 and 1),
    constraint triage_suggestions_model_version_max_length check (char_length(model_version) <= 100)
);

comment on table public.triage_suggestions is
    'What the model suggests for a ticket (ticket_type, priority) or a feedback entry '
    '(category), with its confidence and the model version. Written by support-triage; staff '
    'read it through support_suggestions, nobody in shadow mode; never applied to the item by '
    'itself.';
comment on constraint triage_suggestions_item_one on public.triage_suggestions is
    'a suggestion is for exactly one ticket or feedback entry';
comment on constraint triage_suggestions_field_valid on public.triage_suggestions is
    'field must be ticket_type or priority for a ticket, category for feedback';
comment on constraint triage_suggestions_confidence_range on public.triage_suggestions is
    'confidence must be between 0 and 1';
comment on constraint triage_suggestions_model_version_max_length on public.triage_suggestions is
    'model_version must be at most 100 characters';

create function private.check_triage_value()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    -- The value must be a code of its field's vocabulary (a CHECK cannot read those tables).
    if not coalesce(new.value = any (private.field_codes(new.field)), false) then
        raise exception 'value must be one of the values its field allows'
            using errcode = 'check_violation', table = tg_table_name, column = 'value';
    end if;
    return new;
end;
$$;

comment on function private.check_triage_value() is
    'Before insert or update on public.triage_suggestions: the value is a code of the '
    'vocabulary of its field (private.field_codes).';
revoke all on function private.check_triage_value() from public;

create trigger triage_suggestions_check_value
    before insert or update of field, value on public.triage_suggestions
    for each row
    execute function private.check_triage_value();

create unique index triage_suggestions_ticket_id_field_idx
    on public.triage_suggestions (ticket_id, field) where ticket_id is not null;
create unique index triage_suggestions_feedback_id_field_idx
    on public.triage_suggestions (feedback_id, field) where feedback_id is not null;
create index triage_suggestions_created_at_idx on public.triage_suggestions (created_at);

create function private.triage_shadow_mode()
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return coalesce((select s.shadow_mode from public.triage_settings as s), true);
end;
$$;
comment on function private.triage_shadow_mode() is
    'True while auto-triage runs in shadow mode (suggestions stored, shown to nobody). Called by '
    'the staff operations, which run as the owner.';
revoke all on function private.triage_shadow_mode() from public;

-- No policy and no grant: only the owner's definer functions (the worker's, the staff
-- operations) read or write.
alter table public.triage_suggestions enable row level security;
revoke all on public.triage_suggestions from anon, authenticated, service_role;

-- The staff decisions: accepted (chosen = suggested) or overridden, and whether the item's
-- field was changed. Append-only; written only by public.support_decide_suggestion.
create table public.triage_labels (
    id uuid primary key default gen_random_uuid(),
    suggestion_id uuid not null references public.triage_suggestions (id) on delete cascade,
    ticket_id uuid references public.support_tickets (id) on delete cascade,
    feedback_id uuid references public.user_feedback (id) on delete cascade,
    field text not null,
    suggested_value text not null,
    chosen_value text not null,
    accepted boolean generated always as (chosen_value = suggested_value) stored,
    applied boolean not null,
    decided_by uuid references auth.users (id) on delete set null,
    decided_at timestamptz not null default now(),
    constraint triage_labels_item_one check (num_nonnulls(ticket_id, feedback_id) = 1)
);

comment on table public.triage_labels is
    'Staff decisions on suggestions: the chosen value (accepted when equal to the suggestion), '
    'whether the item was changed to it, who and when. The labels support-triage trains on.';
comment on constraint triage_labels_item_one on public.triage_labels is
    'a label is for exactly one ticket or feedback entry';

create unique index triage_labels_suggestion_id_key on public.triage_labels (suggestion_id);
create index triage_labels_ticket_id_idx on public.triage_labels (ticket_id) where ticket_id is not null;
create index triage_labels_feedback_id_idx on public.triage_labels (feedback_id) where feedback_id is not null;
create index triage_labels_decided_by_idx on public.triage_labels (decided_by);

alter table public.triage_labels enable row level security;
revoke all on public.triage_labels from anon, authenticated, service_role;

-- What each training run measured on the labels it held out.
create table public.triage_model_runs (
    id bigint generated always as identity primary key,
    model_version text not null,
    trained_at timestamptz not null default now(),
    field text not null,
    examples integer not null,
    staff_labels integer not null,
    held_out integer not null,
    held_out_accuracy real not null,
    constraint triage_model_runs_field_valid check (field in ('ticket_type', 'priority', 'category')),
    constraint triage_model_runs_held_out_accuracy_range check (held_out_accuracy between 0 and 1)
);

comment on table public.triage_model_runs is
    'One row per field per training run of support-triage: how many examples (of which staff '
    'labels) it learnt from, how many it held out, and its accuracy on those.';
comment on constraint triage_model_runs_field_valid on public.triage_model_runs is
    'field must be ticket_type, priority or category';
comment on constraint triage_model_runs_held_out_accuracy_range on public.triage_model_runs is
    'held_out_accuracy must be between 0 and 1';
create index triage_model_runs_trained_at_idx on public.triage_model_runs (trained_at desc);

alter table public.triage_model_runs enable row level security;
revoke all on public.triage_model_runs from anon, authenticated, service_role;
