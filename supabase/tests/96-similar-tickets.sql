-- Likely duplicates: support_similar_tickets finds paraphrased open reports and open problems
-- and not unrelated, closed or old ones (a small fixed set); staff link the report to the
-- problem in one action; support_similar_feedback lists the entries for the same feature.
begin;
select plan(17);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');

insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, created_at) values
    -- The new reports.
    ('96000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'bug',
     'After updating iOS my reminders never go off', 'After updating iOS my reminders never go off', 'open', now()),
    ('96000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'bug',
     'Calendar sync lost all my events', 'Calendar sync lost all my events', 'open', now()),
    -- A paraphrase of the first, open.
    ('96000000-0000-4000-8000-000000000011', tests.get_supabase_uid('other'), 'bug',
     'Reminders do not fire on my iPhone since the iOS update', 'Reminders do not fire on my iPhone since the iOS update', 'open', now() - interval '1 hour'),
    -- The same, but closed, and the same, but older than the window.
    ('96000000-0000-4000-8000-000000000012', tests.get_supabase_uid('other'), 'bug',
     'Reminders do not fire since the iOS update', 'Reminders do not fire since the iOS update', 'closed', now() - interval '2 hours'),
    ('96000000-0000-4000-8000-000000000013', tests.get_supabase_uid('other'), 'bug',
     'My reminders never go off after the iOS update', 'My reminders never go off after the iOS update', 'open', now() - interval '90 days'),
    -- A problem (old, still open) with one open report linked to it.
    ('96000000-0000-4000-8000-000000000021', tests.get_supabase_uid('agent'), 'bug',
     'Events disappeared from the calendar after sync', 'Root cause: the sync job drops events', 'in_progress', now() - interval '120 days'),
    ('96000000-0000-4000-8000-000000000022', tests.get_supabase_uid('other'), 'bug',
     'Where did my appointments go', 'Where did my appointments go', 'open', now() - interval '1 day'),
    -- Unrelated open reports.
    ('96000000-0000-4000-8000-000000000031', tests.get_supabase_uid('other'), 'bug',
     'Dark mode makes the text unreadable', 'Dark mode makes the text unreadable', 'open', now()),
    ('96000000-0000-4000-8000-000000000032', tests.get_supabase_uid('other'), 'bug',
     'Companion chat replies in the wrong language', 'Companion chat replies in the wrong language', 'open', now()),
    ('96000000-0000-4000-8000-000000000033', tests.get_supabase_uid('other'), 'bug',
     'Widget shows yesterday''s agenda', 'Widget shows yesterday''s agenda', 'open', now()),
    -- A bug report, the same problem filed as `technical` (a type whose reports can be
    -- duplicates), and as `billing` (one whose reports are not).
    ('96000000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'bug',
     'Export to PDF crashes the app', 'Export to PDF crashes the app', 'open', now()),
    ('96000000-0000-4000-8000-000000000014', tests.get_supabase_uid('other'), 'technical',
     'The app crashes when I export to PDF', 'The app crashes when I export to PDF', 'open', now() - interval '1 hour'),
    ('96000000-0000-4000-8000-000000000015', tests.get_supabase_uid('other'), 'billing',
     'Export to PDF crashes the app', 'Export to PDF crashes the app', 'open', now() - interval '1 hour');
update public.support_tickets set problem_id = '96000000-0000-4000-8000-000000000021'
where id = '96000000-0000-4000-8000-000000000022';

insert into public.user_feedback (id, user_id, category, description, feature_name) values
    ('96000000-0000-4000-8000-000000000041', tests.get_supabase_uid('owner'), 'feature_request', 'A yearly view please', 'yearly view'),
    ('96000000-0000-4000-8000-000000000042', tests.get_supabase_uid('other'), 'feature_request', 'Show the whole year', 'yearly view'),
    ('96000000-0000-4000-8000-000000000043', tests.get_supabase_uid('other'), 'improvement', 'Bigger font', 'month view');

-- Who may look.
select tests.authenticate_as('owner');
select throws_ok($$select public.support_similar_tickets('96000000-0000-4000-8000-000000000001')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner of the report cannot look for similar tickets (other users'' reports)');
select throws_ok($$select public.support_similar_feedback('96000000-0000-4000-8000-000000000041')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot list the feedback of others');
select tests.clear_authentication();
select throws_ok($$select public.support_similar_tickets('96000000-0000-4000-8000-000000000001')$$,
    '42501', null, 'anon cannot look for similar tickets');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_similar_feedback('96000000-0000-4000-8000-000000000041')$$,
    '42501', null, 'service_role cannot call the staff lookup');

-- What staff see.
select tests.authenticate_as('agent');
select is(
    (select array_agg(e ->> 'ticket_id' order by ord)
     from json_array_elements(public.support_similar_tickets('96000000-0000-4000-8000-000000000001') -> 'similar') with ordinality as x(e, ord)
     where e ->> 'ticket_id' like '96%'),
    array['96000000-0000-4000-8000-000000000011'],
    'the paraphrased open report is found; closed, old and unrelated reports are not'
);
select is(
    (select array_agg(e ->> 'ticket_id' order by ord)
     from json_array_elements(public.support_similar_tickets('96000000-0000-4000-8000-000000000003') -> 'similar') with ordinality as x(e, ord)
     where e ->> 'ticket_id' like '96%'),
    array['96000000-0000-4000-8000-000000000014'],
    'a report of the same problem filed as technical is found; one filed as billing (not a duplicate-candidate type) is not'
);
select ok((public.support_similar_tickets('96000000-0000-4000-8000-000000000001') -> 'similar' -> 0 ->> 'score')::numeric between 0.25 and 1,
    'a match carries its score');
select is(
    (select array_agg(e ->> 'ticket_id' order by ord)
     from json_array_elements(public.support_similar_tickets('96000000-0000-4000-8000-000000000002') -> 'similar') with ordinality as x(e, ord)
     where e ->> 'ticket_id' like '96%'),
    array['96000000-0000-4000-8000-000000000021'],
    'a report paraphrasing a known problem finds the problem, however old (of this file''s tickets: the seed data holds a similar problem)'
);
select is(
    (select e::jsonb - 'created_at' - 'score' - 'subject'
     from json_array_elements(public.support_similar_tickets('96000000-0000-4000-8000-000000000002') -> 'similar') as x(e)
     where e ->> 'ticket_id' = '96000000-0000-4000-8000-000000000021'),
    '{"ticket_id": "96000000-0000-4000-8000-000000000021", "status": "in_progress", "is_problem": true, "reports": 1}'::jsonb,
    'a problem shows as a problem with its number of open reports'
);
select is(json_array_length(public.support_similar_tickets('96000000-0000-4000-8000-000000000031') -> 'similar'), 0,
    'an unrelated report finds nothing');
select is(public.support_link_problem('{"ticket_id": "96000000-0000-4000-8000-000000000002", "problem_id": "96000000-0000-4000-8000-000000000021"}') ->> 'reports', '2',
    'staff link the report to the problem it matched in one action');
select is(json_array_length(public.support_similar_tickets('96000000-0000-4000-8000-000000000001', 1) -> 'similar'), 1,
    'page_size caps the matches');
select throws_ok($$select public.support_similar_tickets('96000000-0000-4000-8000-000000000001', 0)$$,
    'PGRST', '{"code" : "integer_out_of_range", "message" : "page_size must be an integer from 1 to 50", "details" : null, "hint" : null}', 'a page_size out of range is refused');
select throws_ok($$select public.support_similar_tickets('not-a-uuid')$$,
    'PGRST', '{"code" : "invalid_uuid", "message" : "ticket_id must be a UUID", "details" : null, "hint" : null}', 'a malformed ticket_id is refused without echoing it');
select is(public.support_similar_feedback('96000000-0000-4000-8000-000000000041')::jsonb - 'entries',
    '{"feedback_id": "96000000-0000-4000-8000-000000000041", "feature_name": "yearly view", "total": 1}'::jsonb,
    'the other entry for the same feature is counted');
select is(public.support_similar_feedback('96000000-0000-4000-8000-000000000041') -> 'entries' -> 0 ->> 'feedback_id',
    '96000000-0000-4000-8000-000000000042', 'and listed; entries for other features are not');
select throws_ok($$select public.support_similar_feedback('96000000-0000-4000-8000-000000000049')$$,
    'PGRST', '{"code" : "feedback_not_found", "message" : "Feedback not found", "details" : null, "hint" : null}',
    'a missing entry is a 404');

select * from finish();
rollback;
