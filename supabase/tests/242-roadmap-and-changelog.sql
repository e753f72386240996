-- The roadmap and the changelog: staff write the changelog, every signed-in user reads both, the
-- body's Markdown is rendered to HTML that carries no raw HTML and no javascript: link, and the
-- roadmap groups the posts by status with their votes.
begin;
select plan(13);

select tests.create_supabase_user('reader');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
-- This transaction sees only its own posts.
delete from public.feedback_posts;
insert into public.feedback_posts (id, title, description, category, status, vote_count, status_changed_at) values
    ('24200000-0000-4000-8000-000000000001', 'Dark mode', 'A dark theme', 'feature_request', 'planned', 7, now()),
    ('24200000-0000-4000-8000-000000000002', 'Exports', 'CSV exports', 'feature_request', 'in_progress', 3, now()),
    ('24200000-0000-4000-8000-000000000003', 'Search', 'Faster search', 'feature_request', 'shipped', 9, now() - interval '2 days'),
    ('24200000-0000-4000-8000-000000000004', 'Old thing', 'Long ago', 'feature_request', 'shipped', 1, now() - interval '90 days'),
    ('24200000-0000-4000-8000-000000000005', 'Widgets', 'Maybe', 'feature_request', 'under_review', 5, now());

select tests.authenticate_as('reader');
select is(
    (select jsonb_build_object(
        'planned', (select jsonb_agg(p ->> 'title') from jsonb_array_elements(r -> 'planned') as p),
        'in_progress', (select jsonb_agg(p ->> 'title') from jsonb_array_elements(r -> 'in_progress') as p),
        'shipped', (select jsonb_agg(p ->> 'title') from jsonb_array_elements(r -> 'shipped') as p))
     from (select public.roadmap()::jsonb as r) as x),
    '{"planned": ["Dark mode"], "in_progress": ["Exports"], "shipped": ["Search"]}'::jsonb,
    'the roadmap shows planned, in-progress and recently shipped posts, not older ones nor those under review');
select is((public.roadmap()::jsonb -> 'planned' -> 0 ->> 'vote_count'), '7', 'the roadmap carries vote counts');
select is((tests.error_of($$select public.support_save_changelog_entry('{"title": "x", "body": "y"}')$$) ->> 'message')::jsonb ->> 'code',
    '42501', 'a user cannot write the changelog');
select throws_ok($$insert into public.changelog_entries (title, body, body_html) values ('x', 'y', 'z')$$, '42501', null,
    'a user cannot insert into the changelog directly');

select tests.authenticate_as('agent');
select is(
    public.support_save_changelog_entry('{"title": "Search is faster", "published_on": "2026-02-06",
        "body": "**Search** ships. <script>alert(1)</script> [bad](javascript:alert(1)) [good](https://example.com)",
        "post_ids": ["24200000-0000-4000-8000-000000000003"]}')::jsonb ->> 'body_html',
    '<p><strong>Search</strong> ships. &lt;script&gt;alert(1)&lt;/script&gt; [bad](javascript:alert(1)) <a href="https://example.com">good</a></p>',
    'an agent writes an entry; its HTML escapes raw HTML, makes no javascript: link and links https');
select is((tests.error_of($$select public.support_save_changelog_entry('{"title": "x", "body": "y", "post_ids": ["24200000-0000-4000-8000-0000000000ff"]}')$$) ->> 'message')::jsonb ->> 'code',
    'changelog_post_unknown', 'an entry cannot ship a post that does not exist');
select is(tests.error_of($$select public.support_save_changelog_entry('{"title": "", "body": "y"}')$$) ->> 'message',
    'title must not be blank', 'a blank title is refused with the rule''s message');
select is((tests.error_of($$select public.support_save_changelog_entry('{"entry_id": "24200000-0000-4000-8000-0000000000ff", "title": "x"}')$$) ->> 'message')::jsonb ->> 'code',
    'changelog_entry_not_found', 'changing a missing entry is a 404');

select tests.authenticate_as('reader');
select is(
    (select jsonb_build_array(e ->> 'title', e ->> 'published_on', e -> 'posts' -> 0 ->> 'title')
     from jsonb_array_elements(public.changelog()::jsonb -> 'entries') as e where e ->> 'title' = 'Search is faster'),
    '["Search is faster", "2026-02-06", "Search"]'::jsonb,
    'a user reads the changelog with the posts each entry ships');
select throws_ok($$select created_by from public.changelog_entries$$, '42501', null,
    'a user cannot read who wrote a changelog entry');

select tests.clear_authentication();
select throws_ok($$select public.roadmap()$$, '42501', null, 'anon cannot call roadmap directly');
select tests.authenticate_as_service_role();
select is((tests.error_of($$select public.visitor_changelog()$$) ->> 'message')::jsonb ->> 'code',
    'board_not_public', 'visitors read no changelog while the board is not public');
reset role;
update public.board_settings set public_read = true;
select tests.authenticate_as_service_role();
select is(jsonb_array_length(public.visitor_roadmap()::jsonb -> 'planned'), 1,
    'visitors read the roadmap once the board is public');

select * from finish();
rollback;
