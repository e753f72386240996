-- Voters told (issue 29): when a public post moves to planned, in progress or shipped, its voters
-- and the authors of the entries it gathers are queued one post_status notification each; the
-- actor, whoever turned the kind off and whoever unfollowed the post are not; a person hears of a
-- post once per post_status_window; other moves tell nobody. Unfollowing is the user's own.
begin;
select plan(29);

select tests.create_supabase_user('author');
select tests.create_supabase_user('voter');
select tests.create_supabase_user('quiet');
select tests.create_supabase_user('unfollower');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
update public.notification_settings set post_status_window = interval '1 day';

insert into public.user_feedback (id, user_id, category, description) values
    ('24300000-0000-4000-8000-000000000001', tests.get_supabase_uid('author'), 'feature_request',
     'pgtap-243 please add a dark theme');
insert into public.feedback_posts (id, title, description, category) values
    ('24300000-0000-4000-8000-0000000000a1', 'Dark mode 243', 'A dark theme', 'feature_request'),
    ('24300000-0000-4000-8000-0000000000a2', 'Calendar 243', 'A calendar export', 'feature_request');
insert into public.feedback_post_entries (feedback_id, post_id) values
    ('24300000-0000-4000-8000-000000000001', '24300000-0000-4000-8000-0000000000a1');

create temporary view queued as
    select q.message ->> 'post_id' as post_id, (q.message ->> 'recipient_id')::uuid as recipient_id,
        q.message ->> 'kind' as kind, (q.message ->> 'notice_id')::bigint as notice_id, q.message
    from pgmq.q_notifications as q
    where q.message ->> 'post_id' like '24300000-%';
grant select on queued to authenticated, support_worker;
-- What the worker's role needs of this file's helpers (rolled back with the rest).
grant usage on schema tests, extensions to support_worker;
grant execute on function tests.get_supabase_uid(text) to support_worker;

create function pg_temp.move(post text, status text) returns json language sql as $$
    select public.support_update_post(jsonb_build_object('post_id', post, 'status', status))
$$;
grant execute on function pg_temp.move(text, text) to authenticated;

-- Everyone votes for the dark mode post, the agent too.
select tests.authenticate_as('voter');
select lives_ok($$select public.vote_for_post('{"post_id": "24300000-0000-4000-8000-0000000000a1"}')$$,
    'a user votes for the post');
select tests.authenticate_as('quiet');
select public.vote_for_post('{"post_id": "24300000-0000-4000-8000-0000000000a1"}');
select lives_ok($$select public.set_email_notifications('["post_status"]', 'false')$$,
    'a voter turns the post_status kind off like any other kind');
select tests.authenticate_as('unfollower');
select public.vote_for_post('{"post_id": "24300000-0000-4000-8000-0000000000a1"}');
select is(public.unfollow_post('{"post_id": "24300000-0000-4000-8000-0000000000a1"}')::jsonb,
    '{"post_id": "24300000-0000-4000-8000-0000000000a1", "following": false}'::jsonb,
    'a voter unfollows the post and keeps their vote');
select is((select count(*)::int from public.post_votes where user_id = tests.get_supabase_uid('unfollower')), 1,
    'unfollowing leaves the vote in place');
select tests.authenticate_as('agent');
select public.vote_for_post('{"post_id": "24300000-0000-4000-8000-0000000000a1"}');

-- Moves that are not planned, in progress or shipped tell nobody.
select lives_ok($$select pg_temp.move('24300000-0000-4000-8000-0000000000a1', 'declined')$$,
    'an agent declines the post');
select lives_ok($$select pg_temp.move('24300000-0000-4000-8000-0000000000a1', 'under_review')$$,
    'and takes it back under review');
select is_empty($$select * from queued$$, 'declining a post or taking it back under review tells nobody');

-- Planned: voters and the author are told, once each; not the agent who moved it.
select lives_ok($$select pg_temp.move('24300000-0000-4000-8000-0000000000a1', 'planned')$$,
    'an agent moves the post to planned');
select tests.clear_authentication();
reset role;
select set_eq($$select recipient_id from queued$$,
    array[tests.get_supabase_uid('voter'), tests.get_supabase_uid('author')],
    'the voter and the author of the merged entry are told; not the actor, not who turned the kind off, not who unfollowed');
select is((select count(*)::int from queued), 2, 'each person is queued one message');
select is((select count(*)::int from queued where recipient_id = tests.get_supabase_uid('agent')), 0,
    'the agent who moved the post is not told, though they voted for it');
select is((select count(*)::int from queued where recipient_id = tests.get_supabase_uid('quiet')), 0,
    'a voter who turned post_status off hears nothing');
select is((select count(*)::int from queued where recipient_id = tests.get_supabase_uid('unfollower')), 0,
    'a voter who unfollowed the post hears nothing of it');
select is((select jsonb_object_keys_array from (
            select array_agg(k order by k) as jsonb_object_keys_array
            from queued, jsonb_object_keys(message) as k
            where recipient_id = tests.get_supabase_uid('voter')) as x),
    array['kind', 'notice_id', 'occurred_at', 'post_id', 'recipient_id'],
    'a message carries ids only (no title, no address)');
select is((select jsonb_agg(jsonb_build_array(n.from_status, n.to_status))
           from private.post_status_notices as n join queued as q on q.notice_id = n.id
           where q.recipient_id = tests.get_supabase_uid('voter')),
    '[["under_review", "planned"]]'::jsonb, 'the notice records the move it tells');

-- In progress the same day: nobody hears twice.
select tests.authenticate_as('agent');
select lives_ok($$select pg_temp.move('24300000-0000-4000-8000-0000000000a1', 'in_progress')$$,
    'the agent moves the post on to in progress the same day');
select tests.clear_authentication();
reset role;
select is((select count(*)::int from queued), 2, 'a second move within the window tells nobody again');

-- Once the window is over (here: set to none), the next move is told again.
update public.notification_settings set post_status_window = interval '0';
select tests.authenticate_as('agent');
select lives_ok($$select pg_temp.move('24300000-0000-4000-8000-0000000000a1', 'shipped')$$,
    'the agent ships the post');
select tests.clear_authentication();
reset role;
select is((select count(*)::int from queued where message ->> 'kind' = 'post_status'), 4,
    'after the window the voter and the author are told of the shipping');
update public.notification_settings set post_status_window = interval '1 day';

-- A move made in SQL (Studio, no signed-in actor) tells every voter, staff who voted too.
update public.feedback_posts set status = 'planned' where id = '24300000-0000-4000-8000-0000000000a2';
select is_empty($$select * from queued where post_id = '24300000-0000-4000-8000-0000000000a2'$$,
    'a post nobody voted for tells nobody');
insert into public.post_votes (post_id, user_id) values
    ('24300000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('agent'));
update public.feedback_posts set status = 'in_progress' where id = '24300000-0000-4000-8000-0000000000a2';
select set_eq($$select recipient_id from queued where post_id = '24300000-0000-4000-8000-0000000000a2'$$,
    array[tests.get_supabase_uid('agent')],
    'an update of the status outside the RPC tells the voters too (no actor to leave out)');

-- Unfollowing is the user's own, and only the worker reads the details.
select tests.authenticate_as('voter');
select is((select count(*)::int from public.post_unfollows), 0, 'a user does not read others'' unfollows');
select is(tests.error_of($$insert into public.post_unfollows (post_id, user_id) values
        ('24300000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('author'))$$) ->> 'code',
    '42501', 'a user cannot unfollow a post for someone else');
select is((tests.error_of($$select public.unfollow_post('{"post_id": "24300000-0000-4000-8000-0000000000ff"}')$$)
           ->> 'message')::jsonb ->> 'code',
    'post_not_found', 'unfollowing a missing post is a 404');
select is(public.follow_post('{"post_id": "24300000-0000-4000-8000-0000000000a1"}')::jsonb ->> 'following',
    'true', 'following a post one never unfollowed changes nothing');
select throws_ok($$select * from private.post_notice_details(array[1::bigint])$$, '42501', null,
    'a signed-in user cannot read the notices'' details');
select tests.clear_authentication();
select throws_ok($$select public.unfollow_post('{"post_id": "24300000-0000-4000-8000-0000000000a1"}')$$,
    '42501', null, 'anon cannot unfollow');
reset role;

-- The worker reads, at delivery, whether the person still wants it.
set local role support_worker;
set local search_path = public, extensions;
select ok((select bool_and(d.wanted) and count(*) = 2 from private.post_notice_details(
            array(select notice_id from queued where post_id = '24300000-0000-4000-8000-0000000000a1')) as d
           where d.recipient_id = tests.get_supabase_uid('voter')),
    'the worker reads the voter''s notices as wanted');
reset role;
insert into public.post_unfollows (post_id, user_id) values
    ('24300000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('voter'));
set local role support_worker;
set local search_path = public, extensions;
select is((select bool_or(d.wanted) from private.post_notice_details(
            array(select notice_id from queued where post_id = '24300000-0000-4000-8000-0000000000a1')) as d
           where d.recipient_id = tests.get_supabase_uid('voter')),
    false, 'a voter who unfollows after the move is no longer wanted at delivery');
reset role;

select * from finish();
rollback;
