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
