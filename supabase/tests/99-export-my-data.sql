-- export_my_data from each actor's side: a user exports everything of theirs and nothing else,
-- never an internal note or a staff-only field; anon and service_role cannot call it.
begin;
select plan(12);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, created_at, resolved_at)
values
    ('99e00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice', 'open', null, now() - interval '2 days', null),
    ('99e00000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'account', 'Locked out', 'Locked', 'resolved', 'Unlocked', now() - interval '1 day', now()),
    ('99e00000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'billing', 'Not mine', 'Other''s', 'open', null, now(), null);
select tests.authenticate_as('agent');
select public.support_reply('{"ticket_id": "99e00000-0000-4000-8000-000000000001", "body": "We refunded you."}');
select public.support_reply('{"ticket_id": "99e00000-0000-4000-8000-000000000001", "body": "Refund took two tries (internal).", "internal": true}');
select public.support_update_ticket(jsonb_build_object('ticket_id', '99e00000-0000-4000-8000-000000000001',
    'priority', 'high', 'assignee_id', tests.get_supabase_uid('agent')));

select tests.authenticate_as('owner');
select public.submit_feedback('{"category": "praise", "description": "Fast support"}');
select public.rate_ticket('{"ticket_id": "99e00000-0000-4000-8000-000000000002", "rating": 5, "comment": "Great"}');
select public.set_email_notifications('["reply"]', 'false');
select public.companion_start_conversation('bug');
create temporary table export as select public.export_my_data()::jsonb as doc;

select is(
    (select doc - 'exported_at' - 'tickets' - 'feedback' - 'ratings' - 'notification_preferences' - 'companion_conversations'
     from export),
    jsonb_build_object('format', 'support-export/1', 'user_id', tests.get_supabase_uid('owner')),
    'the export names its format and the user'
);
select is(
    (select doc -> 'tickets' from export),
    jsonb_build_array(public.get_ticket('99e00000-0000-4000-8000-000000000001')::jsonb,
                      public.get_ticket('99e00000-0000-4000-8000-000000000002')::jsonb),
    'the user''s tickets, oldest first, each exactly as get_ticket answers it'
);
select ok(
    (select doc::text not like '%internal)%' and doc::text not like '%Not mine%' from export),
    'the export holds no internal note and no ticket of another user'
);
select is_empty(
    $$select key from export, jsonb_array_elements(doc -> 'tickets') as t, jsonb_object_keys(t) as key
      where key in ('assignee_id', 'user_id', 'sla_first_response_due_at', 'sla_next_due_at', 'priority_order', 'internal')$$,
    'a ticket of the export has no staff-only field'
);
select is(
    (select jsonb_array_length(doc -> 'tickets' -> 0 -> 'messages') from export), 1,
    'the thread holds the public reply only'
);
select is(
    (select doc -> 'feedback' from export),
    (public.list_my_feedback() -> 'feedback')::jsonb,
    'the user''s feedback, as list_my_feedback answers it'
);
select is(
    (select jsonb_path_query_array(doc -> 'ratings', '$[*] ? (@.rating == 5).comment') from export),
    '["Great"]'::jsonb,
    'the user''s rating with its comment'
);
select is(
    (select jsonb_path_query_array(doc -> 'notification_preferences', '$[*].kind') from export),
    '["reply"]'::jsonb,
    'the user''s email choices'
);
select is(
    (select jsonb_path_query_array(doc -> 'companion_conversations', '$[*].intent') from export),
    '["bug"]'::jsonb,
    'the user''s companion conversation'
);

select tests.authenticate_as('other');
select is(
    (select jsonb_path_query_array(public.export_my_data()::jsonb, '$.tickets[*].subject')),
    '["Not mine"]'::jsonb,
    'another user exports only their own ticket'
);
select tests.clear_authentication();
select throws_ok('select public.export_my_data()', '42501', null, 'an anonymous caller cannot export');
select tests.authenticate_as_service_role();
select throws_ok('select public.export_my_data()', '42501', null,
    'service_role cannot call it: it acts for no user');

select * from finish();
rollback;
