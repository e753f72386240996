-- support_ticket shows what the queue shows of a ticket: its service levels (due times, first
-- response, waiting on the user, breached), the requester's rating, merged_into, problem_id and
-- a problem's number of linked reports. Staff read them; the owner reads their ticket only
-- through get_ticket, which shows none of them; nobody else reads them at all.
begin;
select plan(21);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- 1: urgent, filed 2 hours ago, unanswered (first response due after 1 hour: breached).
-- 2: the problem of 3 and 4 (another user's report). 5: resolved and rated. 6: merged into 1.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, status, created_at)
values
    ('76000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'technical', 'Sync down', 'Nothing syncs', 'urgent', 'open', now() - interval '2 hours'),
    ('76000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'bug', 'Crash on start', 'It crashes', 'high', 'open', now() - interval '1 hour'),
    ('76000000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'bug', 'Crash', 'Crashes too', 'medium', 'open', now() - interval '50 minutes'),
    ('76000000-0000-4000-8000-000000000004', tests.get_supabase_uid('other'), 'bug', 'Crash again', 'Same here', 'medium', 'open', now() - interval '40 minutes'),
    ('76000000-0000-4000-8000-000000000005', tests.get_supabase_uid('owner'), 'billing', 'Refund', 'Please refund', 'low', 'open', now() - interval '3 days'),
    ('76000000-0000-4000-8000-000000000006', tests.get_supabase_uid('owner'), 'technical', 'Sync still down', 'Still nothing', 'medium', 'open', now() - interval '1 hour');

select tests.authenticate_as('agent');
select public.support_link_problem('{"ticket_id": "76000000-0000-4000-8000-000000000003", "problem_id": "76000000-0000-4000-8000-000000000002"}');
select public.support_link_problem('{"ticket_id": "76000000-0000-4000-8000-000000000004", "problem_id": "76000000-0000-4000-8000-000000000002"}');
select public.support_merge_ticket('{"ticket_id": "76000000-0000-4000-8000-000000000006", "into_ticket_id": "76000000-0000-4000-8000-000000000001"}');
select public.support_reply('{"ticket_id": "76000000-0000-4000-8000-000000000005", "body": "Refunded today."}');
select public.support_update_ticket(jsonb_build_object(
    'ticket_id', '76000000-0000-4000-8000-000000000005', 'status', 'resolved', 'resolution', 'Refunded',
    'expected_updated_at', public.support_ticket('76000000-0000-4000-8000-000000000005') ->> 'updated_at'));
select tests.authenticate_as('owner');
select public.rate_ticket('{"ticket_id": "76000000-0000-4000-8000-000000000005", "rating": 5, "comment": "Quick and kind"}');

-- Staff: each field as the queue shows it.
select tests.authenticate_as('agent');
select is(
    (select jsonb_build_object(
        'first_response_due_at', d -> 'first_response_due_at', 'first_responded_at', d -> 'first_responded_at',
        'resolution_due_at', d -> 'resolution_due_at', 'next_due_at', d -> 'next_due_at',
        'waiting_on_user', d -> 'waiting_on_user', 'breached', d -> 'breached')
     from (select public.support_ticket('76000000-0000-4000-8000-000000000001')::jsonb as d) as x),
    (select (q - array['ticket_id', 'ticket_type', 'subject', 'status', 'priority', 'user_id', 'assignee_id',
                        'assigned_to', 'follow_up_of', 'created_at', 'updated_at', 'merged_into', 'problem_id',
                        'reports', 'requester_email', 'last_message_at', 'waiting_on'])
     from jsonb_array_elements(public.support_queue(q => 'Sync down')::jsonb -> 'tickets') as q
     where q ->> 'ticket_id' = '76000000-0000-4000-8000-000000000001'),
    'support_ticket shows the service levels exactly as the queue row does'
);
select is((public.support_ticket('76000000-0000-4000-8000-000000000001') ->> 'breached')::boolean, true,
    'an urgent ticket unanswered after two hours is breached');
select is((public.support_ticket('76000000-0000-4000-8000-000000000001') ->> 'first_response_due_at')::timestamptz,
    date_trunc('second', now() - interval '1 hour'), 'the urgent first response was due an hour after filing');
select is(public.support_ticket('76000000-0000-4000-8000-000000000001') ->> 'first_responded_at', null,
    'an unanswered ticket has no first response');
select is((public.support_ticket('76000000-0000-4000-8000-000000000005') ->> 'first_responded_at')::timestamptz,
    date_trunc('second', now()), 'support''s public reply is the first response');
select is((public.support_ticket('76000000-0000-4000-8000-000000000005') ->> 'breached')::boolean, false,
    'a ticket answered and resolved in time is not breached');
select is((public.support_ticket('76000000-0000-4000-8000-000000000005') ->> 'waiting_on_user')::boolean, false,
    'a resolved ticket waits on nobody');
select is(
    (public.support_ticket('76000000-0000-4000-8000-000000000005')::jsonb -> 'rating') - 'created_at',
    '{"rating": 5, "comment": "Quick and kind"}'::jsonb,
    'the requester''s rating and comment are on the ticket');
select is(public.support_ticket('76000000-0000-4000-8000-000000000001')::jsonb -> 'rating', 'null'::jsonb,
    'an unrated ticket has rating null');
select is(public.support_ticket('76000000-0000-4000-8000-000000000006') ->> 'merged_into',
    '76000000-0000-4000-8000-000000000001', 'a merged ticket names the ticket it was merged into');
select is((public.support_ticket('76000000-0000-4000-8000-000000000002') ->> 'reports')::int, 2,
    'a problem counts its linked reports, another user''s included');
select is(public.support_ticket('76000000-0000-4000-8000-000000000003') ->> 'problem_id',
    '76000000-0000-4000-8000-000000000002', 'a report names its problem');
select is((public.support_ticket('76000000-0000-4000-8000-000000000003') ->> 'reports')::int, 0,
    'a report has no reports of its own');
select tests.authenticate_as('admin');
select is(public.support_ticket('76000000-0000-4000-8000-000000000005')::jsonb -> 'rating' ->> 'rating', '5',
    'an admin reads the rating too');

-- The owner: get_ticket, without the staff fields; support_ticket refused.
select tests.authenticate_as('owner');
select is(
    (select array_agg(k order by k) from jsonb_object_keys(public.get_ticket('76000000-0000-4000-8000-000000000005')::jsonb) as k
     where k in ('first_response_due_at', 'first_responded_at', 'resolution_due_at', 'next_due_at', 'waiting_on_user',
                 'breached', 'rating', 'merged_into', 'problem_id', 'reports', 'requester', 'assignee')),
    null, 'the owner''s get_ticket shows none of the staff fields');
select throws_ok($$select public.support_ticket('76000000-0000-4000-8000-000000000005')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot read their ticket as staff see it');
select tests.authenticate_as('other');
select throws_ok($$select public.support_ticket('76000000-0000-4000-8000-000000000002')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'a reporter cannot read the problem their report is linked to');
select throws_ok($$select public.get_ticket('76000000-0000-4000-8000-000000000002')$$,
    'PGRST', '{"code" : "P0002", "message" : "Ticket not found", "details" : null, "hint" : null}',
    'nor through get_ticket');
select is(public.get_ticket('76000000-0000-4000-8000-000000000004')::jsonb ? 'problem_id', false,
    'a reporter''s own ticket does not name the problem');
select tests.clear_authentication();
select throws_ok($$select public.support_ticket('76000000-0000-4000-8000-000000000001')$$, '42501', null,
    'anon cannot read a ticket as staff');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_ticket('76000000-0000-4000-8000-000000000001')$$, '42501', null,
    'service_role does not call the staff read');

select * from finish();
rollback;
