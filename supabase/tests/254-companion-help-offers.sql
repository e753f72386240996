-- The companion's pending help offers (public.companion_help_offers, companion_offer_articles,
-- companion_take_offer) from each actor's side: a user keeps, reads, takes and drops only their
-- own offer; another user, agents and admins see none of it; anon reaches nothing; service_role
-- reads and changes every row (as Studio and scripts do).
begin;
select plan(32);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Offers'),
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Offers');
insert into public.help_articles (id, slug, title, body, category, status) values
    ('25400000-0000-4000-8000-000000000001', 'offer-restart', 'Restart the offer gadget', 'Hold the button.', 'troubleshooting', 'published'),
    ('25400000-0000-4000-8000-000000000002', 'offer-update', 'Update the offer gadget', 'Open the store.', 'troubleshooting', 'published'),
    ('25400000-0000-4000-8000-000000000003', 'offer-reset', 'Reset the offer gadget', 'Use the pin.', 'troubleshooting', 'published'),
    ('25400000-0000-4000-8000-000000000004', 'offer-pair', 'Pair the offer gadget', 'Use Bluetooth.', 'troubleshooting', 'published'),
    ('25400000-0000-4000-8000-000000000005', 'offer-draft', 'A draft about the gadget', 'Not yet.', 'troubleshooting', 'draft');

-- A refusal as "code: message": the JSON body of private.refuse, else the error's own.
create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%'
        then ((e ->> 'message')::jsonb ->> 'code') || ': ' || ((e ->> 'message')::jsonb ->> 'message')
        else (e ->> 'code') || ': ' || (e ->> 'message') end
    from tests.error_of(statement) as e
$$;

-- owner
select tests.authenticate_as('owner');
select is(
    public.companion_offer_articles('{"intent": "bug", "details": "The gadget freezes on start",
        "offer_id": "25400000-0000-4000-8000-0000000000f1",
        "article_ids": ["25400000-0000-4000-8000-000000000001", "25400000-0000-4000-8000-000000000002"]}')::jsonb,
    '{"offer_id": "25400000-0000-4000-8000-0000000000f1",
      "article_ids": ["25400000-0000-4000-8000-000000000001", "25400000-0000-4000-8000-000000000002"]}'::jsonb,
    'a user keeps a report pending while the companion offers articles, and gets the offer back'
);
select results_eq(
    $$select o.offer_id, o.intent, o.details, o.article_ids from public.companion_help_offers as o$$,
    $$values ('25400000-0000-4000-8000-0000000000f1'::uuid, 'bug', 'The gadget freezes on start',
        array['25400000-0000-4000-8000-000000000001', '25400000-0000-4000-8000-000000000002']::uuid[])$$,
    'a user reads their own pending offer: the report and the articles in the order shown'
);
select is(
    public.companion_offer_articles('{"details": "The gadget freezes after the update",
        "offer_id": "25400000-0000-4000-8000-0000000000f2",
        "article_ids": ["25400000-0000-4000-8000-000000000003"]}')::jsonb ->> 'offer_id',
    '25400000-0000-4000-8000-0000000000f2',
    'a new offer without an intent is a bug report offer'
);
select results_eq(
    $$select o.offer_id, o.details from public.companion_help_offers as o$$,
    $$values ('25400000-0000-4000-8000-0000000000f2'::uuid, 'The gadget freezes after the update')$$,
    'a new offer replaces the earlier one: a user has one pending offer'
);
select is(
    pg_temp.refusal($$select public.companion_offer_articles('{"details": "x",
        "offer_id": "25400000-0000-4000-8000-0000000000f3", "article_ids": []}')$$),
    'companion_offer_articles_count: article_ids must hold 1 to 3 articles',
    'an offer of no article is refused with its message'
);
select is(
    pg_temp.refusal($$select public.companion_offer_articles('{"details": "x",
        "offer_id": "25400000-0000-4000-8000-0000000000f3",
        "article_ids": ["25400000-0000-4000-8000-000000000001", "25400000-0000-4000-8000-000000000002",
                        "25400000-0000-4000-8000-000000000003", "25400000-0000-4000-8000-000000000004"]}')$$),
    'companion_offer_articles_count: article_ids must hold 1 to 3 articles',
    'an offer of more than three articles is refused with the same message'
);
select is(
    pg_temp.refusal($$select public.companion_offer_articles('{"details": "x",
        "offer_id": "25400000-0000-4000-8000-0000000000f3", "article_ids": ["25400000-0000-4000-8000-000000000005"]}')$$),
    'help_article_not_found: Article not found',
    'a draft cannot be offered: only published articles are'
);
select is(
    pg_temp.refusal($$select public.companion_offer_articles('{"details": "x", "offer_id": "offer-1",
        "article_ids": ["25400000-0000-4000-8000-000000000001"]}')$$),
    'invalid_uuid: offer_id must be a UUID',
    'an offer_id that is not a UUID is refused naming the field'
);
select is(
    pg_temp.refusal($$select public.companion_offer_articles('{"details": "x", "offer_id": "25400000-0000-4000-8000-0000000000f3",
        "article_ids": ["25400000-0000-4000-8000-000000000001"], "ticket_id": "25400000-0000-4000-8000-0000000000a1"}')$$),
    '22023: unknown field "ticket_id"',
    'a field the offer does not take is refused naming it'
);
select is(
    (tests.error_of($$select public.companion_offer_articles('{"intent": "question", "details": "x",
        "offer_id": "25400000-0000-4000-8000-0000000000f3", "article_ids": ["25400000-0000-4000-8000-000000000001"]}')$$)
        ->> 'constraint'),
    'companion_help_offers_intent_valid',
    'an intent other than bug is refused by the table''s rule (intent must be bug)'
);
select is(
    (tests.error_of($$select public.companion_offer_articles('{"details": "  ",
        "offer_id": "25400000-0000-4000-8000-0000000000f3", "article_ids": ["25400000-0000-4000-8000-000000000001"]}')$$)
        ->> 'constraint'),
    'companion_help_offers_details_not_blank',
    'a blank report is refused by the table''s rule (details must not be blank)'
);
select results_eq(
    $$select o.offer_id from public.companion_help_offers as o$$,
    $$values ('25400000-0000-4000-8000-0000000000f2'::uuid)$$,
    'a refused offer leaves the pending one as it was'
);
select throws_ok(
    $$update public.companion_help_offers set details = 'changed'$$, '42501', null,
    'a user cannot change a pending offer: a new offer replaces it'
);
select throws_ok(
    $$insert into public.companion_help_offers (user_id, offer_id, intent, details, article_ids)
      values (tests.get_supabase_uid('other'), gen_random_uuid(), 'bug', 'x', array['25400000-0000-4000-8000-000000000001'::uuid])$$,
    '42501', null,
    'a user cannot write an offer in another user''s name'
);

-- another user
select tests.authenticate_as('other');
select is_empty($$select * from public.companion_help_offers$$, 'another user does not see the owner''s offer');
select is(public.companion_take_offer()::jsonb, null::jsonb, 'another user takes nothing: the owner''s offer is not theirs');
select lives_ok(
    $$delete from public.companion_help_offers$$,
    'another user''s delete runs over no row of the owner'
);
select is(
    pg_temp.refusal($$select public.companion_offer_articles('{"details": "x",
        "offer_id": "25400000-0000-4000-8000-0000000000f2", "article_ids": ["25400000-0000-4000-8000-000000000001"]}')$$),
    'help_article_not_found: Article not found',
    'another user cannot record suggestions under the owner''s offer_id'
);

-- an agent and an admin
select tests.authenticate_as('agent');
select is_empty($$select * from public.companion_help_offers$$, 'an agent does not read users'' pending offers');
select is(public.companion_take_offer()::jsonb, null::jsonb, 'an agent takes no user''s offer');
select tests.authenticate_as('admin');
select is_empty($$select * from public.companion_help_offers$$, 'an admin does not read users'' pending offers either');
select lives_ok($$delete from public.companion_help_offers$$, 'an admin''s delete runs over no user''s offer');

-- anon
select tests.clear_authentication();
select throws_ok($$select * from public.companion_help_offers$$, '42501', null,
    'an anonymous caller cannot read offers');
select throws_ok(
    $$select public.companion_offer_articles('{"details": "x", "offer_id": "25400000-0000-4000-8000-0000000000f9",
        "article_ids": ["25400000-0000-4000-8000-000000000001"]}')$$,
    '42501', null,
    'an anonymous caller cannot start an offer'
);
select throws_ok($$select public.companion_take_offer()$$, '42501', null,
    'an anonymous caller cannot take an offer');

-- service_role: every row, and the clock of one
select tests.authenticate_as_service_role();
select results_eq(
    $$select o.user_id, o.offer_id from public.companion_help_offers as o$$,
    $$values (tests.get_supabase_uid('owner'), '25400000-0000-4000-8000-0000000000f2'::uuid)$$,
    'service_role reads every pending offer: the owner''s survived the others'' deletes'
);
select is(
    (select count(*)::integer from public.help_article_events as e
     where e.offer_id in ('25400000-0000-4000-8000-0000000000f1', '25400000-0000-4000-8000-0000000000f2')
       and e.kind = 'suggested' and e.user_id = tests.get_supabase_uid('owner')),
    3,
    'each offer recorded one suggested event per article shown, in the user''s name'
);

-- the owner takes the offer (the "no, file it" answer)
select tests.authenticate_as('owner');
select is(
    public.companion_take_offer()::jsonb,
    '{"offer_id": "25400000-0000-4000-8000-0000000000f2", "intent": "bug",
      "details": "The gadget freezes after the update", "article_ids": ["25400000-0000-4000-8000-000000000003"]}'::jsonb,
    'the owner takes their pending offer: the report to file and the articles shown'
);
select is(public.companion_take_offer()::jsonb, null::jsonb, 'an offer is taken once: the second take returns null');
select is_empty($$select * from public.companion_help_offers$$, 'taking the offer ends it');

-- an offer older than 15 minutes has expired
select public.companion_offer_articles('{"details": "An old question",
    "offer_id": "25400000-0000-4000-8000-0000000000f4", "article_ids": ["25400000-0000-4000-8000-000000000004"]}');
select tests.authenticate_as_service_role();
update public.companion_help_offers set started_at = now() - interval '16 minutes';
select tests.authenticate_as('owner');
select is(public.companion_take_offer()::jsonb, null::jsonb, 'an offer older than 15 minutes is expired: taking it returns null');
select is_empty($$select * from public.companion_help_offers$$, 'taking an expired offer drops it');

select * from finish();
rollback;
