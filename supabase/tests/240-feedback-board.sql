-- The public feedback board (issue 29), from each actor's side: only staff publish, merge and
-- move posts; every signed-in user reads posts, never an author's text unless shared, never who
-- wrote or voted; a user votes once per post and withdraws; votes are rate-limited; anonymous
-- visitors read only through the service key and only when the admin setting allows it.
begin;
select plan(35);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Jones');
-- This transaction sees only its own posts (the seed has a dark mode post too).
delete from public.feedback_posts;

insert into public.user_feedback (id, user_id, category, description, feature_name) values
    ('24000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'feature_request',
     'pgtap-240 my private words about dark mode', 'dark-mode'),
    ('24000000-0000-4000-8000-000000000002', tests.get_supabase_uid('other'), 'feature_request',
     'pgtap-240 another private ask for a dark theme', null),
    ('24000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'feature_request',
     'pgtap-240 calendar export please', null);

create temporary table board_ids (name text primary key, id uuid);
grant all on board_ids to authenticated, service_role;

create function pg_temp.refusal(statement text) returns text language sql as $$
    select (tests.error_of(statement) ->> 'message')::jsonb ->> 'code'
$$;

-- Publishing: staff only.
select tests.authenticate_as('owner');
select is(pg_temp.refusal($$select public.support_publish_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000001", "title": "Dark mode", "description": "A dark theme"}')$$),
    '42501', 'the author of an entry cannot publish it');
select is(pg_temp.refusal($$select public.support_merge_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000002", "post_id": "24000000-0000-4000-8000-000000000009"}')$$),
    '42501', 'a user cannot merge entries');
select tests.clear_authentication();
select throws_ok($$select public.support_publish_feedback('{}')$$, '42501', null, 'anon cannot publish feedback');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_publish_feedback('{}')$$, '42501', null, 'service_role cannot publish feedback');

select tests.authenticate_as('agent');
insert into board_ids
select 'dark', (public.support_publish_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000001",
    "title": "Dark mode", "description": "A dark theme for the whole app"}')::jsonb ->> 'post_id')::uuid;
select is((select jsonb_build_array(p.status, p.category, p.feature_name, p.vote_count)
           from public.feedback_posts as p where p.id = (select id from board_ids where name = 'dark')),
    '["under_review", "feature_request", "dark-mode", 0]'::jsonb,
    'an agent publishes an entry as a post under review, with the entry''s category and feature');
select is(pg_temp.refusal($$select public.support_publish_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000001", "title": "Again", "description": "x"}')$$),
    'feedback_on_other_post', 'an entry already on a post cannot be published again');
select is(tests.error_of($$select public.support_publish_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000003", "title": " ", "description": "x"}')$$) ->> 'message',
    'title must not be blank', 'a blank title is refused with the rule''s message');
select is(pg_temp.refusal($$select public.support_publish_feedback('{"feedback_id": "24000000-0000-4000-8000-0000000000ff", "title": "t", "description": "x"}')$$),
    'feedback_not_found', 'publishing a missing entry is a 404');
select lives_ok(format($$select public.support_merge_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000002", "post_id": "%s"}')$$,
    (select id from board_ids where name = 'dark')), 'an agent merges another user''s entry into the post');
insert into board_ids
select 'calendar', (public.support_publish_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000003",
    "title": "Calendar export", "description": "Export to your calendar"}')::jsonb ->> 'post_id')::uuid;
select is(pg_temp.refusal(format($$select public.support_merge_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000002", "post_id": "%s"}')$$,
    (select id from board_ids where name = 'calendar'))),
    'feedback_on_other_post', 'an entry gathered in one post cannot be merged into another');
select is(pg_temp.refusal($$select public.support_merge_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000002", "post_id": "24000000-0000-4000-8000-0000000000ff"}')$$),
    'post_not_found', 'merging into a missing post is a 404');

-- Moving a post along the workflow.
select is(public.support_update_post(format('{"post_id": "%s", "status": "planned"}', (select id from board_ids where name = 'dark'))::jsonb) ->> 'status',
    'planned', 'an agent moves a post from under review to planned');
select is(pg_temp.refusal(format($$select public.support_update_post('{"post_id": "%s", "status": "shipped"}')$$, (select id from board_ids where name = 'dark'))),
    'post_move_refused', 'a post cannot skip from planned to shipped (that move is only for shipping a feature''s entries)');
select is(pg_temp.refusal(format($$select public.support_update_post('{"post_id": "%s", "status": "received"}')$$, (select id from board_ids where name = 'dark'))),
    'post_move_refused', 'a post cannot go back to received');

-- Readers: posts yes, entries and authors no.
select tests.authenticate_as('other');
select is((select p.title from public.feedback_posts as p where p.id = (select id from board_ids where name = 'dark')),
    'Dark mode', 'a signed-in user reads a public post');
select throws_ok($$select created_by from public.feedback_posts$$, '42501', null,
    'a signed-in user cannot read who published a post');
select throws_ok($$select * from public.feedback_post_entries$$, '42501', null,
    'a signed-in user cannot read which entries a post gathers');
select is(pg_temp.refusal(format($$select public.support_update_post('{"post_id": "%s", "title": "Mine now"}')$$, (select id from board_ids where name = 'dark'))),
    '42501', 'a user cannot change a post');
select ok(public.board_posts()::text !~ 'pgtap-240 my private',
    'the board does not show an author''s text they did not share');

select tests.authenticate_as('owner');
select is(public.share_my_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000001", "display_name": "Ann"}')::jsonb ->> 'shared',
    'true', 'the author shares their own entry under a name they choose');
select tests.authenticate_as('other');
select is(pg_temp.refusal($$select public.share_my_feedback('{"feedback_id": "24000000-0000-4000-8000-000000000001", "share": false}')$$),
    'feedback_not_found', 'another user cannot share or unshare someone else''s entry');
select is((select p -> 'shared' from json_array_elements(public.board_posts() -> 'posts') as p
           where p ->> 'title' = 'Dark mode')::jsonb #- '{0,created_at}',
    '[{"description": "pgtap-240 my private words about dark mode", "display_name": "Ann"}]'::jsonb,
    'a shared entry shows its text and the chosen name on the post, the unshared one nothing');

-- Votes.
select is(public.vote_for_post(format('{"post_id": "%s"}', (select id from board_ids where name = 'dark'))::jsonb) ->> 'vote_count',
    '1', 'a user votes for a post');
select is(public.vote_for_post(format('{"post_id": "%s"}', (select id from board_ids where name = 'dark'))::jsonb) ->> 'vote_count',
    '1', 'voting again for the same post changes nothing');
select tests.authenticate_as('owner');
select is(public.vote_for_post(format('{"post_id": "%s"}', (select id from board_ids where name = 'dark'))::jsonb) ->> 'vote_count',
    '2', 'a second user''s vote counts');
select is((select count(*)::int from public.post_votes), 1, 'a user reads their own votes only');
select throws_ok(format($$insert into public.post_votes (post_id, user_id) values ('%s', '%s')$$,
    (select id from board_ids where name = 'calendar'), tests.get_supabase_uid('owner')), '42501', null,
    'a user cannot insert a vote directly');
select ok(public.board_posts()::text !~ (tests.get_supabase_uid('other')::text || '|' || tests.get_supabase_uid('owner')::text),
    'the board names no author and no voter');
select is((select p ->> 'voted' from json_array_elements(public.board_posts() -> 'posts') as p where p ->> 'title' = 'Dark mode'),
    'true', 'the board tells a user they voted');
select is(public.withdraw_vote(format('{"post_id": "%s"}', (select id from board_ids where name = 'dark'))::jsonb) ->> 'vote_count',
    '1', 'a user withdraws their vote');
select is(pg_temp.refusal($$select public.vote_for_post('{"post_id": "24000000-0000-4000-8000-0000000000ff"}')$$),
    'post_not_found', 'voting for a missing post is a 404');

reset role;
update public.rate_limits set max_per_hour = 1 where kind = 'vote';
select tests.authenticate_as('owner');
select is(pg_temp.refusal(format($$select public.vote_for_post('{"post_id": "%s"}')$$, (select id from board_ids where name = 'calendar'))),
    'P0429', 'a vote beyond the vote rate limit is refused, a withdrawn vote still counting');

-- Anonymous visitors and the setting.
select tests.clear_authentication();
select throws_ok($$select public.vote_for_post('{}')$$, '42501', null, 'anon cannot vote');
select tests.authenticate_as_service_role();
select is(pg_temp.refusal($$select public.visitor_board_posts()$$), 'board_not_public',
    'visitors read nothing while the board is not public');
select tests.authenticate_as('agent');
update public.board_settings set public_read = true;
select tests.authenticate_as('admin');
update public.board_settings set public_read = true;
select tests.authenticate_as_service_role();
select ok((public.visitor_board_posts() -> 'posts')::text ~ 'Dark mode' and public.visitor_board_posts()::text !~ '"voted"',
    'visitors read the posts, without voted, once an admin opens the board (an agent cannot)');

select * from finish();
rollback;
