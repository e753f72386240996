-- Public posts: what staff make of private feedback, for everyone to read (issue 29).
--
-- Why: ten users who want the same feature file ten entries and never learn that others asked.
-- Staff turn an entry into a public post (a title and a description written for the public, a
-- category, a feature) with support_publish_feedback, or gather an entry into an existing post
-- with support_merge_feedback; support_update_post edits a post and moves its status along the
-- feedback workflow (public.feedback_transitions, the rows that are not with_feature). A post's
-- status is one of public.feedback_statuses but received and duplicate (a post starts
-- under_review). The entries a post gathers are rows of public.feedback_post_entries, which
-- only staff read: an author's own text stays private, and no post names its authors, unless
-- the author shares their entry (share_my_feedback, a row of public.shared_feedback), which
-- shows its text and the name they chose, never their id. Every signed-in user reads posts
-- (board_posts, 20260207000200); anonymous visitors only when the admin setting
-- public.board_settings.public_read says so. Votes are 20260207000100.

-- squawk: First release: nothing is deployed yet, so the tables this file creates are empty.
-- squawk-ignore-file require-concurrent-index-creation

insert into public.support_messages (topic, status, code, message, hint) values
    ('post_not_found', 404, 'post_not_found', 'Post not found', null),
    ('post_move_refused', 409, 'post_move_refused', 'A post cannot move from {from} to {to}',
        'See public.feedback_transitions for the allowed moves.'),
    ('feedback_on_other_post', 409, 'feedback_on_other_post', 'This feedback entry is already gathered in another post', null),
    ('post_nothing_to_do', 400, 'post_nothing_to_do', 'give at least one of status, title, description, category, feature_name', null),
    ('board_not_public', 403, 'board_not_public', 'Sign in to read the feedback board', null);

create table public.board_settings (
    id boolean primary key default true,
    public_read boolean not null default false,
    similar_min_score real not null default 0.25,
    -- Days: a small number admins set.
    -- squawk-ignore prefer-bigint-over-int
    shipped_recent_days integer not null default 30,
    constraint board_settings_id_single check (id),
    constraint board_settings_shipped_recent_days_range check (shipped_recent_days between 1 and 365),
    constraint board_settings_similar_min_score_range check (similar_min_score > 0 and similar_min_score <= 1)
);

comment on table public.board_settings is
    'One row: how open the feedback board is. Admins change it; every change is in the audit log.';
comment on column public.board_settings.public_read is
    'True: anonymous visitors read the public posts, the roadmap and the changelog '
    '(visitor_board_posts). False: only signed-in users do.';
comment on column public.board_settings.similar_min_score is
    'similar_posts (20260207000300) leaves out posts scoring below this (0-1; the similar tickets'' score).';
comment on column public.board_settings.shipped_recent_days is
    'The roadmap (20260207000400) shows posts shipped within this many days.';
comment on constraint board_settings_id_single on public.board_settings is 'board_settings holds one row';
comment on constraint board_settings_shipped_recent_days_range on public.board_settings is
    'shipped_recent_days must be between 1 and 365';
comment on constraint board_settings_similar_min_score_range on public.board_settings is
    'similar_min_score must be greater than 0 and at most 1';

insert into public.board_settings (id, public_read) values (true, false);

create table public.feedback_posts (
    id uuid primary key default gen_random_uuid(),
    title text not null,
    description text not null,
    category text not null,
    feature_name text,
    status text not null default 'under_review',
    -- A count of users: far below the int limit squawk warns of.
    -- squawk-ignore prefer-bigint-over-int
    vote_count integer not null default 0,
    -- No foreign key: the post keeps who published it even after that account is gone.
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    status_changed_at timestamptz not null default now(),
    constraint feedback_posts_category_valid
        foreign key (category) references public.feedback_categories (code),
    constraint feedback_posts_status_valid
        foreign key (status) references public.feedback_statuses (code),
    constraint feedback_posts_status_public check (status not in ('received', 'duplicate')),
    constraint feedback_posts_title_not_blank check (not private.is_blank(title)),
    constraint feedback_posts_title_max_length check (char_length(title) <= 150),
    constraint feedback_posts_description_not_blank check (not private.is_blank(description)),
    constraint feedback_posts_description_max_length check (char_length(description) <= 5000),
    constraint feedback_posts_feature_name_max_length check (char_length(feature_name) <= 100),
    constraint feedback_posts_vote_count_not_negative check (vote_count >= 0)
);

comment on table public.feedback_posts is
    'Public posts of the feedback board, written by staff for everyone to read. Staff create and '
    'change them through support_publish_feedback, support_merge_feedback and support_update_post; '
    'vote_count is kept by the votes'' trigger (20260207000100), exactly.';
comment on column public.feedback_posts.title is 'What the public reads as the post''s name.';
comment on column public.feedback_posts.description is 'The text for the public (never an author''s own text).';
comment on column public.feedback_posts.status is
    'A feedback status but received and duplicate; moves along feedback_transitions.';
comment on column public.feedback_posts.vote_count is 'How many users vote for it; kept by a trigger on post_votes.';
comment on column public.feedback_posts.created_by is 'The staff member who published it (not shown to users).';
comment on column public.feedback_posts.status_changed_at is 'When it last changed status (the roadmap''s "shipped recently").';
comment on constraint feedback_posts_category_valid on public.feedback_posts is 'category must be one of {codes}';
comment on constraint feedback_posts_status_valid on public.feedback_posts is 'status must be one of {codes}';
comment on constraint feedback_posts_status_public on public.feedback_posts is
    'a post''s status cannot be received or duplicate';
comment on constraint feedback_posts_title_not_blank on public.feedback_posts is 'title must not be blank';
comment on constraint feedback_posts_title_max_length on public.feedback_posts is 'title must be at most 150 characters';
comment on constraint feedback_posts_description_not_blank on public.feedback_posts is 'description must not be blank';
comment on constraint feedback_posts_description_max_length on public.feedback_posts is
    'description must be at most 5000 characters';
comment on constraint feedback_posts_feature_name_max_length on public.feedback_posts is
    'feature_name must be at most 100 characters';
comment on constraint feedback_posts_vote_count_not_negative on public.feedback_posts is
    'vote_count cannot be negative';

create index feedback_posts_status_vote_count_idx on public.feedback_posts (status, vote_count desc, id);
create index feedback_posts_vote_count_idx on public.feedback_posts (vote_count desc, id);
create index feedback_posts_search_idx on public.feedback_posts
    using gin (pg_catalog.to_tsvector('simple'::regconfig, title || ' ' || description));

create trigger feedback_posts_vocabulary
    before insert or update of category, status on public.feedback_posts
    for each row
    execute function private.check_vocabulary();

create table public.feedback_post_entries (
    feedback_id uuid primary key references public.user_feedback (id) on delete cascade,
    post_id uuid not null references public.feedback_posts (id) on delete cascade,
    added_by uuid,
    added_at timestamptz not null default now()
);

comment on table public.feedback_post_entries is
    'Which private feedback entries a post gathers (one post per entry). Staff only: it would '
    'name the authors of a post.';
comment on column public.feedback_post_entries.added_by is 'The staff member who published or merged it.';

create index feedback_post_entries_post_id_idx on public.feedback_post_entries (post_id);

create table public.shared_feedback (
    feedback_id uuid primary key references public.user_feedback (id) on delete cascade,
    display_name text,
    shared_at timestamptz not null default now(),
    constraint shared_feedback_display_name_not_blank check (not private.is_blank(display_name)),
    constraint shared_feedback_display_name_max_length check (char_length(display_name) <= 60)
);

comment on table public.shared_feedback is
    'Feedback entries their authors chose to show on the post that gathers them: the entry''s text '
    'and display_name (the name they chose, or none) are shown; their account never is.';
comment on column public.shared_feedback.display_name is 'The name shown beside the shared text; none: anonymous.';
comment on constraint shared_feedback_display_name_not_blank on public.shared_feedback is 'display_name must not be blank';
comment on constraint shared_feedback_display_name_max_length on public.shared_feedback is
    'display_name must be at most 60 characters';

alter table public.board_settings enable row level security;
alter table public.feedback_posts enable row level security;
alter table public.feedback_post_entries enable row level security;
alter table public.shared_feedback enable row level security;
revoke all on table public.board_settings, public.feedback_posts, public.feedback_post_entries,
    public.shared_feedback from anon, authenticated;
grant select on table public.board_settings to authenticated;
grant update (public_read, similar_min_score, shipped_recent_days) on table public.board_settings to authenticated;
grant select (id, title, description, category, feature_name, status, vote_count, created_at,
    updated_at, status_changed_at) on table public.feedback_posts to authenticated;
grant select, insert, delete on table public.shared_feedback to authenticated;
grant update (display_name) on table public.shared_feedback to authenticated;
grant select, update on table public.board_settings to service_role;
grant select, insert, update, delete on table public.feedback_posts, public.feedback_post_entries,
    public.shared_feedback to service_role;
-- feedback_post_entries: no grant to signed-in users; staff read and write it through the
-- definer operations below, which check they are staff.

create policy "signed-in users read the board setting"
    on public.board_settings for select to authenticated using (true);
create policy "admins change the board setting"
    on public.board_settings for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "signed-in users read public posts"
    on public.feedback_posts for select to authenticated using (true);
create policy "users read what they shared"
    on public.shared_feedback for select to authenticated
    using (exists (select 1 from public.user_feedback as f
                   where f.id = shared_feedback.feedback_id and f.user_id = (select auth.uid())));
create policy "users share their own feedback"
    on public.shared_feedback for insert to authenticated
    with check (exists (select 1 from public.user_feedback as f
                        where f.id = shared_feedback.feedback_id and f.user_id = (select auth.uid())));
create policy "users rename what they shared"
    on public.shared_feedback for update to authenticated
    using (exists (select 1 from public.user_feedback as f
                   where f.id = shared_feedback.feedback_id and f.user_id = (select auth.uid())))
    with check (exists (select 1 from public.user_feedback as f
                        where f.id = shared_feedback.feedback_id and f.user_id = (select auth.uid())));
create policy "users stop sharing their own feedback"
    on public.shared_feedback for delete to authenticated
    using (exists (select 1 from public.user_feedback as f
                   where f.id = shared_feedback.feedback_id and f.user_id = (select auth.uid())));

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.board_settings', true, '{}', 'whether anonymous visitors read the feedback board'),
    ('public.feedback_posts', false, '{}', 'public posts of the feedback board (created_by: a staff id)'),
    ('public.feedback_post_entries', false, '{}', 'user data: which feedback entries a post gathers'),
    ('public.shared_feedback', false, '{}', 'user data: feedback entries their authors show on posts');
-- Erasure (docs/privacy.md): what an author shared goes before their feedback is anonymised;
-- a post keeps its text (written by staff for the public) without its publisher.
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{feedback_id,display_name}',
    erasure_rows = 'feedback_id in (select f.id from public.user_feedback as f where f.user_id = $1)'
where table_name = 'public.shared_feedback';
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{created_by}', erasure_rows = 'created_by = $1', erasure_set = 'created_by = null'
where table_name = 'public.feedback_posts';

create trigger audit_changes after insert or update or delete on public.board_settings
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.board_settings
    for each statement execute function private.record_audit();

-- The workflow of posts: the moves of feedback_transitions that are not part of shipping a
-- feature (with_feature), refused on every path with 409; updated_at and status_changed_at kept.
create function private.apply_post_workflow()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    if new.status is distinct from old.status
        and exists (select 1 from public.feedback_statuses as s where s.code = new.status) then
        if not exists (
            select 1 from public.feedback_transitions as r
            where r.from_status = old.status and r.to_status = new.status and not r.with_feature
        ) then
            perform private.refuse(
                'post_move_refused', pg_catalog.jsonb_build_object('from', old.status, 'to', new.status)
            );
        end if;
        new.status_changed_at := pg_catalog.now();
    end if;
    if (new.title, new.description, new.category, new.feature_name, new.status)
        is distinct from (old.title, old.description, old.category, old.feature_name, old.status) then
        new.updated_at := pg_catalog.now();
    end if;
    return new;
end;
$$;

comment on function private.apply_post_workflow() is
    'Before update on public.feedback_posts: refuses a status change without a row of '
    'feedback_transitions (with_feature false) with 409 post_move_refused; keeps updated_at and '
    'status_changed_at.';
revoke all on function private.apply_post_workflow() from public;

create trigger feedback_posts_apply_workflow
    before update on public.feedback_posts
    for each row
    execute function private.apply_post_workflow();

-- One post as every reader gets it. shared: the texts their authors chose to show, with the
-- name they chose; nothing else of the entries.
create function private.post_item(p public.feedback_posts)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return pg_catalog.json_build_object(
        'post_id', p.id,
        'title', p.title,
        'description', p.description,
        'category', p.category,
        'feature_name', p.feature_name,
        'status', p.status,
        'vote_count', p.vote_count,
        'created_at', private.utc_text(p.created_at),
        'updated_at', private.utc_text(p.updated_at),
        'status_changed_at', private.utc_text(p.status_changed_at)
    );
end;
$$;

comment on function private.post_item(public.feedback_posts) is 'One public post as the board operations return it.';
revoke all on function private.post_item(public.feedback_posts) from public;
grant execute on function private.post_item(public.feedback_posts) to authenticated, service_role;

-- Security definer: the shared texts are other users' feedback, which no reader may select.
-- It returns only entries whose author shared them (a row of shared_feedback), and of those only
-- the text, the chosen name and the date.
create function private.shared_entries_json(post_id uuid)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return coalesce((
        select pg_catalog.json_agg(pg_catalog.json_build_object(
                   'description', f.description,
                   'display_name', s.display_name,
                   'created_at', private.utc_text(f.created_at)
               ) order by f.created_at, f.id)
        from public.feedback_post_entries as e
        join public.shared_feedback as s on s.feedback_id = e.feedback_id
        join public.user_feedback as f on f.id = e.feedback_id
        where e.post_id = shared_entries_json.post_id
    ), '[]'::json);
end;
$$;

comment on function private.shared_entries_json(uuid) is
    'The entries of a post that their authors shared: text, chosen name, date; never an id. '
    'Security definer: readers hold no privilege on other users'' feedback.';
revoke all on function private.shared_entries_json(uuid) from public;
grant execute on function private.shared_entries_json(uuid) to authenticated, service_role;

-- Security definer: staff hold no privilege on feedback_posts or feedback_post_entries, and no
-- read policy on user_feedback (20260110000800). It checks the caller is staff, reads the one
-- entry, creates one post and gathers the entry into it.
create function private.publish_feedback_as_staff(target uuid, fields jsonb)
    returns public.feedback_posts
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    entry public.user_feedback;
    post public.feedback_posts;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.require_staff();
    select f.* into entry from public.user_feedback as f where f.id = target for update;
    if not found then
        perform private.refuse('feedback_not_found');
    end if;
    if exists (select 1 from public.feedback_post_entries as e where e.feedback_id = target) then
        perform private.refuse('feedback_on_other_post');
    end if;
    insert into public.feedback_posts (title, description, category, feature_name, status, created_by)
    values (fields ->> 'title', fields ->> 'description',
        coalesce(fields ->> 'category', entry.category),
        case when fields ? 'feature_name' then fields ->> 'feature_name' else entry.feature_name end,
        coalesce(fields ->> 'status', 'under_review'),
        (select auth.uid()))
    returning * into post;
    insert into public.feedback_post_entries (feedback_id, post_id, added_by)
    values (target, post.id, (select auth.uid()));
    return post;
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
        return null;  -- not reached: raise_rule_violation always raises
end;
$$;

comment on function private.publish_feedback_as_staff(uuid, jsonb) is
    'Staff only: makes a public post of a feedback entry (title, description, category?, '
    'feature_name?, status?) and gathers the entry into it.';
revoke all on function private.publish_feedback_as_staff(uuid, jsonb) from public;
grant execute on function private.publish_feedback_as_staff(uuid, jsonb) to authenticated;

create function public.support_publish_feedback(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{
        "feedback_id": "string", "title": "string", "description": "string", "category": "string",
        "feature_name": "string", "status": "string"
    }');
    return private.post_item(private.publish_feedback_as_staff(
        private.uuid_param(body ->> 'feedback_id', 'feedback_id'), body - 'feedback_id'));
end;
$$;

comment on function public.support_publish_feedback(jsonb) is
    'Staff only (403 otherwise). Body: {feedback_id, title, description, category?, feature_name?, '
    'status?}: a public post written for everyone (category and feature_name default to the '
    'entry''s, status to under_review) gathering the entry, whose own text stays private. Returns '
    'the post. 400 on a broken rule, 404 for a missing entry, 409 when the entry is on a post already.';
revoke all on function public.support_publish_feedback(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_publish_feedback(jsonb) to authenticated;

-- Security definer: as publish_feedback_as_staff. It gathers one entry into one post.
create function private.merge_feedback_as_staff(target uuid, post uuid)
    returns public.feedback_posts
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    found_post public.feedback_posts;
    current_post uuid;
begin
    perform private.require_staff();
    select p.* into found_post from public.feedback_posts as p where p.id = post;
    if not found then
        perform private.refuse('post_not_found');
    end if;
    perform 1 from public.user_feedback as f where f.id = target for update;
    if not found then
        perform private.refuse('feedback_not_found');
    end if;
    select e.post_id into current_post from public.feedback_post_entries as e where e.feedback_id = target;
    if current_post is distinct from post and current_post is not null then
        perform private.refuse('feedback_on_other_post');
    end if;
    insert into public.feedback_post_entries (feedback_id, post_id, added_by)
    values (target, post, (select auth.uid()))
    on conflict (feedback_id) do nothing;
    return found_post;
end;
$$;

comment on function private.merge_feedback_as_staff(uuid, uuid) is
    'Staff only: gathers a feedback entry into an existing post (again: nothing changes).';
revoke all on function private.merge_feedback_as_staff(uuid, uuid) from public;
grant execute on function private.merge_feedback_as_staff(uuid, uuid) to authenticated;

create function public.support_merge_feedback(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    post public.feedback_posts;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"feedback_id": "string", "post_id": "string"}');
    post := private.merge_feedback_as_staff(
        private.uuid_param(body ->> 'feedback_id', 'feedback_id'),
        private.uuid_param(body ->> 'post_id', 'post_id'));
    return pg_catalog.json_build_object('feedback_id', (body ->> 'feedback_id')::uuid, 'post', private.post_item(post));
end;
$$;

comment on function public.support_merge_feedback(jsonb) is
    'Staff only (403 otherwise). Body: {feedback_id, post_id}: the entry is gathered into the post '
    '(its author is told when the post moves). Returns {feedback_id, post}. 404 for a missing entry '
    'or post, 409 when the entry is on another post.';
revoke all on function public.support_merge_feedback(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_merge_feedback(jsonb) to authenticated;

-- Security definer: staff hold no update on feedback_posts. It checks the caller is staff and
-- writes only the fields given; the workflow trigger refuses a move it does not allow.
create function private.update_post_as_staff(target uuid, fields jsonb)
    returns public.feedback_posts
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    post public.feedback_posts;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.require_staff();
    update public.feedback_posts as p
    set status = case when fields ? 'status' then fields ->> 'status' else p.status end,
        title = case when fields ? 'title' then fields ->> 'title' else p.title end,
        description = case when fields ? 'description' then fields ->> 'description' else p.description end,
        category = case when fields ? 'category' then fields ->> 'category' else p.category end,
        feature_name = case when fields ? 'feature_name' then fields ->> 'feature_name' else p.feature_name end
    where p.id = target
    returning p.* into post;
    if not found then
        perform private.refuse('post_not_found');
    end if;
    return post;
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
        return null;  -- not reached: raise_rule_violation always raises
end;
$$;

comment on function private.update_post_as_staff(uuid, jsonb) is
    'Staff only: applies status, title, description, category and feature_name to a post.';
revoke all on function private.update_post_as_staff(uuid, jsonb) from public;
grant execute on function private.update_post_as_staff(uuid, jsonb) to authenticated;

create function public.support_update_post(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{
        "post_id": "string", "status": "string", "title": "string", "description": "string",
        "category": "string", "feature_name": "string"
    }');
    if not (body ?| array['status', 'title', 'description', 'category', 'feature_name']) then
        perform private.refuse('post_nothing_to_do');
    end if;
    return private.post_item(private.update_post_as_staff(
        private.uuid_param(body ->> 'post_id', 'post_id'), body - 'post_id'));
end;
$$;

comment on function public.support_update_post(jsonb) is
    'Staff only (403 otherwise). Body: {post_id, status?, title?, description?, category?, '
    'feature_name?}. Returns the post. 400 on a broken rule, 404 for a missing post, 409 for a move '
    'public.feedback_transitions does not allow (its rows that are not with_feature).';
revoke all on function public.support_update_post(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_update_post(jsonb) to authenticated;

create function public.share_my_feedback(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    target uuid;
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.check_request_body(body, '{"feedback_id": "string", "share": "boolean", "display_name": "string"}');
    target := private.uuid_param(body ->> 'feedback_id', 'feedback_id');
    if not exists (select 1 from public.user_feedback as f where f.id = target) then
        perform private.refuse('feedback_not_found');
    end if;
    if coalesce((body ->> 'share')::boolean, true) then
        insert into public.shared_feedback (feedback_id, display_name)
        values (target, body ->> 'display_name')
        on conflict (feedback_id) do update set display_name = excluded.display_name;
    else
        delete from public.shared_feedback as s where s.feedback_id = target;
    end if;
    return pg_catalog.json_build_object(
        'feedback_id', target,
        'shared', exists (select 1 from public.shared_feedback as s where s.feedback_id = target),
        'display_name', (select s.display_name from public.shared_feedback as s where s.feedback_id = target));
exception
    when check_violation then
        get stacked diagnostics
            error_code = returned_sqlstate,
            failed_schema = schema_name,
            failed_table = table_name,
            failed_constraint = constraint_name,
            failed_column = column_name;
        perform private.raise_rule_violation(
            error_code, failed_schema, failed_table, failed_constraint, failed_column
        );
        return null;  -- not reached: raise_rule_violation always raises
end;
$$;

comment on function public.share_my_feedback(jsonb) is
    'Signed-in users, for their own feedback (404 for anyone else''s). Body: {feedback_id, share?: '
    'true|false, display_name?}: share shows the entry''s text on the post that gathers it, with '
    'display_name (or no name); false stops it. Returns {feedback_id, shared, display_name}.';
revoke all on function public.share_my_feedback(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.share_my_feedback(jsonb) to authenticated;
