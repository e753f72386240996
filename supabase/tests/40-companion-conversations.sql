-- The companion bot's pending conversations: a user (acting through a JWT minted for them)
-- starts, reads and ends only their own, it expires after 15 minutes, and nobody but the
-- database sets when it started.
begin;
select plan(22);

select tests.create_supabase_user('companion-owner');
select tests.create_supabase_user('companion-other');

-- Owner ---------------------------------------------------------------------------------
select tests.authenticate_as('companion-owner');

select is(
    public.companion_start_conversation('bug'), 'bug',
    'a user starts a pending conversation for their next message'
);
select results_eq(
    $$ select user_id, intent from public.companion_conversations $$,
    format($$ values (%L::uuid, 'bug'::text) $$, tests.get_supabase_uid('companion-owner')),
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
select is(
    tests.error_of($$ select public.companion_start_conversation('complaint') $$)
        ->> 'constraint',
    'companion_conversations_intent_valid',
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
    format($$ insert into public.companion_conversations (user_id, intent) values (%L, 'bug') $$,
           tests.get_supabase_uid('companion-other')),
    '42501', null,
    'a user cannot start a conversation for someone else'
);

-- Another user ----------------------------------------------------------------------------
select tests.authenticate_as('companion-other');

select is_empty(
    $$ select * from public.companion_conversations $$,
    'another user does not see the pending conversation'
);
select is(
    public.companion_take_conversation(), null,
    'another user cannot take the pending conversation'
);
select lives_ok(
    format($$ delete from public.companion_conversations where user_id = %L $$,
           tests.get_supabase_uid('companion-owner')),
    'another user''s delete runs ...'
);

-- Owner again -------------------------------------------------------------------------------
select tests.authenticate_as('companion-owner');

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
where user_id = tests.get_supabase_uid('companion-owner');
select tests.authenticate_as('companion-owner');

select is(
    public.companion_take_conversation(), null,
    'a conversation older than 15 minutes has expired'
);
select is_empty(
    $$ select * from public.companion_conversations $$,
    'taking an expired conversation removes it too'
);

-- Anonymous -----------------------------------------------------------------------------------
select tests.clear_authentication();

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

-- service_role: no user to act for, so no conversation to start or take ---------------------------
select tests.authenticate_as_service_role();

select throws_ok(
    $$ select public.companion_start_conversation('bug') $$,
    '42501', null,
    'service_role cannot start a conversation (the bot acts as the user)'
);
select throws_ok(
    $$ select public.companion_take_conversation() $$,
    '42501', null,
    'service_role cannot take a conversation (the bot acts as the user)'
);
select lives_ok(
    $$ delete from public.companion_conversations $$,
    'service_role, like an admin, may clear pending conversations directly'
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
