-- Help articles from each actor's side: anon and users read only published articles; agents
-- write drafts but do not publish unless the setting lets them; admins publish; every save is
-- a version; the lifecycle is the transitions table's.
begin;
select plan(25);

select tests.create_supabase_user('reader');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Help'),
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Help');
delete from public.help_articles;
insert into public.help_articles (id, slug, locale, title, body, category, status) values
    ('24a00000-0000-4000-8000-000000000001', 'reset-password', 'en', 'Reset your password', 'Use **Forgot password**.', 'account', 'published'),
    ('24a00000-0000-4000-8000-000000000002', 'secret-draft', 'en', 'A draft', 'Not yet.', 'account', 'draft');

create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;

-- anon
select tests.clear_authentication();
select is(
    (select array_agg(a.slug order by a.slug) from public.help_articles as a),
    array['reset-password'],
    'an anonymous reader sees published articles and no draft'
);
select is(
    (select a.body_html from public.help_articles as a where a.slug = 'reset-password'),
    '<p>Use <strong>Forgot password</strong>.</p>',
    'an anonymous reader reads the body as the database rendered it'
);
select throws_ok(
    $$select a.author_id from public.help_articles as a$$, '42501', null,
    'an anonymous reader cannot see who wrote an article'
);
select throws_ok(
    $$insert into public.help_articles (slug, title) values ('anon', 'Anon')$$, '42501', null,
    'an anonymous caller cannot write an article'
);
select throws_ok(
    $$select * from public.help_article_versions$$, '42501', null,
    'an anonymous caller cannot read the history'
);
select is(
    (select h.title from public.help_article('reset-password', 'en') as h), 'Reset your password',
    'an anonymous reader opens a published article by slug'
);
select is_empty(
    $$select * from public.help_article('secret-draft', 'en')$$,
    'an anonymous reader cannot open a draft by slug'
);

-- a signed-in user
select tests.authenticate_as('reader');
select is(
    (select array_agg(a.slug order by a.slug) from public.help_articles as a),
    array['reset-password'],
    'a signed-in user sees published articles and no draft'
);
select throws_ok(
    $$insert into public.help_articles (slug, title) values ('mine', 'Mine')$$, '42501', null,
    'a signed-in user cannot write an article'
);
select is_empty(
    $$update public.help_articles set title = 'Changed' where slug = 'reset-password' returning id$$,
    'a signed-in user cannot change an article'
);
select is_empty($$select * from public.help_article_versions$$, 'a signed-in user reads no history');

-- agent
select tests.authenticate_as('agent');
select is(
    (select count(*)::integer from public.help_articles), 2,
    'an agent sees drafts as well as published articles'
);
select lives_ok(
    $$insert into public.help_articles (id, slug, title, body, category)
      values ('24a00000-0000-4000-8000-000000000003', 'export-data', 'Export your data', 'Go to *Settings*.', 'privacy')$$,
    'an agent writes a draft'
);
select is(
    (select a.author_id from public.help_articles as a where a.slug = 'export-data'),
    tests.get_supabase_uid('agent'),
    'the draft names its author'
);
select lives_ok(
    $$update public.help_articles set body = 'Go to *Settings* then **Export**.' where slug = 'export-data'$$,
    'an agent edits a draft'
);
select is(
    pg_temp.refusal($$update public.help_articles set status = 'published' where slug = 'export-data'$$),
    'help_article_publish_forbidden',
    'an agent cannot publish while only admins publish'
);
select is(
    pg_temp.refusal($$insert into public.help_articles (slug, title, status) values ('sneaky', 'Sneaky', 'published')$$),
    'help_article_publish_forbidden',
    'an agent cannot write an article straight into published'
);
select is(
    pg_temp.refusal($$update public.help_articles set body = 'Changed' where slug = 'reset-password'$$),
    'help_article_publish_forbidden',
    'an agent cannot change what readers of a published article see'
);
select is(
    pg_temp.refusal($$update public.help_settings set agents_publish = true$$) is null
        and not (select s.agents_publish from public.help_settings as s),
    true,
    'an agent cannot change who publishes'
);
select is(
    (select array_agg(v.version || ':' || v.status order by v.version)
     from public.help_article_versions as v where v.article_id = '24a00000-0000-4000-8000-000000000003'),
    array['1:draft', '2:draft'],
    'each save of the draft is a version the agent can read'
);

-- admin
select tests.authenticate_as('admin');
select lives_ok(
    $$update public.help_articles set status = 'published' where slug = 'export-data'$$,
    'an admin publishes a draft'
);
select isnt(
    (select a.published_at from public.help_articles as a where a.slug = 'export-data'), null,
    'publishing stamps published_at'
);
update public.help_articles set status = 'archived' where slug = 'export-data';
select is(
    pg_temp.refusal($$update public.help_articles set status = 'published' where slug = 'export-data'$$),
    'help_article_transition_not_allowed',
    'an archived article goes back to draft before it is published again (the transitions table)'
);
update public.help_settings set agents_publish = true;

-- agents publish when the setting says so
select tests.authenticate_as('agent');
update public.help_articles set status = 'draft' where slug = 'export-data';
select lives_ok(
    $$update public.help_articles set status = 'published' where slug = 'export-data'$$,
    'an agent publishes when help_settings.agents_publish'
);

-- service_role
select tests.authenticate_as_service_role();
select is(
    (select array_agg(v.status order by v.version) from public.help_article_versions as v
     where v.article_id = '24a00000-0000-4000-8000-000000000003'),
    array['draft', 'draft', 'published', 'archived', 'draft', 'published'],
    'the history holds every save, with who could make each move'
);

select * from finish();
rollback;
