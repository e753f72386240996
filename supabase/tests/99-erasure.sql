-- Erasure from each actor's side: a user erases themselves and nobody else, only admins erase
-- another user (service_role by deleting the account), anon nothing; the figures stay without
-- the person; the tombstone keeps the id only as a salted hash; deleting the auth.users row erases too; the
-- audit log lets an erasure take a person out and nothing else.
begin;
select plan(19);

select tests.create_supabase_user('owner', 'owner@example.test');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
select tests.create_supabase_user('leaver');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values
    ('99f00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Owner secret', 'Twice', 'resolved', 'Refunded', now()),
    ('99f00000-0000-4000-8000-000000000002', tests.get_supabase_uid('other'), 'billing', 'Other text', 'Once', 'open', null, null),
    ('99f00000-0000-4000-8000-000000000003', tests.get_supabase_uid('leaver'), 'account', 'Leaver text', 'Bye', 'open', null, null);
insert into public.ticket_ratings (ticket_id, user_id, rating, comment)
values ('99f00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 5, 'Owner comment');

select tests.authenticate_as('owner');
select is(
    public.erase_my_data()::jsonb ->> 'status', 'done',
    'a user erases their own support data'
);
select tests.authenticate_as_service_role();
select tests.clear_authentication();
reset role;
select results_eq(
    $$select user_id, subject from public.support_tickets where id::text like '99f00000%' order by id$$,
    $$values (null::uuid, '[erased]'::text), (tests.get_supabase_uid('other'), 'Other text'),
             (tests.get_supabase_uid('leaver'), 'Leaver text')$$,
    'their ticket is kept without them, and nobody else''s is touched'
);
select results_eq(
    $$select user_id, rating, comment from public.ticket_ratings where ticket_id = '99f00000-0000-4000-8000-000000000001'$$,
    $$values (null::uuid, 5, null::text)$$,
    'their rating still counts, without them or their comment'
);
select is(
    (select count(*)::integer from private.erasures
     where subject_id is null and status = 'done' and requested_as = 'self' and requested_by is null
       and subject_hash = encode(sha256(convert_to(salt || tests.get_supabase_uid('owner')::text, 'UTF8')), 'hex')),
    1,
    'the tombstone says the user asked, and holds them only as a salted hash'
);
select is(
    (select count(*)::integer from private.erasures where erasures::text like '%' || tests.get_supabase_uid('owner')::text || '%'),
    0,
    'no tombstone holds the erased id in clear'
);

select tests.authenticate_as('other');
select is(
    (tests.error_of(format('select public.support_erase_user(%L)', tests.get_supabase_uid('leaver')))) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    'a user cannot erase another user (403)'
);
select tests.authenticate_as('agent');
select is(
    (tests.error_of(format('select public.support_erase_user(%L)', tests.get_supabase_uid('leaver')))) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    'an agent cannot erase a user (403)'
);
select tests.clear_authentication();
select throws_ok('select public.erase_my_data()', '42501', null, 'an anonymous caller cannot erase');
select throws_ok(format('select public.support_erase_user(%L)', tests.get_supabase_uid('leaver')), '42501', null,
    'an anonymous caller cannot erase a user');

select tests.authenticate_as('admin');
select is(
    ((tests.error_of($$select public.support_erase_user('not-a-uuid')$$) ->> 'message')::jsonb ->> 'message'),
    'user_id must be a UUID',
    'an admin naming no UUID gets a 400 naming user_id'
);
select is(
    (tests.error_of($$select public.support_erase_user('00000000-0000-4000-8000-00000000dead')$$)) ->> 'detail',
    '{"status" : 404, "headers" : {}}',
    'an admin erasing an unknown user gets a 404'
);
select is(
    public.support_erase_user(tests.get_supabase_uid('leaver')::text)::jsonb ->> 'status', 'done',
    'an admin erases another user'
);
reset role;
select is(
    (select requested_by from private.erasures where requested_as = 'admin' order by id desc limit 1),
    tests.get_supabase_uid('admin'),
    'the tombstone names the admin who asked'
);

select results_eq(
    $$select actor_id, new_values ->> 'requested_as', new_values ->> 'subject_id', new_values ->> 'salt'
      from private.audit_log where table_name = 'private.erasures' and action = 'insert'
        and changed_at = now() order by id$$,
    $$values (null::uuid, 'self', 'redacted', 'redacted'), (tests.get_supabase_uid('admin'), 'admin', 'redacted', 'redacted')$$,
    'each erasure request is in the audit log: the admin who asked, a user asking for themselves no more, the erased id redacted'
);

select tests.authenticate_as_service_role();
select throws_ok(format('select public.support_erase_user(%L)', tests.get_supabase_uid('other')), '42501', null,
    'service_role cannot call support_erase_user: it erases by deleting the account');
select throws_ok('select public.erase_my_data()', '42501', null,
    'service_role cannot erase "itself": it is no user');
reset role;

create temporary table leaving as select tests.get_supabase_uid('agent') as id;
delete from auth.users where id = (select id from leaving);
select is(
    (select count(*)::integer from public.support_staff where user_id = (select id from leaving))
    + (select count(*)::integer from private.erasures
       where requested_as = 'account_deleted' and status = 'done' and requested_at = now()),
    1,
    'deleting the auth.users row erases the account''s support data first'
);
select is(
    (select count(*)::integer from public.support_tickets where id::text like '99f00000%'),
    3,
    'deleting accounts keeps their anonymised tickets (no cascade)'
);

select is(
    (tests.error_of($$update private.audit_log set actor_id = null where id = (select max(id) from private.audit_log)$$)
        ->> 'message')::jsonb ->> 'code',
    'audit_log_append_only',
    'outside an erasure step, the audit log refuses even to lose an actor, whoever asks'
);

select * from finish();
rollback;
