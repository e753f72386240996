-- The roadmap and the changelog of the feedback board (issue 29).
--
-- Why: people who voted want to see what is coming and what shipped. roadmap() groups the public
-- posts by status: planned, in progress, and shipped within board_settings.shipped_recent_days,
-- most voted first. The changelog is data: public.changelog_entries (a title, a body in Markdown,
-- the day it was published) and public.changelog_entry_posts (the posts it ships). Staff write
-- entries through support_save_changelog_entry and remove them with support_delete_changelog_entry;
-- every signed-in user reads changelog(). The body is rendered to HTML in the database, once, when
-- it is saved, by the help center's renderer (private.render_markdown, 20260206000400):
-- everything is escaped first, so raw HTML shows as text, and a link is made only of an http(s)
-- or relative address (never javascript: or data:). Anonymous visitors read both through visitor_roadmap and
-- visitor_changelog (service key, board_settings.public_read), as visitor_board_posts.

-- squawk: First release: nothing is deployed yet, so the tables this file creates are empty.
-- squawk-ignore-file require-concurrent-index-creation

insert into public.support_messages (topic, status, code, message, hint) values
    ('changelog_entry_not_found', 404, 'changelog_entry_not_found', 'Changelog entry not found', null),
    ('changelog_post_unknown', 400, 'changelog_post_unknown', 'post_ids must be ids of public posts', null);

create table public.changelog_entries (
    id uuid primary key default gen_random_uuid(),
    title text not null,
    body text not null,
    body_html text not null,
    published_on date not null default current_date,
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint changelog_entries_title_not_blank check (not private.is_blank(title)),
    constraint changelog_entries_title_max_length check (char_length(title) <= 150),
    constraint changelog_entries_body_not_blank check (not private.is_blank(body)),
    constraint changelog_entries_body_max_length check (char_length(body) <= 20000)
);

comment on table public.changelog_entries is
    'What shipped, for everyone to read (changelog()). Staff write entries through '
    'support_save_changelog_entry; body_html is rendered from body by the database.';
comment on column public.changelog_entries.body is 'Markdown (a safe subset: see private.render_markdown).';
comment on column public.changelog_entries.body_html is 'body rendered to escaped HTML when saved; never written by hand.';
comment on column public.changelog_entries.created_by is 'The staff member who wrote it (not shown to users).';
comment on constraint changelog_entries_title_not_blank on public.changelog_entries is 'title must not be blank';
comment on constraint changelog_entries_title_max_length on public.changelog_entries is 'title must be at most 150 characters';
comment on constraint changelog_entries_body_not_blank on public.changelog_entries is 'body must not be blank';
comment on constraint changelog_entries_body_max_length on public.changelog_entries is 'body must be at most 20000 characters';

create index changelog_entries_published_on_idx on public.changelog_entries (published_on desc, created_at desc);

create table public.changelog_entry_posts (
    entry_id uuid not null references public.changelog_entries (id) on delete cascade,
    post_id uuid not null references public.feedback_posts (id) on delete cascade,
    primary key (entry_id, post_id)
);

comment on table public.changelog_entry_posts is 'The public posts a changelog entry ships.';

create index changelog_entry_posts_post_id_idx on public.changelog_entry_posts (post_id);

alter table public.changelog_entries enable row level security;
alter table public.changelog_entry_posts enable row level security;
revoke all on table public.changelog_entries, public.changelog_entry_posts from anon, authenticated;
grant select (id, title, body, body_html, published_on, created_at, updated_at)
    on table public.changelog_entries to authenticated;
grant select on table public.changelog_entry_posts to authenticated;
grant select, insert, update, delete on table public.changelog_entries, public.changelog_entry_posts
    to service_role;

create policy "signed-in users read the changelog"
    on public.changelog_entries for select to authenticated using (true);
create policy "signed-in users read what a changelog entry ships"
    on public.changelog_entry_posts for select to authenticated using (true);

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.changelog_entries', false, '{}', 'the public changelog (created_by: a staff id)'),
    ('public.changelog_entry_posts', false, '{}', 'the posts each changelog entry ships');
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{created_by}', erasure_rows = 'created_by = $1', erasure_set = 'created_by = null'
where table_name = 'public.changelog_entries';

create function private.render_changelog_body()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    new.body_html := private.render_markdown(new.body);
    if tg_op = 'UPDATE' then
        new.updated_at := pg_catalog.now();
    end if;
    return new;
end;
$$;

comment on function private.render_changelog_body() is
    'Before insert or update on changelog_entries: body_html is always body rendered (every path).';
revoke all on function private.render_changelog_body() from public;

create trigger changelog_entries_render_body
    before insert or update on public.changelog_entries
    for each row execute function private.render_changelog_body();

-- Security definer: staff hold no write on the changelog tables. It checks the caller is staff,
-- writes one entry (new, or the one named) and sets exactly the posts given.
create function private.save_changelog_entry_as_staff(target uuid, fields jsonb)
    returns uuid
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    saved uuid;
    posts uuid[];
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.require_staff();
    if fields ? 'post_ids' then
        select coalesce(pg_catalog.array_agg(private.uuid_param(p.id, 'post_ids')), '{}') into posts
        from pg_catalog.unnest(coalesce(private.json_text_array(fields -> 'post_ids'), '{}')) as p (id);
        if exists (select 1 from pg_catalog.unnest(posts) as p (id)
                   where not exists (select 1 from public.feedback_posts as f where f.id = p.id)) then
            perform private.refuse('changelog_post_unknown');
        end if;
    end if;
    if target is null then
        insert into public.changelog_entries (title, body, published_on, created_by)
        values (fields ->> 'title', fields ->> 'body',
            coalesce(pg_catalog.timezone('UTC', private.time_param(fields ->> 'published_on', 'published_on'))::date, current_date),
            (select auth.uid()))
        returning id into saved;
    else
        update public.changelog_entries as c
        set title = case when fields ? 'title' then fields ->> 'title' else c.title end,
            body = case when fields ? 'body' then fields ->> 'body' else c.body end,
            published_on = case when fields ? 'published_on'
                then pg_catalog.timezone('UTC', private.time_param(fields ->> 'published_on', 'published_on'))::date else c.published_on end
        where c.id = target
        returning c.id into saved;
        if saved is null then
            perform private.refuse('changelog_entry_not_found');
        end if;
    end if;
    if posts is not null then
        delete from public.changelog_entry_posts as e where e.entry_id = saved and e.post_id <> all (posts);
        insert into public.changelog_entry_posts (entry_id, post_id)
        select saved, p.id from pg_catalog.unnest(posts) as p (id)
        on conflict do nothing;
    end if;
    return saved;
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

comment on function private.save_changelog_entry_as_staff(uuid, jsonb) is
    'Staff only: writes a changelog entry (new when target is null) and, when given, its posts.';
revoke all on function private.save_changelog_entry_as_staff(uuid, jsonb) from public;
grant execute on function private.save_changelog_entry_as_staff(uuid, jsonb) to authenticated;

-- One entry as changelog() returns it, with the posts it ships. Columns by name: signed-in users
-- may read every column of an entry but created_by.
create function private.changelog_item(entry_id uuid)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return (
        select pg_catalog.json_build_object(
            'entry_id', c.id,
            'title', c.title,
            'body', c.body,
            'body_html', c.body_html,
            'published_on', c.published_on,
            'posts', coalesce((
                select pg_catalog.json_agg(pg_catalog.json_build_object(
                           'post_id', p.id, 'title', p.title, 'status', p.status, 'vote_count', p.vote_count)
                       order by p.vote_count desc, p.id)
                from public.changelog_entry_posts as e
                join public.feedback_posts as p on p.id = e.post_id
                where e.entry_id = c.id), '[]'::json))
        from public.changelog_entries as c
        where c.id = changelog_item.entry_id
    );
end;
$$;

comment on function private.changelog_item(uuid) is 'One changelog entry with the posts it ships.';
revoke all on function private.changelog_item(uuid) from public;
grant execute on function private.changelog_item(uuid) to authenticated, service_role;

create function public.support_save_changelog_entry(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    saved uuid;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{
        "entry_id": "string", "title": "string", "body": "string", "published_on": "string",
        "post_ids": "string_array"
    }');
    saved := private.save_changelog_entry_as_staff(
        private.uuid_param(body ->> 'entry_id', 'entry_id', false), body - 'entry_id');
    return private.changelog_item(saved);
end;
$$;

comment on function public.support_save_changelog_entry(jsonb) is
    'Staff only (403 otherwise). Body: {entry_id?, title, body (Markdown), published_on? (a date, '
    'default today), post_ids?: [post ids]}: a new entry, or the named one changed; post_ids, when '
    'given, are exactly the posts it ships. Returns the entry with body_html. 400 on a broken rule '
    'or an unknown post, 404 for a missing entry.';
revoke all on function public.support_save_changelog_entry(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_save_changelog_entry(jsonb) to authenticated;

-- Security definer: staff hold no delete on the changelog. It checks the caller is staff and
-- removes the one entry named.
create function private.delete_changelog_entry_as_staff(target uuid)
    returns void
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
begin
    perform private.require_staff();
    delete from public.changelog_entries as c where c.id = target;
    if not found then
        perform private.refuse('changelog_entry_not_found');
    end if;
end;
$$;

comment on function private.delete_changelog_entry_as_staff(uuid) is 'Staff only: removes one changelog entry.';
revoke all on function private.delete_changelog_entry_as_staff(uuid) from public;
grant execute on function private.delete_changelog_entry_as_staff(uuid) to authenticated;

create function public.support_delete_changelog_entry(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    target uuid;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"entry_id": "string"}');
    target := private.uuid_param(body ->> 'entry_id', 'entry_id');
    perform private.delete_changelog_entry_as_staff(target);
    return pg_catalog.json_build_object('entry_id', target, 'deleted', true);
end;
$$;

comment on function public.support_delete_changelog_entry(jsonb) is
    'Staff only (403 otherwise). Body: {entry_id}. 404 for a missing entry.';
revoke all on function public.support_delete_changelog_entry(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_delete_changelog_entry(jsonb) to authenticated;

create function private.changelog_json("limit" text, "offset" text)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
-- limit and offset are reserved words that plpgsql_check (`supabase db lint`) warns of; as in
-- support_feedback_queue, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
declare
    page_size integer := private.integer_param("limit", 'limit', 1, 100, 20);
    skip integer := private.integer_param("offset", 'offset', 0, null, 0);
begin
    return pg_catalog.json_build_object(
        'total', (select pg_catalog.count(*) from public.changelog_entries),
        'entries', coalesce((
            select pg_catalog.json_agg(private.changelog_item(c.id) order by c.published_on desc, c.created_at desc, c.id)
            from (select x.id, x.published_on, x.created_at from public.changelog_entries as x
                  order by x.published_on desc, x.created_at desc, x.id
                  limit page_size offset skip) as c), '[]'::json));
end;
$$;

comment on function private.changelog_json(text, text) is 'The changelog, newest first: {total, entries}.';
revoke all on function private.changelog_json(text, text) from public;
grant execute on function private.changelog_json(text, text) to authenticated, service_role;

create function private.roadmap_json()
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    recent integer := (select s.shipped_recent_days from public.board_settings as s);
begin
    -- Columns by name: signed-in users may read every column of a post but created_by.
    return (
        select pg_catalog.json_build_object(
            'shipped_recent_days', recent,
            'planned', coalesce(pg_catalog.json_agg(p.item order by p.vote_count desc, p.id)
                filter (where p.status = 'planned'), '[]'::json),
            'in_progress', coalesce(pg_catalog.json_agg(p.item order by p.vote_count desc, p.id)
                filter (where p.status = 'in_progress'), '[]'::json),
            'shipped', coalesce(pg_catalog.json_agg(p.item order by p.status_changed_at desc, p.id)
                filter (where p.status = 'shipped'), '[]'::json))
        from (
            select x.id, x.status, x.vote_count, x.status_changed_at, pg_catalog.json_build_object(
                       'post_id', x.id, 'title', x.title, 'description', x.description,
                       'category', x.category, 'feature_name', x.feature_name, 'status', x.status,
                       'vote_count', x.vote_count,
                       'status_changed_at', private.utc_text(x.status_changed_at)) as item
            from public.feedback_posts as x
            where x.status in ('planned', 'in_progress')
                or (x.status = 'shipped'
                    and x.status_changed_at >= pg_catalog.now() - pg_catalog.make_interval(days => recent))
        ) as p
    );
end;
$$;

comment on function private.roadmap_json() is
    'The roadmap: planned and in-progress posts (most voted first) and those shipped within '
    'board_settings.shipped_recent_days (newest first).';
revoke all on function private.roadmap_json() from public;
grant execute on function private.roadmap_json() to authenticated, service_role;

create index feedback_posts_status_changed_at_idx on public.feedback_posts (status, status_changed_at desc);

create function public.roadmap()
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return private.roadmap_json();
end;
$$;

comment on function public.roadmap() is
    'Signed-in users: GET /rest/v1/rpc/roadmap — {planned, in_progress, shipped, '
    'shipped_recent_days}: the public posts of each, with vote_count; shipped: within the last '
    'shipped_recent_days days.';
revoke all on function public.roadmap() from public, anon, authenticated, service_role;
grant execute on function public.roadmap() to authenticated;

create function public.changelog("limit" text default null, "offset" text default null)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
-- limit and offset are reserved words that plpgsql_check (`supabase db lint`) warns of; as in
-- support_feedback_queue, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
begin
    return private.changelog_json("limit", "offset");
end;
$$;

comment on function public.changelog(text, text) is
    'Signed-in users: GET /rest/v1/rpc/changelog (or POST {limit, offset}) — {total, entries}, newest '
    'first, each {entry_id, title, body, body_html (safe HTML), published_on, posts}.';
revoke all on function public.changelog(text, text) from public, anon, authenticated, service_role;
grant execute on function public.changelog(text, text) to authenticated;

create function public.visitor_roadmap()
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_public_board();
    return private.roadmap_json();
end;
$$;

comment on function public.visitor_roadmap() is
    'For anonymous visitors through a trusted server (service key): roadmap() when '
    'board_settings.public_read; 403 board_not_public otherwise.';
revoke all on function public.visitor_roadmap() from public, anon, authenticated, service_role;
grant execute on function public.visitor_roadmap() to service_role;

create function public.visitor_changelog("limit" text default null, "offset" text default null)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
-- limit and offset are reserved words that plpgsql_check (`supabase db lint`) warns of; as in
-- support_feedback_queue, its "other warnings" are off for this function only.
-- @plpgsql_check_options: other_warnings = false
begin
    perform private.require_public_board();
    return private.changelog_json("limit", "offset");
end;
$$;

comment on function public.visitor_changelog(text, text) is
    'For anonymous visitors through a trusted server (service key): changelog() when '
    'board_settings.public_read; 403 board_not_public otherwise.';
revoke all on function public.visitor_changelog(text, text) from public, anon, authenticated, service_role;
grant execute on function public.visitor_changelog(text, text) to service_role;
