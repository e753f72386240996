-- Support staff: the table, its policies, the role helper read per request, the token hook,
-- and admins changing rate limits.
begin;
select plan(32);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
select tests.create_supabase_user('newcomer');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- Schema.
select columns_are('public', 'support_staff', array['user_id', 'role', 'display_name', 'created_at'],
    'support_staff holds the user, the role and the name other staff see');
select fk_ok('public', 'support_staff', 'user_id', 'auth', 'users', 'id', 'a staff member is an auth user');
select is(
    tests.error_of(format($$insert into public.support_staff (user_id, role, display_name) values (%L, 'owner', 'X')$$,
        tests.get_supabase_uid('newcomer'))) ->> 'constraint',
    'support_staff_role_valid',
    'a staff role is agent or admin'
);
select is(
    tests.error_of(format($$insert into public.support_staff (user_id, role, display_name) values (%L, 'agent', '  ')$$,
        tests.get_supabase_uid('newcomer'))) ->> 'constraint',
    'support_staff_display_name_not_blank',
    'a staff member has a name'
);
select policies_are('public', 'support_staff',
    array['staff read the staff list', 'admins add staff', 'admins change staff', 'admins remove staff',
          'the auth server reads staff roles'],
    'support_staff: staff read, admins manage, the auth server reads roles');

-- A user who is not staff.
select tests.authenticate_as('owner');
select is(private.staff_role(), null, 'a user has no staff role');
select is_empty('select * from public.support_staff', 'a user does not see the staff list');
select throws_ok(
    format($$insert into public.support_staff (user_id, role, display_name) values (%L, 'admin', 'Me')$$, tests.get_supabase_uid('owner')),
    '42501', null, 'a user cannot make themselves staff'
);
select is_empty($$update public.support_staff set role = 'agent' returning 1$$, 'a user cannot change staff');
select is_empty($$delete from public.support_staff returning 1$$, 'a user cannot remove staff');

-- An agent.
select tests.authenticate_as('agent');
select is(private.staff_role(), 'agent', 'an agent''s role is read from the table');
select is(
    (select count(*)::int from public.support_staff
     where user_id in (tests.get_supabase_uid('agent'), tests.get_supabase_uid('admin'))),
    2,
    'an agent reads the staff list'
);
select throws_ok(
    format($$insert into public.support_staff (user_id, role, display_name) values (%L, 'agent', 'New')$$, tests.get_supabase_uid('newcomer')),
    '42501', null, 'an agent cannot add staff'
);
select is_empty($$update public.support_staff set role = 'admin' returning 1$$, 'an agent cannot promote anyone');
select is_empty($$delete from public.support_staff returning 1$$, 'an agent cannot remove staff');
select is_empty($$update public.rate_limits set max_per_hour = 1000 returning 1$$, 'an agent cannot change rate limits');

-- An admin.
select tests.authenticate_as('admin');
select is(private.staff_role(), 'admin', 'an admin''s role is read from the table');
select lives_ok(
    format($$insert into public.support_staff (user_id, role, display_name) values (%L, 'agent', 'New Agent')$$, tests.get_supabase_uid('newcomer')),
    'an admin adds an agent'
);
select isnt_empty(
    format($$update public.support_staff set display_name = 'Renamed' where user_id = %L returning 1$$, tests.get_supabase_uid('newcomer')),
    'an admin renames a staff member'
);
select isnt_empty(
    $$update public.rate_limits set max_per_hour = 40 where kind = 'ticket_reply' returning 1$$,
    'an admin changes a rate limit'
);
select isnt_empty(
    format($$delete from public.support_staff where user_id = %L returning 1$$, tests.get_supabase_uid('agent')),
    'an admin removes an agent'
);

-- Removal takes effect on the next request, whatever the token says.
select set_config('request.jwt.claims', json_build_object(
    'sub', tests.get_supabase_uid('agent'), 'role', 'authenticated', 'staff_role', 'agent')::text, true);
select is(private.staff_role(), null, 'a removed agent is no longer staff, even with a staff_role claim');
select is_empty('select * from public.support_staff', 'a removed agent no longer reads the staff list');

-- anon and service_role.
select tests.clear_authentication();
select throws_ok('select * from public.support_staff', '42501', null, 'anon cannot read staff');
select throws_ok($$select private.staff_role()$$, '42501', null, 'anon cannot call the role helper');
select tests.authenticate_as_service_role();
select is(
    (select count(*)::int from public.support_staff
     where user_id in (tests.get_supabase_uid('newcomer'), tests.get_supabase_uid('admin'))),
    2,
    'service_role reads the staff list'
);
select is(private.staff_role(), null, 'service_role is no staff member (it acts for no user)');
reset role;

-- The token hook.
select is(
    public.custom_access_token_hook(jsonb_build_object('user_id', tests.get_supabase_uid('admin'),
        'claims', jsonb_build_object('sub', tests.get_supabase_uid('admin'), 'role', 'authenticated'))) -> 'claims' ->> 'staff_role',
    'admin',
    'the hook adds the staff role to an admin''s claims'
);
select is(
    public.custom_access_token_hook(jsonb_build_object('user_id', tests.get_supabase_uid('owner'),
        'claims', jsonb_build_object('sub', tests.get_supabase_uid('owner'), 'role', 'authenticated', 'email', 'o@x'))) -> 'claims',
    jsonb_build_object('sub', tests.get_supabase_uid('owner'), 'role', 'authenticated', 'email', 'o@x', 'staff_role', null),
    'the hook keeps a user''s claims and adds a null staff role'
);
select ok(
    has_function_privilege('supabase_auth_admin', 'public.custom_access_token_hook(jsonb)', 'execute'),
    'the auth server may run the hook'
);
select is(
    array(select r from unnest(array['anon', 'authenticated', 'service_role']) as r
          where has_function_privilege(r, 'public.custom_access_token_hook(jsonb)', 'execute')),
    array[]::text[],
    'no API role may run the hook (PostgREST does not offer it)'
);
select set_config('tests.newcomer', tests.get_supabase_uid('newcomer')::text, true);
set local role supabase_auth_admin;
select set_config('tests.hook_role', public.custom_access_token_hook(jsonb_build_object(
    'user_id', current_setting('tests.newcomer'), 'claims', '{}'::jsonb)) -> 'claims' ->> 'staff_role', true);
reset role;
select is(current_setting('tests.hook_role'), 'agent', 'the auth server reads staff roles through its policy');

select * from finish();
rollback;
