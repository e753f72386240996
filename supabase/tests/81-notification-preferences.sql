-- Notification kinds, preferences, settings and webhook endpoints: who may read and change what.
begin;
select plan(22);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- Preferences: the owner's own rows only.
select tests.authenticate_as('owner');
select lives_ok($$select public.set_email_notifications('["reply", "resolved"]', 'false')$$,
    'a user turns email off for two kinds');
select lives_ok($$select public.set_email_notifications('["resolved"]', 'true')$$,
    'a user turns one kind on again');
select results_eq(
    $$select kind, email from public.notification_preferences order by kind$$,
    $$values ('reply', false), ('resolved', true)$$,
    'a user reads their own preferences as they set them'
);
select throws_ok($$select public.set_email_notifications('["no_such_kind"]', 'false')$$, '23503', null,
    'an unknown kind is refused');
select throws_ok(
    format($$insert into public.notification_preferences (user_id, kind, email) values (%L, 'reply', false)$$,
           tests.get_supabase_uid('other')),
    '42501', null, 'a user cannot choose whose preference they write');
select tests.authenticate_as('other');
select is_empty('select * from public.notification_preferences',
    'another user sees none of the owner''s preferences');
select lives_ok($$update public.notification_preferences set email = true$$,
    'another user''s update runs');
select tests.authenticate_as('owner');
select is((select email from public.notification_preferences where kind = 'reply'), false,
    '... and changes nothing of the owner''s');
select tests.clear_authentication();
select throws_ok('select * from public.notification_preferences', '42501', null,
    'anonymous callers cannot read preferences');
select throws_ok($$select public.set_email_notifications('["reply"]', 'false')$$, '42501', null,
    'anonymous callers cannot set preferences');

-- Kinds: everyone signed in reads them; admins change them.
select tests.authenticate_as('owner');
select results_eq('select kind from public.notification_kinds order by kind',
    array['notes_changed', 'post_status', 'reply', 'resolution_changed', 'resolved', 'rule_notice', 'status_changed'], 'a user reads the notification kinds');
select throws_ok($$insert into public.notification_kinds (kind, event_kind, label) values ('x', 'status', 'X')$$,
    '42501', null, 'a user cannot add a notification kind');
select tests.authenticate_as('agent');
select is_empty($$update public.notification_kinds set label = 'Changed' returning kind$$,
    'an agent cannot change a notification kind');
select tests.authenticate_as('admin');
select lives_ok($$insert into public.notification_kinds (kind, event_kind, to_value, label)
                  values ('closed', 'status', 'closed', 'Your ticket was closed.')$$,
    'an admin adds a notification kind');

-- Settings: admins only.
select is((select max_attempts from public.notification_settings), 8, 'an admin reads the settings');
select throws_ok($$update public.notification_settings set max_attempts = 0$$, '23514', null,
    'the settings keep their ranges');
select tests.authenticate_as('agent');
select is_empty('select * from public.notification_settings', 'an agent does not see the settings');

-- Webhook endpoints: admins only; a secret is generated.
select tests.authenticate_as('admin');
select lives_ok($$insert into public.webhook_endpoints (url, kind) values ('https://bot.example/hook', 'reply')$$,
    'an admin registers a webhook endpoint');
select matches((select secret from public.webhook_endpoints where url = 'https://bot.example/hook'),
    '^whsec_[A-Za-z0-9+/]{32}$', 'the endpoint gets a random whsec_ secret');
select is((tests.error_of($$insert into public.webhook_endpoints (url, kind) values ('ftp://x', 'reply')$$)) ->> 'message',
    '{"code" : "webhook_url_scheme", "message" : "url must be an https:// URL without spaces or control characters", "details" : null, "hint" : "Register an https:// endpoint on the public internet."}',
    'a URL that is not https is refused with its rule''s message');
select tests.authenticate_as('agent');
select is_empty('select * from public.webhook_endpoints', 'an agent sees no webhook endpoint (secrets)');
select tests.authenticate_as('owner');
select throws_ok($$insert into public.webhook_endpoints (url, kind) values ('https://evil.example/', 'reply')$$,
    '42501', null, 'a user cannot register a webhook endpoint');

select * from finish();
rollback;
