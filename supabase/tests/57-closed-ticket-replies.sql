-- Closed is final for support's public replies too: the owner could not answer one. Internal
-- notes on a closed ticket stay possible; a resolved ticket still takes public replies.
begin;
select plan(7);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values
    ('57000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Closed', 'C', 'closed', 'Done', now()),
    ('57000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Resolved', 'R', 'resolved', 'Done', now());

select tests.authenticate_as('agent');
select throws_ok(
    $$select public.support_reply('{"ticket_id": "57000000-0000-4000-8000-000000000001", "body": "One more thing"}')$$,
    'PGRST', '{"code" : "ticket_closed_for_support", "message" : "A closed ticket takes no public reply: its owner cannot answer it", "details" : null, "hint" : "Answer in the user''s follow-up ticket, or add an internal note."}',
    'an agent''s public reply to a closed ticket is a 409 naming the rule');
select lives_ok(
    $$select public.support_reply('{"ticket_id": "57000000-0000-4000-8000-000000000001", "body": "Refund confirmed by the bank", "internal": true}')$$,
    'an agent adds an internal note to a closed ticket');
select lives_ok(
    $$select public.support_reply('{"ticket_id": "57000000-0000-4000-8000-000000000002", "body": "Anything else?"}')$$,
    'an agent answers a resolved ticket publicly');
select tests.authenticate_as('admin');
select throws_ok(
    $$select public.support_reply('{"ticket_id": "57000000-0000-4000-8000-000000000001", "body": "Admin here"}')$$,
    'PGRST', '{"code" : "ticket_closed_for_support", "message" : "A closed ticket takes no public reply: its owner cannot answer it", "details" : null, "hint" : "Answer in the user''s follow-up ticket, or add an internal note."}',
    'an admin''s public reply to a closed ticket is a 409 too');
select tests.authenticate_as('owner');
select throws_ok(
    $$insert into public.ticket_messages (ticket_id, body) values ('57000000-0000-4000-8000-000000000001', 'Hello?')$$,
    'PGRST', '{"code" : "ticket_closed", "message" : "This ticket is closed. Please open a follow-up ticket.", "details" : null, "hint" : "Create a ticket with follow_up_of set to this ticket''s id."}',
    'the owner cannot answer a closed ticket either, as before');
reset role;
select is(
    (select count(*)::int from public.ticket_messages where ticket_id = '57000000-0000-4000-8000-000000000001' and not internal),
    0, 'the closed ticket holds no new public message');
select is(
    (select count(*)::int from pgmq.q_notifications as q where q.message ->> 'ticket_id' = '57000000-0000-4000-8000-000000000001'),
    0, 'nothing was queued for the owner of the closed ticket');

select * from finish();
rollback;
