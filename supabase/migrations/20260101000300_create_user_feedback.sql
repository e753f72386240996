-- User feedback: feature requests, improvements, complaints, praise.
--
-- Why: the contract's user_feedback table, with every input rule as a named constraint whose
-- comment is the error message the API returns (see 20260101000200_create_support_tickets.sql).
-- Users read and submit their own feedback; status, admin_response and reviewed_at belong to
-- the product team.

create table public.user_feedback (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    category text not null,
    description text not null,
    -- 1 to 5 (user_feedback_rating_range): nowhere near the int limit squawk warns of.
    -- squawk-ignore prefer-bigint-over-int
    rating integer,
    feature_name text,
    would_recommend boolean,
    status text not null default 'received',
    admin_response text,
    meta_data jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    reviewed_at timestamptz,

    constraint user_feedback_category_valid
        foreign key (category) references public.feedback_categories (code),
    constraint user_feedback_description_not_blank check (description !~ '^[[:space:]]*$'),
    constraint user_feedback_description_max_length check (char_length(description) <= 5000),
    constraint user_feedback_rating_range check (rating between 1 and 5),
    constraint user_feedback_feature_name_max_length check (char_length(feature_name) <= 100),
    constraint user_feedback_status_valid foreign key (status) references public.feedback_statuses (code),
    constraint user_feedback_meta_data_object check (jsonb_typeof(meta_data) = 'object')
);

comment on table public.user_feedback is
    'Product feedback from users. Users read and submit their own; the product team sets '
    'status and admin_response. reviewed_at is set by a trigger.';
comment on column public.user_feedback.user_id is 'The user who sent the feedback (auth.users).';
comment on column public.user_feedback.category is
    'A code of public.feedback_categories.';
comment on column public.user_feedback.description is 'What the user wrote; at most 5000 characters.';
comment on column public.user_feedback.rating is 'Optional, 1 to 5.';
comment on column public.user_feedback.feature_name is 'Optional feature the feedback is about; at most 100 characters.';
comment on column public.user_feedback.would_recommend is 'Optional answer to "would you recommend us?".';
comment on column public.user_feedback.status is
    'A code of public.feedback_statuses; received by default. Set by the product team only.';
comment on column public.user_feedback.admin_response is 'The product team''s answer.';
comment on column public.user_feedback.meta_data is 'Free-form JSON object for integrations (e.g. the source channel).';
comment on column public.user_feedback.reviewed_at is
    'Set by a trigger when the status first leaves received; never cleared.';

comment on constraint user_feedback_category_valid on public.user_feedback is
    'category must be one of {codes}';
comment on constraint user_feedback_description_not_blank on public.user_feedback is
    'description must not be blank';
comment on constraint user_feedback_description_max_length on public.user_feedback is
    'description must be at most 5000 characters';
comment on constraint user_feedback_rating_range on public.user_feedback is
    'rating must be an integer from 1 to 5';
comment on constraint user_feedback_feature_name_max_length on public.user_feedback is
    'feature_name must be at most 100 characters';
comment on constraint user_feedback_status_valid on public.user_feedback is
    'status must be one of {codes}';
comment on constraint user_feedback_meta_data_object on public.user_feedback is
    'meta_data must be a JSON object';

-- A user's feedback, newest first: the policy's filter and the rate-limit count.
create index user_feedback_user_id_created_at_idx
    on public.user_feedback (user_id, created_at desc);

create function private.track_feedback_review()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    if new.status <> 'received' and new.reviewed_at is null then
        new.reviewed_at := now();
    end if;
    return new;
end;
$$;

comment on function private.track_feedback_review() is
    'Before insert or update on public.user_feedback: reviewed_at is set the first time the '
    'status is something other than received.';
revoke all on function private.track_feedback_review() from public;

-- Named to fire last of the before triggers, where the CHECK constraints it stands for ran.
create trigger user_feedback_vocabulary
    before insert or update of category, status on public.user_feedback
    for each row
    execute function private.check_vocabulary();

create trigger user_feedback_track_review
    before insert or update on public.user_feedback
    for each row
    execute function private.track_feedback_review();

-- Grants: anon nothing; users read, and insert only what they may set. Nothing is updatable or
-- deletable by users.
revoke all on table public.user_feedback from anon, authenticated;
grant select on table public.user_feedback to authenticated;
grant insert (user_id, category, description, rating, feature_name, would_recommend)
    on table public.user_feedback to authenticated;
grant select, insert, update, delete on table public.user_feedback to service_role;

alter table public.user_feedback enable row level security;

create policy "users read their own feedback"
    on public.user_feedback
    for select
    to authenticated
    using (user_id = (select auth.uid()));

create policy "users submit their own feedback"
    on public.user_feedback
    for insert
    to authenticated
    with check (user_id = (select auth.uid()));
