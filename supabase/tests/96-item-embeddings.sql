-- Sentence embeddings: private to the triage worker's functions, forgotten when the text
-- changes, found missing by the backlog, and weighed by the likely-duplicates lookup against
-- vectors of the same model only. The vectors here are made by hand (unit vectors along one
-- axis): tests/test_embeddings.py runs the real model through the stack's worker.
begin;
select plan(23);

create function pg_temp.axis(n integer) returns extensions.vector language sql as $$
    select ('[' || pg_catalog.array_to_string(
        array(select case when i = n then '1' else '0' end from pg_catalog.generate_series(1, 384) as i), ',')
        || ']')::extensions.vector
$$;

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');

-- Two reports of one problem that share no word, and one of the same area that shares words.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, created_at) values
    ('96e00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'bug',
     'The price is shown in dollars though I live in France', 'The price is shown in dollars though I live in France', 'open', now()),
    ('96e00000-0000-4000-8000-000000000002', tests.get_supabase_uid('other'), 'bug',
     'Wrong currency on the upgrade screen', 'Wrong currency on the upgrade screen', 'open', now() - interval '1 hour'),
    ('96e00000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'bug',
     'The yearly price went up without notice', 'The yearly price went up without notice', 'open', now() - interval '2 hours'),
    ('96e00000-0000-4000-8000-000000000004', tests.get_supabase_uid('other'), 'bug',
     'Prices in the wrong money on the plans page', 'Prices in the wrong money on the plans page', 'open', now() - interval '3 hours');
insert into public.user_feedback (id, user_id, category, description, feature_name) values
    ('96e00000-0000-4000-8000-000000000041', tests.get_supabase_uid('owner'), 'feature_request', 'A yearly view please', 'yearly view');

-- Who may touch the vectors: nobody through the API.
select is(
    (select pg_catalog.count(*)::integer from pg_catalog.pg_class as c
     cross join (values ('anon'), ('authenticated'), ('service_role')) as r (role)
     where c.oid in ('private.ticket_embeddings'::regclass, 'private.feedback_embeddings'::regclass)
       and (pg_catalog.has_table_privilege(r.role, c.oid, 'select')
            or pg_catalog.has_table_privilege(r.role, c.oid, 'insert')
            or pg_catalog.has_table_privilege(r.role, c.oid, 'update')
            or pg_catalog.has_table_privilege(r.role, c.oid, 'delete'))),
    0, 'no API role (anon, authenticated, service_role) reads or writes a vector');
select ok(not pg_catalog.has_function_privilege('authenticated', 'private.save_embeddings(text, jsonb)', 'execute')
          and not pg_catalog.has_function_privilege('service_role', 'private.save_embeddings(text, jsonb)', 'execute')
          and not pg_catalog.has_function_privilege('anon', 'private.embedding_backlog(text, integer)', 'execute'),
    'no API role may store vectors or read the backlog''s texts');
select ok(pg_catalog.has_function_privilege('support_triage', 'private.save_embeddings(text, jsonb)', 'execute')
          and pg_catalog.has_function_privilege('support_triage', 'private.embedding_backlog(text, integer)', 'execute'),
    'the triage worker''s role stores vectors and reads the backlog');

-- What the worker sends: each vector with the md5 of the texts it was made from.
select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'ticket_id', t.id, 'text_md5', pg_catalog.md5(t.subject || E'\n' || t.description),
           'embedding', pg_temp.axis(v.axis)::text))
       || pg_catalog.jsonb_build_array(
           pg_catalog.jsonb_build_object('feedback_id', '96e00000-0000-4000-8000-000000000041',
               'text_md5', pg_catalog.md5('yearly view' || E'\n' || 'A yearly view please'),
               'embedding', pg_temp.axis(3)::text),
           pg_catalog.jsonb_build_object('ticket_id', '96e00000-0000-4000-8000-0000000000ff',
               'text_md5', pg_catalog.md5('gone'), 'embedding', pg_temp.axis(3)::text)) as batch,
       pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
           'ticket_id', '96e00000-0000-4000-8000-000000000003',
           'text_md5', pg_catalog.md5('The yearly price went up' || E'\n' || 'an older text'),
           'embedding', pg_temp.axis(1)::text)) as stale
from (values ('96e00000-0000-4000-8000-000000000001', 1), ('96e00000-0000-4000-8000-000000000002', 1),
             ('96e00000-0000-4000-8000-000000000003', 2), ('96e00000-0000-4000-8000-000000000004', 1))
    as v (id, axis)
join public.support_tickets as t on t.id = v.id::uuid \gset

-- The backlog: what has no vector of the worker's model, newest first, with its text.
-- (pgTAP's functions, for this transaction only, as 98-triage-worker-role does.)
grant usage on schema extensions, tests to support_triage;
set local role support_triage;
select ok(
    (select pg_catalog.array_agg(b.id order by b.id) from private.embedding_backlog('model-a', 100000) as b
     where b.id::text like '96e00000%')
    = array['96e00000-0000-4000-8000-000000000001', '96e00000-0000-4000-8000-000000000002',
            '96e00000-0000-4000-8000-000000000003', '96e00000-0000-4000-8000-000000000004',
            '96e00000-0000-4000-8000-000000000041']::uuid[],
    'the backlog lists the open reports and feedback of the window that have no vector');
select is(
    (select b.first_text || ' / ' || b.description from private.embedding_backlog('model-a', 100000) as b
     where b.id = '96e00000-0000-4000-8000-000000000041'),
    'yearly view / A yearly view please', 'the backlog answers a feedback entry''s feature name and description');
select is(private.save_embeddings('model-a', :'batch'::jsonb), 5,
    'the worker stores the vectors of existing items and skips an item that is gone');
select is(private.save_embeddings('model-a', :'stale'::jsonb), 0,
    'a vector of a text that has changed since it was read is not stored');
select is(
    (select pg_catalog.count(*)::integer from private.embedding_backlog('model-a', 100000) as b
     where b.id::text like '96e00000%'),
    0, 'an item with a vector of the model leaves the backlog');
select is(
    (select pg_catalog.count(*)::integer from private.embedding_backlog('model-b', 100000) as b
     where b.id::text like '96e00000%'),
    5, 'for another model every item is in the backlog again (a change of model re-embeds)');
select throws_ok($$select 1 from private.ticket_embeddings$$, '42501', null,
    'the worker''s role reads no vector table itself');
reset role;

-- The lookup, as staff, with weights of its own (the fitted defaults are the eval's business).
update public.triage_settings set similar_intercept = -9.7, similar_cosine_weight = 13.4,
    similar_lexical_weight = 6.2, similar_min_probability = 0.5;
select tests.authenticate_as('agent');
select is(
    (select pg_catalog.array_agg(s->>'ticket_id' order by s->>'ticket_id')
     from pg_catalog.json_array_elements(public.support_similar_tickets('96e00000-0000-4000-8000-000000000001')->'similar') as s),
    array['96e00000-0000-4000-8000-000000000002', '96e00000-0000-4000-8000-000000000004'],
    'reports close in meaning are found though they share no word; one of the same area far in meaning is not');
select ok(
    (select (s->>'score')::numeric between 0.5 and 1
     from pg_catalog.json_array_elements(public.support_similar_tickets('96e00000-0000-4000-8000-000000000001')->'similar') as s
     where s->>'ticket_id' = '96e00000-0000-4000-8000-000000000002'),
    'with vectors the score is a chance of the same problem, at least similar_min_probability');
select ok(
    (select (s->>'score')::numeric from pg_catalog.json_array_elements(
        public.support_similar_tickets('96e00000-0000-4000-8000-000000000001')->'similar') as s
     where s->>'ticket_id' = '96e00000-0000-4000-8000-000000000004')
    > (select (s->>'score')::numeric from pg_catalog.json_array_elements(
        public.support_similar_tickets('96e00000-0000-4000-8000-000000000001')->'similar') as s
       where s->>'ticket_id' = '96e00000-0000-4000-8000-000000000002'),
    'of two reports equally close in meaning, the one sharing more words ranks first');
select is(
    (select pg_catalog.json_array_length(public.support_similar_tickets('96e00000-0000-4000-8000-000000000003')->'similar')),
    0, 'a report far in meaning from every other has no likely duplicate, whatever words it shares');

-- Another user and the owner see nothing.
select tests.authenticate_as('owner');
select throws_ok($$select public.support_similar_tickets('96e00000-0000-4000-8000-000000000001')$$,
    'PGRST', null, 'the owner of a report cannot run the lookup');
select tests.authenticate_as('other');
select throws_ok($$select 1 from private.ticket_embeddings$$, '42501', null,
    'another user reads no vector');
reset role;

-- Weights are settings: admins change them, within their ranges.
select throws_ok($$update public.triage_settings set similar_min_probability = 1$$, '23514', null,
    'similar_min_probability must stay below 1');
select throws_ok($$update public.triage_settings set similar_lexical_weight = -1$$, '23514', null,
    'similar_lexical_weight cannot make shared words count against a pair');
update public.triage_settings set similar_min_probability = 0.99, similar_lexical_weight = 0;
select tests.authenticate_as('agent');
select is(
    (select pg_catalog.json_array_length(public.support_similar_tickets('96e00000-0000-4000-8000-000000000001')->'similar')),
    0, 'pairs under a raised similar_min_probability are left out (the weights are read at each lookup)');
reset role;

-- Vectors of another model are not compared: the candidate is scored on words alone.
update private.ticket_embeddings set model = 'model-b' where ticket_id = '96e00000-0000-4000-8000-000000000002';
select tests.authenticate_as('agent');
select ok(
    not exists (select 1 from pg_catalog.json_array_elements(
        public.support_similar_tickets('96e00000-0000-4000-8000-000000000001')->'similar') as s
        where s->>'ticket_id' = '96e00000-0000-4000-8000-000000000002'),
    'a candidate with a vector of another model is scored on shared words alone (here: none)');
reset role;

-- A change of the text forgets the vector at once (an erasure anonymises the text).
update public.support_tickets set description = '[erased]' where id = '96e00000-0000-4000-8000-000000000004';
select is(
    (select pg_catalog.count(*)::integer from private.ticket_embeddings
     where ticket_id = '96e00000-0000-4000-8000-000000000004'),
    0, 'changing a ticket''s description deletes its vector');
update public.user_feedback set feature_name = 'year view' where id = '96e00000-0000-4000-8000-000000000041';
select is(
    (select pg_catalog.count(*)::integer from private.feedback_embeddings
     where feedback_id = '96e00000-0000-4000-8000-000000000041'),
    0, 'changing a feedback entry''s feature name deletes its vector');
update public.support_tickets set status = 'in_progress' where id = '96e00000-0000-4000-8000-000000000001';
select is(
    (select pg_catalog.count(*)::integer from private.ticket_embeddings
     where ticket_id = '96e00000-0000-4000-8000-000000000001'),
    1, 'a change that leaves the text alone keeps the vector');

select * from finish();
rollback;
