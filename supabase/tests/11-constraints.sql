-- Every rule of the design's table, broken once, directly on the tables (the path an admin in
-- Studio or a direct PostgREST insert takes). The RPC files check the messages users get.
begin;
select plan(45);

select tests.create_supabase_user('owner');

-- A valid bug report and a valid piece of feedback, changed one field at a time.
create temporary table valid_rows (tbl regclass primary key, row_values jsonb) on commit drop;
insert into valid_rows values
    ('public.support_tickets', jsonb_build_object(
        'user_id', tests.get_supabase_uid('owner'), 'ticket_type', 'bug', 'subject', 'Dates wrong',
        'description', 'The calendar shows wrong dates')),
    ('public.user_feedback', jsonb_build_object(
        'user_id', tests.get_supabase_uid('owner'), 'category', 'praise', 'description', 'Great app'));

-- Broken: each change breaks exactly the named constraint.
select is(
    tests.error_of(tests.insert_row(v.tbl, v.row_values || t.change)) ->> 'constraint',
    t.broken,
    format('%s refuses %s (%s)', v.tbl, t.change, t.broken)
)
from (values
    ('public.support_tickets', '{"ticket_type": "feature"}', 'support_tickets_ticket_type_valid'),
    ('public.support_tickets', '{"subject": " \t\n "}', 'support_tickets_subject_not_blank'),
    ('public.support_tickets', jsonb_build_object('subject', repeat('s', 256)), 'support_tickets_subject_max_length'),
    ('public.support_tickets', '{"description": "\n  \n"}', 'support_tickets_description_not_blank'),
    ('public.support_tickets', jsonb_build_object('description', repeat('d', 5001)), 'support_tickets_description_max_length'),
    ('public.support_tickets', '{"status": "pending"}', 'support_tickets_status_valid'),
    ('public.support_tickets', '{"priority": "critical"}', 'support_tickets_priority_valid'),
    ('public.support_tickets', jsonb_build_object('assigned_to', repeat('a', 101)), 'support_tickets_assigned_to_max_length'),
    ('public.support_tickets', '{"meta_data": []}', 'support_tickets_meta_data_object'),
    ('public.support_tickets', jsonb_build_object('steps_to_reproduce', repeat('s', 5001)), 'support_tickets_steps_to_reproduce_max_length'),
    ('public.support_tickets', jsonb_build_object('expected_behavior', repeat('e', 5001)), 'support_tickets_expected_behavior_max_length'),
    ('public.support_tickets', jsonb_build_object('actual_behavior', repeat('a', 5001)), 'support_tickets_actual_behavior_max_length'),
    ('public.support_tickets', jsonb_build_object('device_info', repeat('d', 256)), 'support_tickets_device_info_max_length'),
    ('public.support_tickets', jsonb_build_object('app_version', repeat('1', 51)), 'support_tickets_app_version_max_length'),
    ('public.support_tickets', '{"screenshot_urls": ["https://a.example/1", "https://a.example/2", "https://a.example/3", "https://a.example/4", "https://a.example/5", "https://a.example/6"]}', 'support_tickets_screenshot_urls_max_count'),
    ('public.support_tickets', '{"screenshot_urls": ["http://a.example/1.png"]}', 'support_tickets_screenshot_urls_https'),
    ('public.support_tickets', '{"screenshot_urls": ["https://"]}', 'support_tickets_screenshot_urls_https'),
    ('public.support_tickets', '{"screenshot_urls": ["https://a.example/a b.png"]}', 'support_tickets_screenshot_urls_https'),
    ('public.support_tickets', '{"screenshot_urls": ["javascript:alert(1)//https://a.example"]}', 'support_tickets_screenshot_urls_https'),
    ('public.support_tickets', '{"screenshot_urls": [null]}', 'support_tickets_screenshot_urls_https'),
    ('public.support_tickets', jsonb_build_object('screenshot_urls', jsonb_build_array('https://a.example/' || repeat('x', 2031))), 'support_tickets_screenshot_urls_https'),
    ('public.support_tickets', '{"ticket_type": "billing", "device_info": "iPhone"}', 'support_tickets_bug_details_bug_only'),
    ('public.support_tickets', '{"ticket_type": "account", "screenshot_urls": []}', 'support_tickets_bug_details_bug_only'),
    ('public.user_feedback', '{"category": "bug"}', 'user_feedback_category_valid'),
    ('public.user_feedback', '{"description": "   "}', 'user_feedback_description_not_blank'),
    ('public.user_feedback', jsonb_build_object('description', repeat('d', 5001)), 'user_feedback_description_max_length'),
    ('public.user_feedback', '{"rating": 0}', 'user_feedback_rating_range'),
    ('public.user_feedback', '{"rating": 6}', 'user_feedback_rating_range'),
    ('public.user_feedback', jsonb_build_object('feature_name', repeat('f', 101)), 'user_feedback_feature_name_max_length'),
    ('public.user_feedback', '{"status": "done"}', 'user_feedback_status_valid'),
    ('public.user_feedback', '{"meta_data": "x"}', 'user_feedback_meta_data_object')
) as t(tbl, change, broken)
join valid_rows as v on v.tbl = t.tbl::regclass;

-- Required fields.
select is(
    tests.error_of(tests.insert_row(v.tbl, (v.row_values - t.field) || t.extra)) ->> 'code',
    '23502',
    format('%s requires %s', v.tbl, t.field)
)
from (values
    ('public.support_tickets', 'ticket_type', '{}'::jsonb),
    ('public.support_tickets', 'description', '{}'),
    ('public.support_tickets', 'subject', '{"ticket_type": "billing"}'),
    ('public.user_feedback', 'category', '{}'),
    ('public.user_feedback', 'description', '{}')
) as t(tbl, field, extra)
join valid_rows as v on v.tbl = t.tbl::regclass;

-- Allowed: the limits themselves are fine.
select lives_ok(tests.insert_row(v.tbl, v.row_values || t.change), format('%s accepts %s', v.tbl, t.what))
from (values
    ('public.support_tickets', jsonb_build_object('subject', repeat('s', 255), 'description', repeat('d', 5000)), 'a 255-character subject and a 5000-character description'),
    ('public.support_tickets', jsonb_build_object('device_info', repeat('d', 255), 'app_version', repeat('1', 50)), 'device_info of 255 and app_version of 50 characters'),
    ('public.support_tickets', jsonb_build_object('screenshot_urls', jsonb_build_array(
        'https://a.example/1.png', 'https://cdn.a-b.example:8443/x/y?z=1#f', 'https://a.example/3', 'https://a.example/4',
        'https://a.example/' || repeat('x', 2030))), 'five https URLs, the last of 2048 characters'),
    ('public.support_tickets', '{"ticket_type": "billing", "priority": "urgent", "subject": "Refund"}', 'a billing ticket without bug details'),
    ('public.support_tickets', jsonb_build_object('assigned_to', repeat('a', 100), 'status', 'in_progress'), 'support''s columns within their rules'),
    ('public.user_feedback', jsonb_build_object('rating', 1, 'feature_name', repeat('f', 100), 'would_recommend', false), 'rating 1 and a 100-character feature name'),
    ('public.user_feedback', '{"rating": 5, "status": "planned"}', 'rating 5 and a product-team status')
) as t(tbl, change, what)
join valid_rows as v on v.tbl = t.tbl::regclass;

-- Rows stored by a user's failed insert are never echoed back.
select tests.authenticate_as('owner');
select is(
    tests.error_of(tests.insert_row('public.support_tickets',
        '{"ticket_type": "billing", "subject": "SECRET-SUBJECT", "description": "   "}')),
    '{"code": "23514", "detail": null, "message": "new row for relation \"support_tickets\" violates check constraint \"support_tickets_description_not_blank\"", "constraint": "support_tickets_description_not_blank"}'::jsonb,
    'a user''s refused row is named by its constraint only: no "Failing row contains" detail'
);
select is(
    tests.error_of(tests.insert_row('public.user_feedback',
        '{"category": "SECRET-CATEGORY", "description": "SECRET"}')) ->> 'detail',
    null,
    'a user''s refused feedback is not echoed either'
);
reset role;

select * from finish();
rollback;
