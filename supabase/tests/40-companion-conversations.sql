-- The companion bot's pending conversations: a user (acting through a JWT minted for them)
-- starts, reads and ends only their own, it expires after 15 minutes, and nobody but the
-- database sets when it started.
begin;
select plan(19);

insert into auth.users (id, aud, role, email, created_at, updated_at) values
    ('4c0e0000-0000-4000-8000-000000000001', 'authenticated', 'authenticated',
     'companion-owner@example.test', now(), now()),
    ('4c0e0000-0000-4000-8000-000000000002', 'authenticated', 'authenticated',
     'companion-other@example.test', now(), now());

-- Owner ---------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims =
    '{"sub": "4c0e0000-0000-4000-8000-000000000001", "role": "authenticated"}';

select is(
    public.companion_start_conversation('bug'), 'bug',
    'a user starts a pending conversation for their next message'
);
select results_eq(
    $$ select user_id, intent from public.companion_conversations $$,
    $$ values ('4c0e0000-0000-4000-8000-000000000001'::uuid, 'bug'::text) $$,
    'a user reads their own pending conversation'
);
select is(
    public.companion_start_conversation('feature_request'), 'feature_request',
    'starting again replaces the pending conversation'
);
select is(
    (select count(*)::int from public.companion_conversations), 1,
    'a user has at most one pending conversation'
);
select throws_ok(
    $$ select public.companion_start_conversation('complaint') $$,
    '23514', null,
    'a pending conversation is for a bug report, feedback or a feature request only'
);
select throws_ok(
    $$ insert into public.companion_conversations (intent, started_at)
       values ('bug', now() + interval '1 day') $$,
    '42501', null,
    'a user cannot choose when their conversation started, so cannot escape the expiry'
);
select throws_ok(
    $$ update public.companion_conversations set intent = 'bug' $$,
    '42501', null,
    'a user cannot update a pending conversation'
);
select throws_ok(
    $$ insert into public.companion_conversations (user_id, intent)
       values ('4c0e0000-0000-4000-8000-000000000002', 'bug') $$,
    '42501', null,
    'a user cannot start a conversation for someone else'
);

-- Another user ----------------------------------------------------------------------------
set local request.jwt.claims =
    '{"sub": "4c0e0000-0000-4000-8000-000000000002", "role": "authenticated"}';

select is_empty(
    $$ select * from public.companion_conversations $$,
    'another user does not see the pending conversation'
);
select is(
    public.companion_take_conversation(), null,
    'another user cannot take the pending conversation'
);
select lives_ok(
    $$ delete from public.companion_conversations
       where user_id = '4c0e0000-0000-4000-8000-000000000001' $$,
    'another user''s delete runs ...'
);

-- Owner again -------------------------------------------------------------------------------
set local request.jwt.claims =
    '{"sub": "4c0e0000-0000-4000-8000-000000000001", "role": "authenticated"}';

select is(
    (select count(*)::int from public.companion_conversations), 1,
    '... but does not remove the owner''s pending conversation'
);
select is(
    public.companion_take_conversation(), 'feature_request',
    'the owner takes the pending conversation and learns its intent'
);
select is(
    public.companion_take_conversation(), null,
    'taking ends the conversation: the next message is not filed twice'
);

-- Expiry (started_at moved back by the superuser, as time passing would) ---------------------
select public.companion_start_conversation('feedback');
reset role;
update public.companion_conversations
set started_at = now() - interval '15 minutes 1 second'
where user_id = '4c0e0000-0000-4000-8000-000000000001';
set local role authenticated;

select is(
    public.companion_take_conversation(), null,
    'a conversation older than 15 minutes has expired'
);
select is_empty(
    $$ select * from public.companion_conversations $$,
    'taking an expired conversation removes it too'
);

-- Anonymous -----------------------------------------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';

select throws_ok(
    $$ select public.companion_start_conversation('bug') $$,
    '42501', null,
    'an anonymous caller cannot start a conversation'
);
select throws_ok(
    $$ select public.companion_take_conversation() $$,
    '42501', null,
    'an anonymous caller cannot take a conversation'
);

-- Users who do not exist -------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims =
    '{"sub": "4c0e0000-0000-4000-8000-0000000000ff", "role": "authenticated"}';

select throws_ok(
    $$ select public.companion_start_conversation('bug') $$,
    '23503', null,
    'a token for a user who does not exist cannot start a conversation'
);

reset role;
select * from finish();
rollback;
