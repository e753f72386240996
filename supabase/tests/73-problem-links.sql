-- Known problems: support_link_problem / support_unlink_problem from each actor's side, the
-- report counts in the queue, and the fan-out: resolving a problem resolves its 1,000 linked
-- open reports in the same transaction, each with its own event, each reporter seeing only
-- their own ticket.
begin;
select plan(32);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith');
select tests.create_supabase_user('reporter' || n) from generate_series(1, 50) as n;

-- The problem (the agent's own bug ticket), two reports (owner, other), a closed ticket, and
-- 1,000 reports of 50 reporters (20 each), of which 900 open, 50 in progress, 50 resolved.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution) values
    ('73000000-0000-4000-8000-000000000001', tests.get_supabase_uid('agent'), 'bug', 'Sync loses events', 'Root cause qwproblem', 'in_progress', null),
    ('73000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'bug', 'My events vanished', 'Owner secret text', 'open', null),
    ('73000000-0000-4000-8000-000000000003', tests.get_supabase_uid('other'), 'bug', 'Calendar empty', 'Other secret text', 'open', null),
    ('73000000-0000-4000-8000-000000000004', tests.get_supabase_uid('owner'), 'bug', 'Old', 'Old', 'closed', null);
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution)
select ('73100000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
       tests.get_supabase_uid('reporter' || (1 + n % 50)), 'bug', 'Lost events ' || n, 'Report ' || n,
       case when n <= 900 then 'open' when n <= 950 then 'in_progress' else 'resolved' end,
       case when n > 950 then 'Own fix' end
from generate_series(1, 1000) as n;

-- Nobody but staff links.
select tests.authenticate_as('owner');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002", "problem_id": "73000000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot link their ticket to a problem');
select throws_ok($$select public.support_unlink_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002"}')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'the owner cannot unlink');
select throws_ok($$update public.support_tickets set problem_id = '73000000-0000-4000-8000-000000000001' where id = '73000000-0000-4000-8000-000000000002'$$,
    '42501', null, 'the owner cannot set problem_id directly');
select tests.authenticate_as('other');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002", "problem_id": "73000000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "42501", "message" : "Only support staff can do this", "details" : null, "hint" : null}',
    'another user cannot link anyone''s ticket');
select tests.clear_authentication();
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002", "problem_id": "73000000-0000-4000-8000-000000000001"}')$$,
    '42501', null, 'anon cannot link');
select tests.authenticate_as_service_role();
select throws_ok($$select public.support_unlink_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002"}')$$,
    '42501', null, 'service_role cannot call the staff unlink');

-- Staff link.
select tests.authenticate_as('agent');
select is(
    public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002", "problem_id": "73000000-0000-4000-8000-000000000001"}')::jsonb,
    '{"ticket_id": "73000000-0000-4000-8000-000000000002", "problem_id": "73000000-0000-4000-8000-000000000001", "reports": 1}'::jsonb,
    'an agent links a report to the problem'
);
select is(
    public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002", "problem_id": "73000000-0000-4000-8000-000000000001"}') ->> 'reports',
    '1', 'linking again changes nothing'
);
select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000003", "problem_id": "73000000-0000-4000-8000-000000000001"}');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000004", "problem_id": "73000000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "link_closed_ticket", "message" : "A closed ticket cannot be linked", "details" : null, "hint" : null}',
    'a closed ticket is not linked');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73100000-0000-4000-8000-000000000001", "problem_id": "73000000-0000-4000-8000-000000000002"}')$$,
    'PGRST', '{"code" : "link_report_as_problem", "message" : "A report cannot be a problem", "details" : null, "hint" : "Link to the problem it is linked to."}',
    'a report is not a problem (no chains)');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000001", "problem_id": "73100000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "link_problem_as_report", "message" : "A problem with linked reports cannot be a report", "details" : null, "hint" : null}',
    'a problem with reports is not linked as a report');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000001", "problem_id": "73000000-0000-4000-8000-000000000001"}')$$,
    'PGRST', '{"code" : "link_to_itself", "message" : "a ticket cannot be its own problem", "details" : null, "hint" : null}', 'a ticket is not its own problem');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002", "problem_id": "73000000-0000-4000-8000-000000000009"}')$$,
    'PGRST', '{"code" : "P0002", "message" : "Ticket not found", "details" : null, "hint" : null}',
    'a missing problem is a 404');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002"}')$$,
    'PGRST', '{"code" : "parameter_required", "message" : "problem_id is required", "details" : null, "hint" : null}', 'problem_id is required');
select throws_ok($$select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000002", "problem_id": "x"}')$$,
    'PGRST', '{"code" : "invalid_uuid", "message" : "problem_id must be a UUID", "details" : null, "hint" : null}', 'a problem_id that is not a UUID is a 400 that does not echo it');
select throws_ok($$select public.support_link_problem('{"ticket_id": "x"}')$$,
    'PGRST', '{"code" : "parameter_required", "message" : "problem_id is required", "details" : null, "hint" : null}', 'the problem_id is checked before the ticket_id');

-- Unlink and link again: internal events on both sides.
select is(public.support_unlink_problem('{"ticket_id": "73000000-0000-4000-8000-000000000003"}') ->> 'problem_id', null,
    'an agent unlinks a report');
-- Staff read tickets and history only through the staff operations: checked as postgres.
reset role;
select results_eq(
    $$select kind, internal, from_value, to_value from public.ticket_events
      where ticket_id = '73000000-0000-4000-8000-000000000003' and kind = 'problem' order by id$$,
    $$values ('problem', true, null, '73000000-0000-4000-8000-000000000001'),
             ('problem', true, '73000000-0000-4000-8000-000000000001', null)$$,
    'the report''s history records the link and the unlink, internally'
);
select tests.authenticate_as('agent');
select public.support_link_problem('{"ticket_id": "73000000-0000-4000-8000-000000000003", "problem_id": "73000000-0000-4000-8000-000000000001"}');
-- The 1,000, linked by support's tools (postgres, as a bulk link from Studio would).
reset role;
update public.support_tickets set problem_id = '73000000-0000-4000-8000-000000000001' where id::text like '73100000-%';
select tests.authenticate_as('agent');
select is(
    (select (t ->> 'reports')::int from json_array_elements(public.support_queue(status => 'in_progress', q => 'qwproblem', page_size => '100') -> 'tickets') as t
     where t ->> 'ticket_id' = '73000000-0000-4000-8000-000000000001'),
    1002, 'the queue shows how many reports the problem has'
);

-- Resolve the problem: the open and in-progress reports follow in the same statement.
select public.support_update_ticket('{"ticket_id": "73000000-0000-4000-8000-000000000001", "status": "resolved", "resolution": "Fixed in 1.0.1"}');
-- Staff read tickets and history only through the staff operations: checked as postgres.
reset role;
select is(
    (select count(*)::int from public.support_tickets where problem_id = '73000000-0000-4000-8000-000000000001'
       and status = 'resolved' and resolution = 'Fixed in 1.0.1' and resolved_at = now()),
    952, 'the 950 open and in-progress reports and the two linked tickets are resolved with the problem''s resolution'
);
select is(
    (select count(*)::int from public.support_tickets where id::text like '73100000-%' and status = 'resolved' and resolution = 'Own fix'),
    50, 'reports already resolved keep their own resolution'
);
select is(
    (select count(*)::int from public.ticket_events as e join public.support_tickets as t on t.id = e.ticket_id
     where t.problem_id = '73000000-0000-4000-8000-000000000001' and e.kind = 'status' and e.to_value = 'resolved'
       and e.actor_kind = 'agent' and e.actor_id = tests.get_supabase_uid('agent') and not e.internal),
    952, 'each resolved report has its own public status event, by the agent who resolved the problem'
);

-- Each reporter sees their own ticket resolved, and nothing of the problem or the others.
select tests.authenticate_as('owner');
select results_eq(
    $$select status, resolution from public.support_tickets where id = '73000000-0000-4000-8000-000000000002'$$,
    $$values ('resolved', 'Fixed in 1.0.1')$$,
    'the owner sees their report resolved with the fix'
);
select is(
    (select count(*)::int from json_array_elements(public.get_ticket('73000000-0000-4000-8000-000000000002') -> 'events') as e
     where e ->> 'kind' = 'status' and e ->> 'to' = 'resolved'),
    1, 'the owner reads the resolution in their ticket''s history'
);
select is(
    (select count(*)::int from json_array_elements(public.get_ticket('73000000-0000-4000-8000-000000000002') -> 'events') as e
     where e ->> 'kind' = 'problem'),
    0, 'the owner does not see the internal link events'
);
select is_empty($$select 1 from public.support_tickets where id <> '73000000-0000-4000-8000-000000000002' and id::text like '73%'
    and id <> '73000000-0000-4000-8000-000000000004'$$,
    'the owner sees neither the problem nor the other reports');
select throws_ok($$select public.get_ticket('73000000-0000-4000-8000-000000000001')$$,
    'PGRST', '{"code" : "P0002", "message" : "Ticket not found", "details" : null, "hint" : null}',
    'the problem itself is a 404 for a reporter');
select tests.authenticate_as('reporter7');
select results_eq(
    $$select count(*)::int, count(*) filter (where status = 'resolved')::int from public.support_tickets$$,
    $$values (20, 20)$$,
    'a reporter of the 1,000 sees their 20 reports, all resolved, and no other ticket'
);
select is_empty($$select 1 from public.ticket_events as e where e.ticket_id not in (select id from public.support_tickets)$$,
    'a reporter reads no event of another user''s ticket');
select tests.authenticate_as('other');
select is_empty($$select 1 from public.support_tickets where description in ('Owner secret text', 'Root cause qwproblem')$$,
    'another reporter never reads the owner''s report or the problem');
select tests.clear_authentication();
select throws_ok('select 1 from public.support_tickets', '42501', null, 'anon reads no ticket');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.support_tickets where problem_id = '73000000-0000-4000-8000-000000000001'), 1002,
    'service_role reads every link');

select * from finish();
rollback;
