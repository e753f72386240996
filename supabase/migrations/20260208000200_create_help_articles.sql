-- Help articles: the help center's content, as data, with its history and who may publish.
--
-- Why: the cheapest ticket is the one nobody files (issue 26). An article is a title and a
-- Markdown body in one language (public.help_locales, BCP 47 tags), in a category, with a slug
-- that is unique per locale: translations of one article share its slug, which is how a lookup
-- falls back to the default locale. The database renders the body (body_html, by the strict
-- renderer of 20260206000400) and keeps its full-text vector (search_vector, in the language of
-- the locale) when it is saved, so every reader gets the same safe HTML and every search the
-- same ranking.
--
-- Status moves through public.help_article_statuses (draft, published, archived) along the rows
-- of public.help_article_transitions. Agents write drafts; a move or an edit that changes what
-- readers see (needs_publisher) is for publishers: admins, or agents too when
-- help_settings.agents_publish. A trigger checks it on every path (API, Studio, scripts as
-- service_role are publishers). Every save that changes the article is one row of
-- public.help_article_versions.
--
-- Reading: published articles are everyone's, anon included (declared in
-- private.anonymous_reads); drafts and archived articles are staff's.

-- squawk: position orders a handful of rows; version counts saves of one article.
-- squawk-ignore-file prefer-bigint-over-smallint, prefer-bigint-over-int

insert into public.support_messages (topic, status, code, message, hint) values
    ('help_article_transition_not_allowed', 409, 'help_article_transition_not_allowed',
        'An article cannot move from {from} to {to}',
        'The allowed moves are the rows of public.help_article_transitions.'),
    ('help_article_publish_forbidden', 403, 'help_article_publish_forbidden',
        'Only publishers may publish, archive or change a published article',
        'Publishers are admins, and agents too when help_settings.agents_publish; save a draft instead.');

create table public.help_locales (
    code text primary key,
    label text not null,
    position smallint not null unique,
    search_config regconfig not null default 'simple',
    is_default boolean not null default false,
    constraint help_locales_code_format check (code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    constraint help_locales_label_not_blank check (not private.is_blank(label))
);

comment on table public.help_locales is
    'The languages help articles are written in (BCP 47 tags such as en, fr, pt-BR), with the '
    'text search configuration that stems them. One is the default: the lookup falls back to it.';
comment on column public.help_locales.search_config is
    'The full-text configuration of the language (english, french, ...; simple when there is none).';
comment on column public.help_locales.is_default is
    'The locale a lookup falls back to when the requested one has no such article. Exactly one.';
comment on constraint help_locales_code_format on public.help_locales is
    'code must be a BCP 47 language tag (a lower-case language, then -subtags), such as en or pt-BR';
comment on constraint help_locales_label_not_blank on public.help_locales is 'label must not be blank';

create unique index help_locales_is_default_idx on public.help_locales (is_default) where is_default;

insert into public.help_locales (code, label, position, search_config, is_default) values
    ('en', 'English', 1, 'english', true),
    ('fr', 'Français', 2, 'french', false);

create table public.help_article_statuses (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint help_article_statuses_code_format check (code ~ '^[a-z_]+$'),
    constraint help_article_statuses_label_not_blank check (not private.is_blank(label))
);

comment on table public.help_article_statuses is
    'The life of a help article: draft (staff only), published (everyone, anon included), '
    'archived (staff only, kept for its history).';
comment on constraint help_article_statuses_code_format on public.help_article_statuses is
    'code must be lower-case letters and _';
comment on constraint help_article_statuses_label_not_blank on public.help_article_statuses is
    'label must not be blank';

insert into public.help_article_statuses (code, label, position) values
    ('draft', 'Draft', 1),
    ('published', 'Published', 2),
    ('archived', 'Archived', 3);

create table public.help_article_transitions (
    from_status text not null,
    to_status text not null,
    needs_publisher boolean not null default true,
    description text,
    primary key (from_status, to_status),
    constraint help_article_transitions_from_status_valid
        foreign key (from_status) references public.help_article_statuses (code),
    constraint help_article_transitions_to_status_valid
        foreign key (to_status) references public.help_article_statuses (code),
    constraint help_article_transitions_to_status_differs check (from_status <> to_status)
);

comment on table public.help_article_transitions is
    'The allowed status moves of help articles; a move without a row is refused (409) on every '
    'path. needs_publisher: only publishers (admins, or agents when help_settings.agents_publish).';
comment on column public.help_article_transitions.needs_publisher is
    'True: only a publisher may make this move.';
comment on constraint help_article_transitions_from_status_valid on public.help_article_transitions is
    'from_status must be one of {codes}';
comment on constraint help_article_transitions_to_status_valid on public.help_article_transitions is
    'to_status must be one of {codes}';
comment on constraint help_article_transitions_to_status_differs on public.help_article_transitions is
    'to_status must differ from from_status';

insert into public.help_article_transitions (from_status, to_status, needs_publisher, description) values
    ('draft', 'published', true, 'A publisher publishes a draft.'),
    ('draft', 'archived', false, 'Staff drop a draft (kept with its history).'),
    ('published', 'draft', true, 'A publisher takes an article back to work on it.'),
    ('published', 'archived', true, 'A publisher retires an article.'),
    ('archived', 'draft', false, 'Staff revive an archived article as a draft.');

create table public.help_settings (
    id boolean primary key default true,
    agents_publish boolean not null default false,
    constraint help_settings_id_single check (id)
);

comment on table public.help_settings is
    'One row: who publishes help articles. agents_publish false: admins only; true: agents too.';
comment on column public.help_settings.agents_publish is
    'True: agents may publish, archive and change published articles, as admins do.';
comment on constraint help_settings_id_single on public.help_settings is 'help_settings holds one row';

insert into public.help_settings (id, agents_publish) values (true, false);

create table public.help_articles (
    id uuid primary key default gen_random_uuid(),
    slug text not null,
    locale text not null default 'en',
    title text not null,
    body text not null default '',
    body_html text not null default '',
    category text not null default 'general',
    status text not null default 'draft',
    author_id uuid default auth.uid() references auth.users (id) on delete set null,
    search_vector tsvector not null default ''::tsvector,
    published_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint help_articles_locale_slug_unique unique (locale, slug),
    constraint help_articles_locale_valid foreign key (locale) references public.help_locales (code),
    constraint help_articles_status_valid foreign key (status) references public.help_article_statuses (code),
    constraint help_articles_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    constraint help_articles_category_format check (category ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    constraint help_articles_title_not_blank check (not private.is_blank(title)),
    constraint help_articles_title_max_length check (char_length(title) <= 150),
    constraint help_articles_title_one_line check (private.is_one_line(title)),
    constraint help_articles_body_max_length check (char_length(body) <= 20000)
);

comment on table public.help_articles is
    'Help center articles: Markdown in one locale, rendered by the database (body_html). '
    'Published ones are read by everyone (anon included); drafts and archived ones by staff. Staff '
    'write; publishers (help_settings) publish. Translations share a slug.';
comment on column public.help_articles.slug is 'The article''s name in URLs, shared by its translations.';
comment on column public.help_articles.locale is 'The language it is written in (public.help_locales).';
comment on column public.help_articles.body is 'Markdown: paragraphs, headings, lists, **strong**, *emphasis*, `code`, fenced code, [links](https://...).';
comment on column public.help_articles.body_html is 'The body as safe HTML, rendered by the database on each save; never written by clients.';
comment on column public.help_articles.category is 'A short lower-case name grouping articles on the help center (account, billing, ...).';
comment on column public.help_articles.author_id is 'Who wrote it first.';
comment on column public.help_articles.search_vector is 'Title (weight A) and body (B), stemmed in the locale''s language; kept by the database.';
comment on column public.help_articles.published_at is 'When it was last published.';
comment on constraint help_articles_locale_slug_unique on public.help_articles is
    'slug must be unique within a locale';
comment on constraint help_articles_locale_valid on public.help_articles is 'locale must be one of {codes}';
comment on constraint help_articles_status_valid on public.help_articles is 'status must be one of {codes}';
comment on constraint help_articles_slug_format on public.help_articles is
    'slug must be lower-case letters, digits and -, starting with a letter or digit, at most 80 characters';
comment on constraint help_articles_category_format on public.help_articles is
    'category must be lower-case letters, digits and -, starting with a letter or digit, at most 40 characters';
comment on constraint help_articles_title_not_blank on public.help_articles is 'title must not be blank';
comment on constraint help_articles_title_max_length on public.help_articles is 'title must be at most 150 characters';
comment on constraint help_articles_title_one_line on public.help_articles is 'title must be one line, without control characters';
comment on constraint help_articles_body_max_length on public.help_articles is 'body must be at most 20000 characters';

-- Search: the full-text vector of published articles, and the trigram index on titles (the
-- completion of a word being typed); the reading lookups by slug and by category.
create index help_articles_search_vector_idx on public.help_articles using gin (search_vector)
    where status = 'published';
create index help_articles_title_trgm_idx on public.help_articles using gin (title extensions.gin_trgm_ops)
    where status = 'published';
create index help_articles_slug_idx on public.help_articles (slug);
create index help_articles_status_locale_category_idx on public.help_articles (status, locale, category);
create index help_articles_author_id_idx on public.help_articles (author_id);

create table public.help_article_versions (
    id bigint generated always as identity primary key,
    article_id uuid not null references public.help_articles (id) on delete cascade,
    version integer not null,
    slug text not null,
    locale text not null,
    title text not null,
    body text not null,
    category text not null,
    status text not null,
    saved_by uuid,
    saved_at timestamptz not null default now(),
    constraint help_article_versions_article_id_version_unique unique (article_id, version)
);

comment on table public.help_article_versions is
    'Every save of a help article that changed it: what it said, its status, who saved it and '
    'when. Written by the database only; staff read it.';
comment on column public.help_article_versions.version is 'The article''s saves, counted from 1.';
comment on column public.help_article_versions.saved_by is 'The staff member (null: a script or Studio).';
comment on constraint help_article_versions_article_id_version_unique on public.help_article_versions is
    'an article has one row per version';

alter table public.help_locales enable row level security;
alter table public.help_article_statuses enable row level security;
alter table public.help_article_transitions enable row level security;
alter table public.help_settings enable row level security;
alter table public.help_articles enable row level security;
alter table public.help_article_versions enable row level security;
revoke all on table public.help_locales, public.help_article_statuses, public.help_article_transitions,
    public.help_settings, public.help_articles, public.help_article_versions from anon, authenticated;

grant select on table public.help_locales, public.help_article_statuses to anon, authenticated, service_role;
grant select on table public.help_article_transitions to authenticated, service_role;
grant select on table public.help_settings to authenticated, service_role;
grant update (agents_publish) on table public.help_settings to authenticated, service_role;
grant select (id, slug, locale, title, body, body_html, category, status, search_vector, published_at, updated_at)
    on table public.help_articles to anon;
grant select, delete on table public.help_articles to authenticated;
grant insert (id, slug, locale, title, body, category, status) on table public.help_articles to authenticated;
grant update (slug, locale, title, body, category, status) on table public.help_articles to authenticated;
grant select, insert, update, delete on table public.help_articles to service_role;
grant select on table public.help_article_versions to authenticated, service_role;

create policy "everyone reads the help locales" on public.help_locales
    for select to anon, authenticated using (true);
create policy "everyone reads the article statuses" on public.help_article_statuses
    for select to anon, authenticated using (true);
create policy "staff read the article transitions" on public.help_article_transitions
    for select to authenticated using ((select private.is_staff()));
create policy "staff read the help setting" on public.help_settings
    for select to authenticated using ((select private.is_staff()));
create policy "admins change the help setting" on public.help_settings
    for update to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));
create policy "anonymous readers read published articles" on public.help_articles
    for select to anon using (status = 'published');
create policy "users read published articles, staff every article" on public.help_articles
    for select to authenticated using (status = 'published' or (select private.is_staff()));
create policy "staff write articles" on public.help_articles
    for insert to authenticated with check ((select private.is_staff()));
create policy "staff change articles" on public.help_articles
    for update to authenticated
    using ((select private.is_staff()))
    with check ((select private.is_staff()));
create policy "admins delete articles" on public.help_articles
    for delete to authenticated using ((select private.is_admin()));
create policy "staff read article history" on public.help_article_versions
    for select to authenticated using ((select private.is_staff()));

insert into private.anonymous_reads (object_name, kind, reason) values
    ('public.help_articles', 'table', 'published help articles are public (RLS: status published only, no author)'),
    ('public.help_locales', 'table', 'the languages of the help center, for its language choice and its search'),
    ('public.help_article_statuses', 'table', 'the vocabulary of article statuses');

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.help_locales', true, '{}', 'vocabulary of help center languages'),
    ('public.help_article_statuses', true, '{}', 'vocabulary of article statuses'),
    ('public.help_article_transitions', true, '{}', 'the article lifecycle'),
    ('public.help_settings', true, '{}', 'who publishes help articles'),
    ('public.help_articles', false, '{}', 'content: help articles (author_id: a staff id); history in help_article_versions'),
    ('public.help_article_versions', false, '{}', 'history of help articles (saved_by: a staff id)');
-- Erasure (docs/privacy.md): articles and their history stay, without the staff member.
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{author_id}', erasure_rows = 'author_id = $1', erasure_set = 'author_id = null'
where table_name = 'public.help_articles';
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{saved_by}', erasure_rows = 'saved_by = $1', erasure_set = 'saved_by = null'
where table_name = 'public.help_article_versions';

create trigger audit_changes after insert or update or delete on public.help_locales
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.help_locales
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.help_article_statuses
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.help_article_statuses
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.help_article_transitions
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.help_article_transitions
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.help_settings
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.help_settings
    for each statement execute function private.record_audit();

create trigger help_article_transitions_vocabulary
    before insert or update of from_status, to_status on public.help_article_transitions
    for each row execute function private.check_vocabulary();
-- Named to fire before help_articles_prepare (triggers fire in name order).
create trigger help_articles_check_vocabulary
    before insert or update of locale, status on public.help_articles
    for each row execute function private.check_vocabulary();

create function private.may_publish_help()
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    -- Studio, migrations, the seed (postgres) and trusted scripts (service_role) publish; through
    -- the API, admins, and agents when the setting says so.
    return current_user in ('postgres', 'service_role', 'supabase_admin')
        or private.is_admin()
        or (private.is_staff() and coalesce((select s.agents_publish from public.help_settings as s), false));
end;
$$;

comment on function private.may_publish_help() is
    'True when the caller may publish help articles: admins, agents when help_settings.agents_publish, '
    'service_role and database roles.';
revoke all on function private.may_publish_help() from public;
grant execute on function private.may_publish_help() to authenticated, service_role;

create function private.prepare_help_article()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    moving_from text := case when tg_op = 'INSERT' then 'draft' else old.status end;
    move public.help_article_transitions;
begin
    if new.status <> moving_from then
        select t.* into move from public.help_article_transitions as t
        where t.from_status = moving_from and t.to_status = new.status;
        if not found then
            perform private.refuse('help_article_transition_not_allowed',
                pg_catalog.jsonb_build_object('from', moving_from, 'to', new.status));
        end if;
        if move.needs_publisher and not private.may_publish_help() then
            perform private.refuse('help_article_publish_forbidden');
        end if;
        if new.status = 'published' then
            new.published_at := pg_catalog.now();
        end if;
    elsif tg_op = 'UPDATE' and old.status = 'published' and not private.may_publish_help()
        and (new.title, new.body, new.slug, new.locale, new.category)
            is distinct from (old.title, old.body, old.slug, old.locale, old.category) then
        perform private.refuse('help_article_publish_forbidden');
    end if;
    if tg_op = 'UPDATE' then
        new.author_id := old.author_id;
        new.created_at := old.created_at;
        new.published_at := coalesce(new.published_at, old.published_at);
    end if;
    new.body_html := private.render_markdown(new.body);
    new.search_vector :=
        pg_catalog.setweight(pg_catalog.to_tsvector(coalesce((
            select l.search_config from public.help_locales as l where l.code = new.locale), 'simple'), new.title), 'A')
        || pg_catalog.setweight(pg_catalog.to_tsvector(coalesce((
            select l.search_config from public.help_locales as l where l.code = new.locale), 'simple'), new.body), 'B');
    new.updated_at := pg_catalog.now();
    return new;
end;
$$;

comment on function private.prepare_help_article() is
    'Before a help article is saved: checks its status move (help_article_transitions, publishers '
    'for needs_publisher, and for any change to a published article), renders body_html, '
    'computes search_vector and stamps updated_at.';
revoke all on function private.prepare_help_article() from public;
grant execute on function private.prepare_help_article() to authenticated, service_role;

create trigger help_articles_prepare
    before insert or update on public.help_articles
    for each row execute function private.prepare_help_article();

-- Security definer: no role may insert into help_article_versions; it writes exactly the
-- saved row, and the saver from the request.
create function private.record_help_article_version()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    if tg_op = 'UPDATE' and (new.title, new.body, new.slug, new.locale, new.category, new.status)
        is not distinct from (old.title, old.body, old.slug, old.locale, old.category, old.status) then
        return null;
    end if;
    insert into public.help_article_versions
        (article_id, version, slug, locale, title, body, category, status, saved_by)
    values (new.id,
        coalesce((select max(v.version) from public.help_article_versions as v where v.article_id = new.id), 0) + 1,
        new.slug, new.locale, new.title, new.body, new.category, new.status, (select auth.uid()));
    return null;
end;
$$;

comment on function private.record_help_article_version() is
    'After a help article is inserted or changed: appends its new state to help_article_versions. '
    'Security definer: no role inserts into the history; the row is exactly the saved article.';
revoke all on function private.record_help_article_version() from public;

create trigger help_articles_record_version
    after insert or update on public.help_articles
    for each row execute function private.record_help_article_version();
