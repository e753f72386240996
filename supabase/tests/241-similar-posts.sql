-- "Vote for this instead" (similar_posts): a signed-in user about to file feedback is shown the
-- public posts that look like it, best first; declined posts and weak matches are left out;
-- anon and service_role are not callers.
begin;
select plan(7);

select tests.create_supabase_user('writer');
-- This transaction sees only its own posts (the seed has a dark mode post too).
delete from public.feedback_posts;
insert into public.feedback_posts (id, title, description, category, status) values
    ('24100000-0000-4000-8000-000000000001', 'Dark mode', 'A dark theme for the whole app', 'feature_request', 'planned'),
    ('24100000-0000-4000-8000-000000000002', 'Calendar export', 'Export your bookings to a calendar', 'feature_request', 'under_review'),
    ('24100000-0000-4000-8000-000000000003', 'Dark theme everywhere', 'Dark theme for the app and the emails', 'feature_request', 'declined');

select tests.authenticate_as('writer');
select is(
    (select jsonb_agg(s ->> 'post_id') from jsonb_array_elements(public.similar_posts('Please give the app a dark theme')::jsonb -> 'similar') as s),
    '["24100000-0000-4000-8000-000000000001"]'::jsonb,
    'a user writing about a dark theme is offered the dark mode post, not the calendar one nor the declined one');
select ok(
    (public.similar_posts('Please give the app a dark theme')::jsonb -> 'similar' -> 0) ?& array['title', 'status', 'vote_count', 'score'],
    'each suggestion has the post''s title, status, vote count and score');
select is(public.similar_posts('Something about invoices and taxes')::jsonb -> 'similar', '[]'::jsonb,
    'an unrelated text is offered nothing');
select is((tests.error_of($$select public.similar_posts('   ')$$) ->> 'message')::jsonb ->> 'code',
    'similar_posts_text_required', 'a blank text is a 400 naming description');
select is((tests.error_of($$select public.similar_posts('dark', '0')$$) ->> 'message')::jsonb ->> 'message',
    'page_size must be an integer from 1 to 20', 'page_size is checked');

select tests.clear_authentication();
select throws_ok($$select public.similar_posts('dark theme')$$, '42501', null, 'anon cannot ask for similar posts');
select tests.authenticate_as_service_role();
select throws_ok($$select public.similar_posts('dark theme')$$, '42501', null, 'service_role cannot ask for similar posts');

select * from finish();
rollback;
