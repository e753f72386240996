-- Deflection and votes from each actor's side: users record offers and their outcome for
-- themselves only, vote once per article; anon records and votes nothing; staff read the
-- figures through support_stats' "help" key.
begin;
select plan(20);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Deflect');
delete from public.help_articles;
insert into public.help_articles (id, slug, title, body, status) values
    ('24300000-0000-4000-8000-000000000001', 'reset-your-password', 'Reset your password', 'Tap Forgot password.', 'published'),
    ('24300000-0000-4000-8000-000000000002', 'double-charge', 'Charged twice', 'Pending authorisation.', 'published'),
    ('24300000-0000-4000-8000-000000000003', 'a-draft', 'A draft', 'Draft.', 'draft');
insert into public.support_tickets (id, user_id, ticket_type, subject, description) values
    ('24300000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('owner'), 'bug', 'Password', 'Cannot sign in');

create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;

-- owner: two offers; the first answered, the second followed by a ticket
select tests.authenticate_as('owner');
select is(
    (public.record_help_events('{"kind": "suggested", "offer_id": "24300000-0000-4000-8000-0000000000f1",
        "article_ids": ["24300000-0000-4000-8000-000000000001", "24300000-0000-4000-8000-000000000002"]}')::jsonb ->> 'recorded')::integer,
    2,
    'a user records the suggestions they were shown, one event per article'
);
select is(
    (public.record_help_events('{"kind": "answered", "offer_id": "24300000-0000-4000-8000-0000000000f1",
        "article_ids": ["24300000-0000-4000-8000-000000000001"]}')::jsonb ->> 'recorded')::integer,
    1,
    'a user records that an article answered their question'
);
select is(
    (public.record_help_events('{"kind": "answered", "offer_id": "24300000-0000-4000-8000-0000000000f1",
        "article_ids": ["24300000-0000-4000-8000-000000000001"]}')::jsonb ->> 'recorded')::integer,
    0,
    'recording the same answer twice records it once'
);
select is(
    (public.record_help_events('{"kind": "answered", "offer_id": "24300000-0000-4000-8000-0000000000f1",
        "article_ids": ["24300000-0000-4000-8000-000000000002"]}')::jsonb ->> 'recorded')::integer,
    0,
    'an offer is answered by one article only: a second answer records nothing'
);
select lives_ok(
    $$select public.record_help_events('{"kind": "suggested", "offer_id": "24300000-0000-4000-8000-0000000000f2",
        "article_ids": ["24300000-0000-4000-8000-000000000001", "24300000-0000-4000-8000-000000000002"]}')$$,
    'a second offer is recorded'
);
select lives_ok(
    $$select public.record_help_events('{"kind": "ticket_filed", "offer_id": "24300000-0000-4000-8000-0000000000f2",
        "ticket_id": "24300000-0000-4000-8000-0000000000a1",
        "article_ids": ["24300000-0000-4000-8000-000000000001", "24300000-0000-4000-8000-000000000002"]}')$$,
    'a ticket filed after an offer is recorded with the articles that were shown'
);
select is(
    pg_temp.refusal($$select public.record_help_events('{"kind": "suggested", "offer_id": "24300000-0000-4000-8000-0000000000f3",
        "article_ids": ["24300000-0000-4000-8000-000000000003"]}')$$),
    'help_article_not_found',
    'a draft cannot be recorded as suggested'
);
select is(
    pg_temp.refusal($$select public.record_help_events('{"kind": "shown", "offer_id": "24300000-0000-4000-8000-0000000000f3",
        "article_ids": ["24300000-0000-4000-8000-000000000001"]}')$$),
    '22023',
    'a kind outside the vocabulary is refused with the vocabulary''s message'
);
select is(
    pg_temp.refusal($$select public.record_help_events('{"kind": "ticket_filed", "offer_id": "24300000-0000-4000-8000-0000000000f3",
        "article_ids": ["24300000-0000-4000-8000-000000000001"]}')$$),
    'help_event_ticket_missing',
    'ticket_filed needs the ticket'
);
select is(
    pg_temp.refusal($$select public.record_help_events('{"kind": "suggested", "offer_id": "24300000-0000-4000-8000-0000000000f3", "article_ids": []}')$$),
    'help_event_articles_count',
    'an offer shows at least one article'
);
select throws_ok(
    $$select * from public.help_article_events$$, '42501', null,
    'a user cannot read the events table'
);
select lives_ok(
    $$insert into public.help_article_votes (article_id, helpful) values ('24300000-0000-4000-8000-000000000001', true)$$,
    'a user votes an article helpful'
);
select is(
    pg_temp.refusal($$insert into public.help_article_votes (article_id, helpful) values ('24300000-0000-4000-8000-000000000001', false)$$),
    '23505',
    'a user votes once per article'
);
select lives_ok(
    $$update public.help_article_votes set helpful = false where article_id = '24300000-0000-4000-8000-000000000001'$$,
    'a user changes their vote'
);
select throws_ok(
    $$insert into public.help_article_votes (article_id, helpful) values ('24300000-0000-4000-8000-000000000003', true)$$,
    '42501', null,
    'a user cannot vote on a draft'
);

-- another user
select tests.authenticate_as('other');
select is(
    pg_temp.refusal($$select public.record_help_events('{"kind": "ticket_filed", "offer_id": "24300000-0000-4000-8000-0000000000f9",
        "ticket_id": "24300000-0000-4000-8000-0000000000a1", "article_ids": ["24300000-0000-4000-8000-000000000001"]}')$$),
    'P0002',
    'another user cannot record a ticket that is not theirs'
);
select is_empty($$select * from public.help_article_votes$$, 'another user does not see the owner''s vote');

-- anon
select tests.clear_authentication();
select throws_ok(
    $$select public.record_help_events('{"kind": "suggested", "offer_id": "24300000-0000-4000-8000-0000000000fa", "article_ids": ["24300000-0000-4000-8000-000000000001"]}')$$,
    '42501', null,
    'anonymous readers record no events'
);
select throws_ok(
    $$insert into public.help_article_votes (article_id, helpful) values ('24300000-0000-4000-8000-000000000001', true)$$,
    '42501', null,
    'anonymous readers do not vote'
);

-- admin
select tests.authenticate_as('admin');
select is(
    (public.support_stats((now() - interval '1 day')::text, (now() + interval '1 minute')::text)::jsonb -> 'help') - 'most_deflecting'::text - 'least_deflecting'::text,
    '{"offers": 2, "answered": 1, "tickets_filed": 1, "deflection_rate": 0.5000, "votes": {"helpful": 0, "not_helpful": 1}}'::jsonb,
    'support_stats reports offers, answers, tickets filed, the deflection rate and the votes'
);

select * from finish();
rollback;
