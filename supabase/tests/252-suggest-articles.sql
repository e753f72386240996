-- suggest_articles and help_article from each actor's side: anon and users get published
-- articles only, ranked by full text and title trigrams, in their locale with the default one
-- as fallback; the arguments are clamped, never refused.
begin;
select plan(16);

select tests.create_supabase_user('reader');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Suggest');
delete from public.help_articles;
insert into public.help_articles (slug, locale, title, body, category, status) values
    ('reset-your-password', 'en', 'Reset your password', 'Tap Forgot password on the sign-in screen.', 'account', 'published'),
    ('reset-your-password', 'fr', 'Réinitialiser votre mot de passe', 'Touchez Mot de passe oublié.', 'account', 'published'),
    ('double-charge', 'en', 'I was charged twice', 'A second charge is usually a pending authorisation.', 'billing', 'published'),
    ('export-data', 'en', 'Export your data', 'Settings, Privacy, Export my data.', 'privacy', 'published'),
    ('crash', 'en', 'The app crashes on start', 'Update the app and restart your phone.', 'troubleshooting', 'published'),
    ('password-draft', 'en', 'Password policy (draft)', 'Password rules we have not published.', 'account', 'draft'),
    ('old-password', 'en', 'Old password page', 'Password help, retired.', 'account', 'archived');

-- anon
select tests.clear_authentication();
select is(
    (select s.slug from public.suggest_articles('I forgot my password') as s limit 1),
    'reset-your-password',
    'an anonymous reader typing a question gets the article that answers it first'
);
select is(
    (select array_agg(s.slug order by s.slug) from public.suggest_articles('password') as s
     where s.slug in ('password-draft', 'old-password')),
    null,
    'suggestions never include drafts or archived articles'
);
select is(
    (select s.slug from public.suggest_articles('passw') as s limit 1),
    'reset-your-password',
    'a word still being typed finds the article by its title (trigrams)'
);
select is(
    (select s.locale from public.suggest_articles('mot de passe oublié', 'fr') as s
     where s.slug = 'reset-your-password'),
    'fr',
    'a French reader gets the French translation of an article'
);
select is(
    (select s.locale from public.suggest_articles('charged twice', 'fr-CA') as s where s.slug = 'double-charge'),
    'en',
    'a reader of a locale without the article gets it in the default locale'
);
select is(
    (select count(*)::integer from public.suggest_articles('password', 'fr') as s where s.slug = 'reset-your-password'),
    1,
    'one suggestion per article, whatever the number of its translations'
);
select is(
    (select count(*)::integer from public.suggest_articles('password charged export crash', null, 2)),
    2,
    'page_size limits the suggestions'
);
select is(
    (select count(*)::integer from public.suggest_articles('password charged export crash', null, 500)),
    4,
    'a page_size above 10 is read as 10, not refused'
);
select is_empty($$select * from public.suggest_articles('   ')$$, 'an empty question suggests nothing');
select is_empty($$select * from public.suggest_articles('how do I')$$, 'a question of stop words only suggests nothing');
select is(
    (select h.locale || ':' || h.requested_locale_found::text from public.help_article('reset-your-password', 'fr-BE') as h),
    'fr:false',
    'help_article falls back from a regional tag to its language'
);
select is(
    (select h.locale from public.help_article('double-charge', 'fr') as h),
    'en',
    'help_article falls back to the default locale'
);
select is_empty($$select * from public.help_article('password-draft', 'en')$$, 'help_article does not open a draft');

-- a signed-in user
select tests.authenticate_as('reader');
select is(
    (select s.slug from public.suggest_articles('my card was charged twice') as s limit 1),
    'double-charge',
    'a signed-in user gets suggestions as anon does'
);

-- agent: staff see drafts in the table, but suggestions stay what readers would see
select tests.authenticate_as('agent');
select is(
    (select count(*)::integer from public.suggest_articles('password') as s where s.slug = 'password-draft'),
    0,
    'an agent''s suggestions are the published articles readers would get'
);

-- service_role: not granted (trusted servers read the table)
select tests.authenticate_as_service_role();
select throws_ok(
    $$select * from public.suggest_articles('password')$$, '42501', null,
    'service_role does not call the readers'' RPC'
);

select * from finish();
rollback;
