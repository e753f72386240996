-- One-line fields refuse control characters and line separators on every path, with the
-- rule's message; multi-line fields keep their line breaks; a bug report's derived subject
-- folds them into spaces.
begin;
select plan(13);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

select tests.authenticate_as('owner');
select throws_ok(
    $$select public.create_support_ticket(jsonb_build_object('ticket_type', 'billing', 'subject', e'Charged\r\nBcc: x@example.test', 'description', 'Twice'))$$,
    '23514', 'subject must be one line, without control characters',
    'create_support_ticket refuses a subject with CR/LF, naming the rule');
select throws_ok(
    $$select public.create_support_ticket(jsonb_build_object('ticket_type', 'billing', 'subject', e'Charged\u2028twice', 'description', 'Twice'))$$,
    '23514', 'subject must be one line, without control characters',
    'a Unicode line separator is refused too');
select throws_ok(
    $$select public.report_bug(jsonb_build_object('description', 'Crash', 'app_version', e'1.0\n'))$$,
    '23514', 'app_version must be one line, without control characters',
    'report_bug refuses an app_version with a line break');
select throws_ok(
    $$select public.report_bug(jsonb_build_object('description', 'Crash', 'device_info', e'iPhone\u0085'))$$,
    '23514', 'device_info must be one line, without control characters',
    'report_bug refuses a device_info with a C1 control (next line)');
select throws_ok(
    $$select public.submit_feedback(jsonb_build_object('category', 'other', 'description', 'Nice', 'feature_name', e'dark\tmode'))$$,
    '23514', 'feature_name must be one line, without control characters',
    'submit_feedback refuses a feature_name with a tab');
select throws_ok(
    $$insert into public.support_tickets (ticket_type, subject, description) values ('billing', e'Charged\r\ntwice', 'Twice')$$,
    '23514', null, 'a direct insert meets the same rule');
select is(
    public.report_bug(jsonb_build_object('description', e'  The app\u0007 crashes\r\non start', 'app_version', '1.0.0')) ->> 'status',
    'open', 'a bug report whose description has controls and line breaks is filed');
select is(
    (select subject from public.support_tickets where description like '%crashes%'),
    'The app crashes', 'its derived subject holds the first line, controls folded into spaces');
select is(
    (public.create_support_ticket(jsonb_build_object('ticket_type', 'billing', 'subject', 'Charged twice — Straße', 'description', e'Line one\r\nLine two')) ->> 'status'),
    'open', 'a one-line subject with any printable Unicode and a multi-line description are accepted');

select tests.authenticate_as('admin');
select throws_ok(
    $$update public.notification_kinds set label = e'Replied\r\nBcc: x' where kind = 'reply'$$,
    '23514', null, 'an admin cannot give a notification kind a label of two lines (it heads emails)');
select throws_ok(
    $$insert into public.support_staff (user_id, role, display_name) values (tests.get_supabase_uid('owner'), 'agent', e'Sam\nSmith')$$,
    '23514', null, 'a staff display name (the assignee shown on tickets) is one line');

select tests.authenticate_as_service_role();
select throws_ok(
    $$update public.support_tickets set subject = e'x\ny' where subject = 'The app crashes'$$,
    '23514', null, 'service_role cannot store a two-line subject either');
reset role;
select is(
    (select count(*)::int from pg_catalog.pg_constraint where conname like '%\_one\_line'),
    10, 'ten one-line rules exist: subject, device_info, app_version, assigned_to, feature_name, display_name, label, a macro''s name, a saved view''s name, an article''s title');

select * from finish();
rollback;
