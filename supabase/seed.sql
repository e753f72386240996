-- Demo data for local runs (`support-stack start` on a new database, `supabase db reset`).
--
-- Three demo users with fixed ids, so a JWT minted for them works across resets; the stack
-- runner prints one for demo@example.com. Their tickets and feedback are dated in the past
-- (January 2026), so they never count against today's rate limits. Inserted as the migration
-- role: not rate limited, and allowed to set support's columns.

insert into auth.users (
    instance_id, id, aud, role, email, email_confirmed_at,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
values
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000001',
     'authenticated', 'authenticated', 'demo@example.com', '2026-01-01 09:00:00+00',
     '{"provider": "email", "providers": ["email"]}', '{"name": "Demo User"}',
     '2026-01-01 09:00:00+00', '2026-01-01 09:00:00+00'),
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000002',
     'authenticated', 'authenticated', 'alex@example.com', '2026-01-02 09:00:00+00',
     '{"provider": "email", "providers": ["email"]}', '{"name": "Alex Example"}',
     '2026-01-02 09:00:00+00', '2026-01-02 09:00:00+00'),
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000003',
     'authenticated', 'authenticated', 'sam@example.com', '2026-01-03 09:00:00+00',
     '{"provider": "email", "providers": ["email"]}', '{"name": "Sam Example"}',
     '2026-01-03 09:00:00+00', '2026-01-03 09:00:00+00')
on conflict (id) do nothing;

-- The contract's examples, for demo@example.com, in the states support moves them through.
insert into public.support_tickets (
    id, user_id, ticket_type, subject, description, status, priority,
    admin_notes, resolution, assigned_to, created_at, updated_at, resolved_at,
    steps_to_reproduce, expected_behavior, actual_behavior, device_info, app_version, screenshot_urls
)
values
    ('5eed0000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001',
     'billing', 'Charged twice for subscription',
     'I was charged $15 twice on January 5th. Please refund the duplicate charge.',
     'resolved', 'high', null, 'Refund of $15 processed. Should appear in 3-5 business days.', 'billing-team',
     '2026-01-10 12:00:00+00', '2026-01-10 16:00:00+00', '2026-01-10 16:00:00+00',
     null, null, null, null, null, null),
    ('5eed0000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001',
     'bug', 'The calendar integration shows wrong dates',
     'The calendar integration shows wrong dates',
     'in_progress', 'medium', 'Reproduced on iOS 18.1; timezone offset applied twice.', null, 'mobile-team',
     '2026-01-11 08:30:00+00', '2026-01-11 14:00:00+00', null,
     e'1. Open calendar\n2. Check tomorrow''s events\n3. Dates are off by one day',
     'Dates should match my Google Calendar', 'All dates are shifted by one day',
     'iPhone 15 Pro, iOS 18.1', '1.0.0', array['https://example.com/screenshots/calendar-off-by-one.png']),
    ('5eed0000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000001',
     'account', 'Cannot change my email address',
     'The settings page says my new email is already in use, but it is not.',
     'open', 'medium', null, null, null,
     '2026-01-12 10:15:00+00', '2026-01-12 10:15:00+00', null,
     null, null, null, null, null, null),
    ('5eed0000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000001',
     'technical', 'Reminders arrive late',
     'Reminders set for 9:00 arrive around 9:20.',
     'closed', 'low', 'Duplicate of a known push-delivery issue.', 'Fixed in 1.0.1.', null,
     '2026-01-05 07:00:00+00', '2026-01-08 12:00:00+00', '2026-01-07 18:00:00+00',
     null, null, null, null, null, null),
    ('5eed0000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000002',
     'other', 'Do you have a student discount?',
     'I am a student and would like to know whether there is a discount.',
     'open', 'low', null, null, null,
     '2026-01-09 17:45:00+00', '2026-01-09 17:45:00+00', null,
     null, null, null, null, null, null)
on conflict (id) do nothing;

insert into public.user_feedback (
    id, user_id, category, description, rating, feature_name, would_recommend,
    status, admin_response, created_at, reviewed_at
)
values
    ('5eedfeed-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001',
     'feature_request', 'It would be great if Sage could track my fitness goals', 4, 'fitness_tracking', true,
     'planned', 'On the roadmap for the spring release.', '2026-01-10 12:30:00+00', '2026-01-12 09:00:00+00'),
    ('5eedfeed-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001',
     'praise', 'The morning summary is exactly what I needed.', 5, null, true,
     'received', null, '2026-01-11 07:10:00+00', null),
    ('5eedfeed-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000003',
     'complaint', 'Notifications are too frequent.', 2, 'notifications', false,
     'under_review', null, '2026-01-08 20:00:00+00', '2026-01-09 10:00:00+00')
on conflict (id) do nothing;

-- Service levels, satisfaction, known problems and the feedback loop (docs/service-levels.md),
-- one example of each state. Dated relative to now, so that the clocks and the rating window
-- show them as they would be live; inserted as the migration role (not rate limited).
-- A breached ticket: urgent, filed three hours ago, no answer (due one hour after creation).
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, priority, created_at, updated_at)
values
    ('5eed0000-0000-4000-8000-000000000011', '00000000-0000-4000-8000-000000000002',
     'account', 'Locked out after changing my password',
     'The app says my password is wrong although I just changed it.',
     'open', 'urgent', now() - interval '3 hours', now() - interval '3 hours')
on conflict (id) do nothing;

-- A rated ticket: resolved yesterday, rated 5 by its owner.
insert into public.support_tickets (
    id, user_id, ticket_type, subject, description, status, priority, resolution,
    created_at, updated_at, resolved_at, first_responded_at
)
values
    ('5eed0000-0000-4000-8000-000000000012', '00000000-0000-4000-8000-000000000001',
     'billing', 'Invoice shows the wrong address',
     'My invoice for December shows my old address.',
     'resolved', 'medium', 'Corrected; the new invoice is in your inbox.',
     now() - interval '2 days', now() - interval '1 day', now() - interval '1 day', now() - interval '47 hours')
on conflict (id) do nothing;
insert into public.ticket_ratings (ticket_id, user_id, rating, comment, created_at)
values ('5eed0000-0000-4000-8000-000000000012', '00000000-0000-4000-8000-000000000001',
        5, 'Fixed within a day, thank you.', now() - interval '20 hours')
on conflict (ticket_id) do nothing;

-- A problem (a bug ticket support opened) with two linked reports of two users: resolving the
-- problem resolves both.
insert into public.support_tickets (
    id, user_id, ticket_type, subject, description, status, priority, created_at, updated_at, problem_id
)
values
    ('5eed0000-0000-4000-8000-000000000013', '00000000-0000-4000-8000-000000000003',
     'bug', 'Sync drops events created offline',
     'Events created while offline are lost at the next sync.',
     'in_progress', 'high', now() - interval '1 day', now() - interval '1 day', null),
    ('5eed0000-0000-4000-8000-000000000014', '00000000-0000-4000-8000-000000000001',
     'bug', 'My dentist appointment vanished',
     'I added it on the train and it is gone.',
     'open', 'medium', now() - interval '20 hours', now() - interval '20 hours', '5eed0000-0000-4000-8000-000000000013'),
    ('5eed0000-0000-4000-8000-000000000015', '00000000-0000-4000-8000-000000000002',
     'bug', 'Events disappear',
     'Two events I created on a flight are missing.',
     'open', 'medium', now() - interval '10 hours', now() - interval '10 hours', '5eed0000-0000-4000-8000-000000000013')
on conflict (id) do nothing;

-- Shipped feedback: a feature request answered when the feature shipped.
insert into public.user_feedback (
    id, user_id, category, description, rating, feature_name, would_recommend,
    status, admin_response, created_at, reviewed_at
)
values
    ('5eedfeed-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000002',
     'feature_request', 'Please add a dark mode.', 4, 'dark_mode', true,
     'shipped', 'Dark mode shipped in 1.2: Settings > Appearance.', '2026-01-06 21:00:00+00', '2026-01-07 09:00:00+00')
on conflict (id) do nothing;

-- Support staff with fixed ids: agent@example.com (agent) and admin@example.com (admin).
-- `support-stack token --email agent@example.com` mints their JWT through the access token
-- hook, so it carries staff_role as a hosted project's would.
insert into auth.users (
    instance_id, id, aud, role, email, email_confirmed_at,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
values
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000a9e1',
     'authenticated', 'authenticated', 'agent@example.com', '2026-01-01 08:00:00+00',
     '{"provider": "email", "providers": ["email"]}', '{"name": "Avery Agent"}',
     '2026-01-01 08:00:00+00', '2026-01-01 08:00:00+00'),
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000ad31',
     'authenticated', 'authenticated', 'admin@example.com', '2026-01-01 08:00:00+00',
     '{"provider": "email", "providers": ["email"]}', '{"name": "Addison Admin"}',
     '2026-01-01 08:00:00+00', '2026-01-01 08:00:00+00')
on conflict (id) do nothing;

insert into public.support_staff (user_id, role, display_name, created_at)
values
    ('00000000-0000-4000-8000-00000000a9e1', 'agent', 'Avery (Support)', '2026-01-01 08:00:00+00'),
    ('00000000-0000-4000-8000-00000000ad31', 'admin', 'Addison (Support admin)', '2026-01-01 08:00:00+00')
on conflict (user_id) do nothing;

-- A conversation on the calendar bug: the agent's public reply, an internal note, the user's
-- answer. Dated in January 2026, so it never counts against today's reply limit.
insert into public.ticket_messages (id, ticket_id, author_id, author_kind, internal, body, created_at)
values
    ('5eed3e55-0000-4000-8000-000000000001', '5eed0000-0000-4000-8000-000000000002',
     '00000000-0000-4000-8000-00000000a9e1', 'agent', false,
     'Thanks for the details. We can reproduce it and are working on a fix.', '2026-01-11 14:00:00+00'),
    ('5eed3e55-0000-4000-8000-000000000002', '5eed0000-0000-4000-8000-000000000002',
     '00000000-0000-4000-8000-00000000a9e1', 'agent', true,
     'Timezone offset applied twice in the sync job; mobile team has it.', '2026-01-11 14:05:00+00'),
    ('5eed3e55-0000-4000-8000-000000000003', '5eed0000-0000-4000-8000-000000000002',
     '00000000-0000-4000-8000-000000000001', 'user', false,
     'Thank you! It also happens on my iPad.', '2026-01-11 15:30:00+00')
on conflict (id) do nothing;
update public.support_tickets
set assignee_id = '00000000-0000-4000-8000-00000000a9e1'
where id = '5eed0000-0000-4000-8000-000000000002' and assignee_id is null;

-- A local stack's webhook receivers (the companion's, the tests') listen on loopback over
-- http://; a project the internet reaches keeps the default (false).
update private.webhook_settings set local_development = true;

-- Macros, tags and custom fields (issue 23): a few tags on the list, one user-visible custom
-- field (the plan of a billing ticket, optional so that every client keeps filing as before),
-- and three shared macros. The calendar bug is tagged.
insert into public.tags (name, label, description) values
    ('refund', 'Refund', 'The user asks for money back, or got it.'),
    ('ios', 'iOS', 'Seen on iPhone or iPad.'),
    ('ux', 'UX', 'About how the app feels rather than a defect.'),
    ('vip', 'VIP', 'A customer on the team plan.')
on conflict (name) do nothing;
insert into public.custom_fields (key, label, field_type, options, ticket_type, required, visible_to_user, position)
values ('plan', 'Your plan', 'one_of', '["free", "pro", "team"]', null, false, true, 1)
on conflict (key) do nothing;
insert into public.macros (id, name, body, changes, owner_id) values
    ('5eed3ac0-0000-4000-8000-000000000001', 'Refund issued',
     E'Hi {{user.first_name}},\n\nWe have refunded the charge on "{{ticket.subject}}". It shows on your statement within 5 business days.\n\n{{agent.name}}',
     '{"status": "resolved", "resolution": "Refund issued.", "add_tags": ["refund"]}', null),
    ('5eed3ac0-0000-4000-8000-000000000002', 'Need more details',
     E'Hi {{user.first_name}},\n\nThanks for reaching out about "{{ticket.subject}}". Could you tell us the app version and the steps that lead to it?\n\n{{agent.name}}',
     '{"status": "in_progress", "assignee_id": "me"}', null),
    ('5eed3ac0-0000-4000-8000-000000000003', 'Known issue, fix coming',
     E'Hi {{user.first_name}},\n\nThis is a known issue and a fix is on its way. We will update you here as soon as it ships.\n\n{{agent.name}}',
     '{"priority": "low"}', null)
on conflict (id) do nothing;
insert into public.ticket_tags (ticket_id, tag, added_by, added_at) values
    ('5eed0000-0000-4000-8000-000000000002', 'ios', '00000000-0000-4000-8000-00000000a9e1', '2026-01-11 14:06:00+00')
on conflict do nothing;
-- Saved views (docs/views-and-export.md): two shared ones, in the sidebar of the queue.
insert into public.saved_views (id, name, owner_id, conditions, columns, sort, position) values
    ('5eed71e0-0000-4000-8000-000000000001', 'Billing waiting over a day', null,
     '{"match": "all", "conditions": [{"field": "ticket_type", "op": "is", "value": "billing"},
       {"field": "status", "op": "in", "value": ["open", "in_progress"]},
       {"field": "age", "op": "older_than", "value": "1 day"}]}',
     '{subject,requester,priority,status,age,waiting_on,assignee}', 'priority', 1),
    ('5eed71e0-0000-4000-8000-000000000002', 'Urgent or breached', null,
     '{"match": "any", "conditions": [{"field": "priority", "op": "is", "value": "urgent"},
       {"field": "breached", "op": "is", "value": true}]}',
     '{subject,requester,ticket_type,priority,status,due,breached,assignee}', 'due', 2)
on conflict (id) do nothing;
-- Business hours (docs/service-levels.md, "Business hours"): an office schedule in Paris,
-- Monday to Friday 9:00-17:00, closed on Christmas. No priority uses it yet, so the seed's
-- clocks stay in calendar time (the test suites rely on them): make it the default
-- (is_default = true) or a priority's (sla_policies.schedule_id) to count in it.
insert into public.business_schedules (name, time_zone)
values ('Paris office', 'Europe/Paris')
on conflict (name) do nothing;
insert into public.business_hours (schedule_id, weekday, opens, closes)
select s.id, d.weekday, '09:00', '17:00'
from public.business_schedules as s, generate_series(1, 5) as d(weekday)
where s.name = 'Paris office'
on conflict do nothing;
insert into public.business_schedule_dates (schedule_id, day, note)
select s.id, '2026-12-25', 'Christmas' from public.business_schedules as s where s.name = 'Paris office'
on conflict do nothing;

-- Event rules (docs/rules.md): a live one on words no seed or test ticket uses, and one in dry
-- run (it records what it would do on every billing ticket and changes nothing).
insert into public.ticket_rules (name, position, on_events, match, conditions, actions)
values ('Security reports are urgent', 10, '{created,user_replied}', 'any',
        '[{"field": "text", "op": "contains", "value": "vulnerability"}, {"field": "text", "op": "contains", "value": "data breach"}]',
        '[{"action": "set_priority", "value": "urgent"}, {"action": "add_internal_note", "value": "Raised to urgent by the security rule: check the report with the security lead."}]')
on conflict (name) do nothing;
insert into public.ticket_rules (name, position, on_events, dry_run, conditions, actions)
values ('Billing goes to Avery', 20, '{created}', true,
        '[{"field": "ticket_type", "op": "is", "value": "billing"}]',
        '[{"action": "set_assignee", "value": "00000000-0000-4000-8000-00000000a9e1"}]')
on conflict (name) do nothing;

-- Time rules (docs/rules.md, "Time rules"): the reminder in dry run (it records the tickets it
-- would remind, so a team sees what it would send), the 7-day resolution switched off.
insert into public.ticket_time_rules (name, position, enabled, dry_run, clock, minutes, actions)
values ('Remind after 3 days waiting', 10, true, true, 'waiting_on_user', 4320,
        '[{"action": "add_public_reply", "value": "Is this still a problem? Reply to this message and we will pick it up."}]'),
       ('Resolve after 7 days waiting', 20, false, false, 'waiting_on_user', 10080,
        '[{"action": "resolve", "value": "No answer for a week, so we resolved this ticket. Reply to reopen it."}]')
on conflict (name) do nothing;

-- The feedback board (docs/feedback-board.md, issue 29): three public posts gathering the seed's
-- feedback, the demo users' votes, a roadmap (planned, under review, shipped a few days ago) and
-- a changelog entry shipping dark mode. Votes are inserted as the migration role (the count is
-- kept by the trigger; not rate limited).
insert into public.feedback_posts (id, title, description, category, feature_name, status, created_by,
    created_at, updated_at, status_changed_at)
values
    ('5eedb0a0-0000-4000-8000-000000000001', 'Track fitness goals',
     'Set a goal (steps, workouts, sleep) and see your progress in the morning summary.',
     'feature_request', 'fitness_tracking', 'planned', '00000000-0000-4000-8000-00000000a9e1',
     '2026-01-12 09:00:00+00', '2026-01-12 09:00:00+00', '2026-01-12 09:00:00+00'),
    ('5eedb0a0-0000-4000-8000-000000000002', 'Dark mode',
     'A dark theme for the whole app, following the system setting.',
     'feature_request', 'dark_mode', 'shipped', '00000000-0000-4000-8000-00000000a9e1',
     '2026-01-07 09:00:00+00', now() - interval '3 days', now() - interval '3 days'),
    ('5eedb0a0-0000-4000-8000-000000000003', 'Fewer notifications',
     'Choose how often the app notifies you, or get one digest a day.',
     'complaint', 'notifications', 'under_review', '00000000-0000-4000-8000-00000000a9e1',
     '2026-01-09 10:00:00+00', '2026-01-09 10:00:00+00', '2026-01-09 10:00:00+00')
on conflict (id) do nothing;

insert into public.feedback_post_entries (feedback_id, post_id, added_by, added_at) values
    ('5eedfeed-0000-4000-8000-000000000001', '5eedb0a0-0000-4000-8000-000000000001', '00000000-0000-4000-8000-00000000a9e1', '2026-01-12 09:00:00+00'),
    ('5eedfeed-0000-4000-8000-000000000004', '5eedb0a0-0000-4000-8000-000000000002', '00000000-0000-4000-8000-00000000a9e1', '2026-01-07 09:00:00+00'),
    ('5eedfeed-0000-4000-8000-000000000003', '5eedb0a0-0000-4000-8000-000000000003', '00000000-0000-4000-8000-00000000a9e1', '2026-01-09 10:00:00+00')
on conflict (feedback_id) do nothing;

-- Alex shares their dark-mode wish under their first name.
insert into public.shared_feedback (feedback_id, display_name, shared_at) values
    ('5eedfeed-0000-4000-8000-000000000004', 'Alex', '2026-01-07 10:00:00+00')
on conflict (feedback_id) do nothing;

insert into public.post_votes (post_id, user_id, created_at) values
    ('5eedb0a0-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', '2026-01-12 10:00:00+00'),
    ('5eedb0a0-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '2026-01-12 11:00:00+00'),
    ('5eedb0a0-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003', '2026-01-12 12:00:00+00'),
    ('5eedb0a0-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', '2026-01-07 10:00:00+00'),
    ('5eedb0a0-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000002', '2026-01-07 11:00:00+00'),
    ('5eedb0a0-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000003', '2026-01-09 11:00:00+00')
on conflict do nothing;

insert into public.changelog_entries (id, title, body, published_on, created_by, created_at, updated_at) values
    ('5eedc1a0-0000-4000-8000-000000000001', 'Dark mode is here',
     E'You asked for it: the app now has a **dark theme**.\n\nTurn it on in *Settings > Appearance*, or let it follow your system.\n\n- every screen\n- the morning summary email too',
     (now() - interval '3 days')::date, '00000000-0000-4000-8000-00000000a9e1',
     now() - interval '3 days', now() - interval '3 days')
on conflict (id) do nothing;

insert into public.changelog_entry_posts (entry_id, post_id) values
    ('5eedc1a0-0000-4000-8000-000000000001', '5eedb0a0-0000-4000-8000-000000000002')
on conflict do nothing;
-- Help center (docs/help-center.md): published articles in English and French (translations
-- share a slug), one English draft. Written by the admin; the database renders each body and
-- keeps its history.
insert into public.help_articles (id, slug, locale, title, category, status, author_id, body) values
    ('00000000-0000-4000-8000-0000000e1a01', 'reset-your-password', 'en', 'Reset your password', 'account', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Forgot your password, or it no longer works? You can choose a new one in a minute.\n\n1. On the sign-in screen, tap **Forgot password**.\n2. Enter the email address of your account.\n3. Open the email we send you and follow the link within one hour.\n\nNo email after five minutes? Check your spam folder, then see [Change the email of your account](/help/articles/change-your-email).'),
    ('00000000-0000-4000-8000-0000000e1a02', 'change-your-email', 'en', 'Change the email address of your account', 'account', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Go to **Settings > Account > Email**, type the new address and confirm it from the message we send there.\n\nUntil you confirm, sign-in keeps working with the old address.'),
    ('00000000-0000-4000-8000-0000000e1a03', 'refund-a-double-charge', 'en', 'I was charged twice: get a refund', 'billing', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'A second charge for the same month is usually a *pending authorisation* that your bank drops within 5 business days.\n\nIf both charges are still there after 5 days, file a **billing** ticket with the date and the last four digits of the card: we refund the duplicate payment the same day.'),
    ('00000000-0000-4000-8000-0000000e1a04', 'cancel-your-subscription', 'en', 'Cancel or change your subscription plan', 'billing', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Open **Settings > Billing > Plan**. From there you can:\n\n- switch to another plan (the difference is prorated),\n- cancel: your plan stays active until the end of the period you paid for.\n\nInvoices are under **Settings > Billing > Invoices**.'),
    ('00000000-0000-4000-8000-0000000e1a05', 'notifications-not-arriving', 'en', 'Notifications or emails do not arrive', 'notifications', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Check these in order:\n\n1. **Settings > Notifications**: is the channel switched on?\n2. Your phone''s settings: are notifications allowed for the app?\n3. Your spam folder, for emails.\n\nStill nothing after that? Reply to a ticket and tell us your device and app version.'),
    ('00000000-0000-4000-8000-0000000e1a06', 'export-your-data', 'en', 'Export all your data', 'privacy', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Go to **Settings > Privacy > Export my data**. You get one JSON file with your tickets, messages, feedback and ratings.\n\nThe export is also available through the API: `export_my_data`.'),
    ('00000000-0000-4000-8000-0000000e1a07', 'app-crashes-on-start', 'en', 'The app crashes or freezes on start', 'troubleshooting', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Most crashes on start are fixed by updating the app and restarting the phone.\n\n- Update the app from the store.\n- Restart your device.\n- If it still crashes, sign out and in again.\n\nIf none of that helps, report a bug with your device model and the app version (**Settings > About**).'),
    ('00000000-0000-4000-8000-0000000e1a08', 'sync-calendar', 'en', 'Calendar sync is missing events', 'troubleshooting', 'draft',
     '00000000-0000-4000-8000-00000000ad31',
     E'Draft: the workaround for the calendar bug, until the fix ships.'),
    ('00000000-0000-4000-8000-0000000e1f01', 'reset-your-password', 'fr', 'Réinitialiser votre mot de passe', 'account', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Mot de passe oublié ou refusé ? Vous pouvez en choisir un nouveau en une minute.\n\n1. Sur l''écran de connexion, touchez **Mot de passe oublié**.\n2. Saisissez l''adresse email de votre compte.\n3. Ouvrez l''email que nous envoyons et suivez le lien dans l''heure.\n\nPas d''email après cinq minutes ? Regardez dans les courriers indésirables.'),
    ('00000000-0000-4000-8000-0000000e1f02', 'change-your-email', 'fr', 'Changer l''adresse email de votre compte', 'account', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Allez dans **Réglages > Compte > Email**, saisissez la nouvelle adresse et confirmez-la depuis le message que nous y envoyons.'),
    ('00000000-0000-4000-8000-0000000e1f03', 'refund-a-double-charge', 'fr', 'J''ai été débité deux fois : obtenir un remboursement', 'billing', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Un second prélèvement pour le même mois est le plus souvent une *autorisation en attente* que votre banque annule sous 5 jours ouvrés.\n\nSi les deux paiements sont toujours là après 5 jours, ouvrez un ticket **facturation** : nous remboursons le doublon le jour même.'),
    ('00000000-0000-4000-8000-0000000e1f04', 'cancel-your-subscription', 'fr', 'Résilier ou changer votre abonnement', 'billing', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Ouvrez **Réglages > Facturation > Abonnement**. Vous pouvez changer de formule (la différence est calculée au prorata) ou résilier : l''abonnement reste actif jusqu''à la fin de la période payée.'),
    ('00000000-0000-4000-8000-0000000e1f05', 'notifications-not-arriving', 'fr', 'Les notifications ou les emails n''arrivent pas', 'notifications', 'published',
     '00000000-0000-4000-8000-00000000ad31',
     E'Vérifiez dans l''ordre :\n\n1. **Réglages > Notifications** : le canal est-il activé ?\n2. Les réglages du téléphone : les notifications sont-elles autorisées pour l''application ?\n3. Les courriers indésirables, pour les emails.')
on conflict (id) do nothing;
