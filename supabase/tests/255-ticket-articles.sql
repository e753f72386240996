-- The ticket page's article suggestions (support_ticket_articles) and the article preview
-- (support_render_article) from each actor's side: agents and admins get the published
-- articles that may answer any ticket, from the default locale; the ticket's owner, another
-- user, anon and service_role are refused, each with its message.
begin;
select plan(21);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Articles'),
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Articles');
insert into public.help_articles (id, slug, locale, title, body, category, status) values
    ('25500000-0000-4000-8000-000000000001', 'pair-the-zorblatt', 'en', 'Pair the zorblatt speaker',
        'Hold the zorblatt button until the light blinks, then pick it in Bluetooth.', 'troubleshooting', 'published'),
    ('25500000-0000-4000-8000-000000000002', 'zorblatt-battery', 'en', 'The zorblatt battery drains fast',
        'Turn off the zorblatt speaker when you do not use it.', 'troubleshooting', 'published'),
    ('25500000-0000-4000-8000-000000000003', 'zorblatt-volume', 'en', 'Zorblatt volume is too low',
        'Raise the zorblatt volume in the app.', 'troubleshooting', 'published'),
    ('25500000-0000-4000-8000-000000000004', 'zorblatt-reset', 'en', 'Reset a zorblatt to factory settings',
        'Hold both zorblatt buttons for ten seconds.', 'troubleshooting', 'published'),
    ('25500000-0000-4000-8000-000000000005', 'zorblatt-firmware', 'en', 'Zorblatt firmware notes',
        'Not yet: the zorblatt firmware.', 'troubleshooting', 'draft'),
    ('25500000-0000-4000-8000-000000000006', 'zorblatt-en-francais', 'fr', 'Le zorblatt ne s''appaire pas',
        'Maintenez le bouton du zorblatt.', 'troubleshooting', 'published');
insert into public.support_tickets (id, user_id, ticket_type, subject, description) values
    ('25500000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('owner'), 'bug',
        'My zorblatt speaker will not pair', 'The zorblatt speaker never shows up in Bluetooth.');

-- A refusal as "code: message": the JSON body of private.refuse, else the error's own.
create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%'
        then ((e ->> 'message')::jsonb ->> 'code') || ': ' || ((e ->> 'message')::jsonb ->> 'message')
        else (e ->> 'code') || ': ' || (e ->> 'message') end
    from tests.error_of(statement) as e
$$;

-- the ticket's owner
select tests.authenticate_as('owner');
select is(
    pg_temp.refusal($$select * from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1')$$),
    '42501: Only support staff can do this',
    'the ticket''s own user cannot ask for the staff suggestions: only support staff can'
);
select is(
    pg_temp.refusal($$select public.support_render_article('**bold**')$$),
    '42501: Only support staff can do this',
    'a user cannot use the staff preview of an article body'
);

-- another user
select tests.authenticate_as('other');
select is(
    pg_temp.refusal($$select * from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1')$$),
    '42501: Only support staff can do this',
    'another user is refused the same way, whether or not the ticket exists'
);
select is(
    pg_temp.refusal($$select * from public.support_ticket_articles('25500000-0000-4000-8000-0000000000ff')$$),
    '42501: Only support staff can do this',
    'another user learns nothing about a ticket that does not exist: the refusal comes first'
);

-- an agent
select tests.authenticate_as('agent');
select is(
    (select array_agg(s.slug order by s.score desc, s.id)
     from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1') as s)[1],
    'pair-the-zorblatt',
    'an agent gets first the published article that answers the ticket''s subject and description'
);
select is(
    (select count(*)::integer from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1')),
    3,
    'an agent gets the top three by default'
);
select is(
    (select count(*)::integer from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1', 1)),
    1,
    'page_size asks for fewer suggestions'
);
select is(
    (select array_agg(s.slug order by s.slug)
     from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1', 10) as s
     where s.slug like '%zorblatt%'),
    array['pair-the-zorblatt', 'zorblatt-battery', 'zorblatt-reset', 'zorblatt-volume'],
    'an agent is never suggested a draft, nor an article only in another locale: tickets are searched in the default locale'
);
select is(
    (select count(*)::integer from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1', 500)),
    (select count(*)::integer from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1', 10)),
    'a page_size above ten is clamped to ten, not refused'
);
select is(
    (select array_agg(distinct s.locale) from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1', 10) as s),
    array['en'],
    'every suggestion is in the default locale'
);
select is(
    pg_temp.refusal($$select * from public.support_ticket_articles('not-a-ticket')$$),
    'invalid_uuid: ticket_id must be a UUID',
    'a malformed ticket id is refused naming the parameter'
);
select is(
    pg_temp.refusal($$select * from public.support_ticket_articles('25500000-0000-4000-8000-0000000000ff')$$),
    'P0002: Ticket not found',
    'a ticket that does not exist is not found'
);
select is(
    public.support_render_article(E'## Pairing\n\nHold **the button**. <script>alert(1)</script>'),
    '<h2>Pairing</h2>' || E'\n' || '<p>Hold <strong>the button</strong>. &lt;script&gt;alert(1)&lt;/script&gt;</p>',
    'an agent previews a body as the database renders it: Markdown to HTML, raw HTML as text'
);

-- an admin
select tests.authenticate_as('admin');
select is(
    (select array_agg(s.slug order by s.slug) from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1', 10) as s
     where s.slug like '%zorblatt%'),
    array['pair-the-zorblatt', 'zorblatt-battery', 'zorblatt-reset', 'zorblatt-volume'],
    'an admin gets the same suggestions as an agent'
);
select is(
    (select count(*)::integer from public.help_articles where id::text like '25500000-%'),
    6,
    'previewing and suggesting saved nothing: the articles are as they were'
);

-- anon
select tests.clear_authentication();
select throws_ok(
    $$select * from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1')$$,
    '42501', null,
    'an anonymous caller cannot call the ticket suggestions at all'
);
select throws_ok(
    $$select public.support_render_article('**bold**')$$, '42501', null,
    'an anonymous caller cannot call the preview'
);
select isnt_empty(
    $$select * from public.suggest_articles('zorblatt speaker')$$,
    'an anonymous reader still finds the published articles through suggest_articles'
);

-- service_role
select tests.authenticate_as_service_role();
select throws_ok(
    $$select * from public.support_ticket_articles('25500000-0000-4000-8000-0000000000a1')$$,
    '42501', null,
    'service_role holds no grant on the ticket suggestions: they are for signed-in staff'
);
select throws_ok(
    $$select public.support_render_article('**bold**')$$, '42501', null,
    'service_role holds no grant on the preview either'
);
select is(
    (select count(*)::integer from public.help_articles as a where a.id::text like '25500000-%'),
    6,
    'service_role reads every article, drafts and other locales included'
);

select * from finish();
rollback;
