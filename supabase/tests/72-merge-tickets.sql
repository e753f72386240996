-- support_merge_ticket: staff merge a ticket into another of the same requester; the source
-- closes with merged_into, both histories record it, nothing internal becomes public; refused
-- to everyone who is not staff.
begin;
select plan(24);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');

-- 1 and 2 the owner's (open), 3 another user's, 4 the owner's closed.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, created_at)
values
    ('72000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice, qwmerge', 'open', now() - interval '1 hour'),
    ('72000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Double charge', 'Again', 'open', now() - interval '2 hours'),
    ('72000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'billing', 'Charged', 'Other', 'open', now()),
    ('72000000-0000-4000-8000-000000000004', tests.get_supabase_uid('owner'), 'billing', 'Old', 'Old', 'closed', now() - interval '9 days');
insert into public.ticket_messages (ticket_id, author_id, author_kind, internal, body) values
    ('72000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'user', false, 'Here is my receipt'),
    ('72000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'agent', true, 'Card fraud suspected');

-- Nobody but staff merges.
select tests.authenticate_as('owner');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000002"}')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot merge their own tickets');
select tests.authenticate_as('other');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000002"}')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'another user cannot merge anyone''s tickets');
select tests.clear_authentication();
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000002"}')$$,
    '42501', null, 'anon cannot merge');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000002"}')$$,
    '42501', null, 'service_role cannot call the staff merge');
reset role;
select is((select status from public.support_tickets where id = '72000000-0000-4000-8000-000000000001'), 'open',
    'nothing is merged without a staff member asking');

-- Staff: the refusals.
select tests.authenticate_as('agent');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000003"}')$$,
    'PGRST', '{"code" : "merge_other_requester", "message" : "Only tickets of the same requester can be merged", "details" : null, "hint" : null}',
    'tickets of two requesters are not merged (409)');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000004"}')$$,
    'PGRST', '{"code" : "merge_closed_target", "message" : "A ticket cannot be merged into a closed ticket", "details" : null, "hint" : "Merge into the requester''s follow-up ticket instead."}',
    'nothing merges into a closed ticket');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000004", "into_ticket_id": "72000000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "merge_closed_source", "message" : "A closed ticket cannot be merged", "details" : null, "hint" : null}',
    'a closed ticket is not merged');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "merge_into_itself", "message" : "a ticket cannot be merged into itself", "details" : null, "hint" : null}', 'a ticket is not merged into itself');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000009"}')$$,
    'PGRST', '{"code" : "P0002", "message" : "Ticket not found", "details" : null, "hint" : null}',
    'a missing target is a 404');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "parameter_required", "message" : "into_ticket_id is required", "details" : null, "hint" : null}', 'into_ticket_id is required');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "x"}')$$,
    'PGRST', '{"code" : "invalid_uuid", "message" : "into_ticket_id must be a UUID", "details" : null, "hint" : null}', 'into_ticket_id must be a UUID');

-- Staff: the merge.
select is(
    public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000002"}')::jsonb - 'updated_at',
    '{"ticket_id": "72000000-0000-4000-8000-000000000001", "status": "closed", "merged_into": "72000000-0000-4000-8000-000000000002"}'::jsonb,
    'an agent merges 1 into 2: 1 is closed with merged_into'
);
-- Staff read tickets and history only through the staff operations: checked as postgres.
reset role;
select results_eq(
    $$select kind, from_value, to_value from public.ticket_events
      where ticket_id = '72000000-0000-4000-8000-000000000001' and kind in ('status', 'merged') order by id$$,
    $$values ('status', 'open', 'resolved'), ('status', 'resolved', 'closed'),
             ('merged', '72000000-0000-4000-8000-000000000001', '72000000-0000-4000-8000-000000000002')$$,
    'the source''s history: resolved and closed along the lifecycle, then the merge'
);
select results_eq(
    $$select kind, from_value, to_value, internal from public.ticket_events
      where ticket_id = '72000000-0000-4000-8000-000000000002' and kind = 'merged'$$,
    $$values ('merged', '72000000-0000-4000-8000-000000000001', '72000000-0000-4000-8000-000000000002', false)$$,
    'the target''s history records what was merged into it'
);
select is((select count(*)::int from public.ticket_messages where ticket_id = '72000000-0000-4000-8000-000000000002'), 0,
    'no message is copied: the target''s thread is unchanged');
select tests.authenticate_as('agent');
select throws_ok($$select public.support_merge_ticket('{"ticket_id": "72000000-0000-4000-8000-000000000001", "into_ticket_id": "72000000-0000-4000-8000-000000000002"}')$$,
    'PGRST', '{"code" : "merge_closed_source", "message" : "A closed ticket cannot be merged", "details" : null, "hint" : null}',
    'merging again is refused: the source is closed');

-- The owner's view.
select tests.authenticate_as('owner');
select results_eq(
    $$select status, merged_into, resolution from public.support_tickets where id = '72000000-0000-4000-8000-000000000001'$$,
    $$values ('closed', '72000000-0000-4000-8000-000000000002'::uuid,
              'This request was merged into another of your tickets; the conversation continues there.')$$,
    'the owner sees the source closed, merged into their other ticket, with a resolution saying so'
);
select is(
    (select array_agg(m ->> 'body') from json_array_elements(public.get_ticket('72000000-0000-4000-8000-000000000001') -> 'messages') as m),
    array['Here is my receipt'],
    'the source''s public messages stay readable where they were; the internal note does not become public'
);
select is(
    (select count(*)::int from json_array_elements(public.get_ticket('72000000-0000-4000-8000-000000000002') -> 'events') as e
     where e ->> 'kind' = 'merged'),
    1, 'the owner sees the merge in the target''s history'
);
select is_empty($$select 1 from public.ticket_messages where internal$$, 'the owner reads no internal note on either ticket');
select throws_ok($$update public.support_tickets set merged_into = null where id = '72000000-0000-4000-8000-000000000001'$$,
    '42501', null, 'the owner cannot undo a merge');
select tests.authenticate_as('other');
select is_empty($$select 1 from public.ticket_events where ticket_id::text like '72000000-0000-4000-8000-00000000000%' and kind = 'merged'$$,
    'another user sees nothing of the merge');
select tests.authenticate_as('agent');
select is(
    (select (t ->> 'merged_into') from json_array_elements(public.support_queue(status => 'closed', q => 'qwmerge', page_size => '100') -> 'tickets') as t
     where t ->> 'ticket_id' = '72000000-0000-4000-8000-000000000001'),
    '72000000-0000-4000-8000-000000000002', 'the queue shows where a ticket was merged'
);

select * from finish();
rollback;
