-- The staff operations: support_queue, support_ticket, support_update_ticket, support_reply;
-- refused to everyone who is not staff.
begin;
select plan(47);

select tests.create_supabase_user('owner', 'owner@test.example');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('agent2');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('agent2'), 'agent', 'Agent Jones'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- A queue of its own: the tests see only tickets created after this point (older rows, such as
-- the seed's, are filtered out by a created_at bound on the cursor-free views).
insert into public.support_tickets (id, user_id, ticket_type, subject, description, priority, status, resolution, created_at, updated_at)
select ('55000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
       tests.get_supabase_uid(case when n % 2 = 0 then 'owner' else 'other' end),
       case when n % 3 = 0 then 'bug' else 'billing' end,
       'Quagga ticket ' || n,
       case when n = 7 then 'The zebra printer jams' else 'Something about invoices' end,
       (array['low', 'medium', 'high', 'urgent'])[1 + n % 4],
       case when n > 10 then 'resolved' else 'open' end,
       case when n > 10 then 'Done' end,
       '2030-01-01 00:00:00+00'::timestamptz + make_interval(mins => n),
       '2030-01-01 00:00:00+00'::timestamptz + make_interval(mins => n)
from generate_series(1, 12) as n;
-- (Each statement of a transaction has the same now(); the tickets' updated_at starts apart
-- from it so that a change within this test is a change of updated_at, as between requests.)
update public.support_tickets set assignee_id = tests.get_supabase_uid('agent')
where id in ('55000000-0000-4000-8000-000000000001', '55000000-0000-4000-8000-000000000002');

-- What the queue should find besides this file's tickets (the seed's), read as postgres.
select set_config('tests.other_open_unassigned', (select count(*)::text from public.support_tickets
    where status = 'open' and assignee_id is null and id::text not like '55000000-%'), true);
select set_config('tests.queue_ids', (select array_agg(id::text order by id::text)::text
    from public.support_tickets where id::text like '55000000-%'), true);

select tests.authenticate_as('agent');

-- support_queue.
select is(
    array(select json_object_keys(public.support_queue())),
    array['tickets', 'next_cursor', 'total', 'total_capped'],
    'support_queue answers {tickets, next_cursor, total, total_capped}'
);
select is(
    (select array_agg(t ->> 'ticket_id' order by n) from json_array_elements(
        public.support_queue(status => 'open', assignee => 'unassigned', page_size => '3') -> 'tickets') with ordinality as x(t, n)),
    array['55000000-0000-4000-8000-000000000010', '55000000-0000-4000-8000-000000000009', '55000000-0000-4000-8000-000000000008'],
    'open and unassigned, newest first'
);
select is(
    (public.support_queue(status => 'open', assignee => 'unassigned') ->> 'total')::int,
    least(8 + current_setting('tests.other_open_unassigned')::int, 1000),
    'total counts every match up to its cap of 1,000, not just the page'
);
select is(
    (select array_agg(t ->> 'ticket_id') from json_array_elements(public.support_queue(assignee => 'me') -> 'tickets') as t),
    array['55000000-0000-4000-8000-000000000002', '55000000-0000-4000-8000-000000000001'],
    'mine: the tickets assigned to the caller'
);
select is(
    (select array_agg(t ->> 'priority' order by n) from json_array_elements(
        public.support_queue(status => 'open', sort => 'priority', q => 'quagga', page_size => '100') -> 'tickets') with ordinality as x(t, n)
     where t ->> 'ticket_id' like '55000000-%'),
    array['urgent', 'urgent', 'high', 'high', 'high', 'medium', 'medium', 'medium', 'low', 'low'],
    'all open by priority: urgent first'
);
select is(
    (select array_agg(t ->> 'ticket_id') from json_array_elements(public.support_queue(q => 'zebra') -> 'tickets') as t),
    array['55000000-0000-4000-8000-000000000007'],
    'the text search finds a word of the description'
);
select is(
    (select array_agg(t ->> 'ticket_id') from json_array_elements(public.support_queue(q => 'quagga 12') -> 'tickets') as t),
    array['55000000-0000-4000-8000-000000000012'],
    'the text search finds words of the subject'
);
select is(
    (select array_agg(t ->> 'ticket_id') from json_array_elements(
        public.support_queue(priority => 'urgent', ticket_type => 'bug', status => 'open') -> 'tickets') as t
     where t ->> 'ticket_id' like '55000000-%'),
    array['55000000-0000-4000-8000-000000000003'],
    'filters combine: priority, type and status'
);

-- Keyset pagination walks every row exactly once, for every sort.
create function pg_temp.walk(sort_key text) returns text[] language plpgsql as $$
declare
    page json;
    seen text[] := '{}';
    next text;
begin
    loop
        page := public.support_queue(sort => sort_key, q => 'quagga', page_size => '5', cursor => next);
        seen := seen || array(select t ->> 'ticket_id' from json_array_elements(page -> 'tickets') as t);
        next := page ->> 'next_cursor';
        exit when next is null;
    end loop;
    return seen;
end;
$$;
select is(
    (select array_agg(x order by x) from unnest(pg_temp.walk(s)) as x),
    current_setting('tests.queue_ids')::text[],
    format('paging by %s with next_cursor returns each of the 12 tickets once', s)
)
from unnest(array['created', 'updated', 'priority']) as s;
select throws_ok(
    format('select public.support_queue(%s)', a), e, m, format('support_queue refuses %s', a)
)
from (values
    ($$status => 'pending'$$, '22023', 'status must be one of open, in_progress, resolved, closed'),
    ($$priority => 'asap'$$, '22023', 'priority must be one of low, medium, high, urgent'),
    ($$ticket_type => 'x'$$, '22023', 'ticket_type must be one of bug, technical, billing, account, other'),
    ($$assignee => 'bob'$$, 'PGRST', '{"code" : "queue_assignee_unknown", "message" : "assignee must be me, unassigned or a staff member''s id", "details" : null, "hint" : null}'),
    ($$sort => 'name'$$, 'PGRST', '{"code" : "queue_sort_unknown", "message" : "sort must be one of created, updated, priority", "details" : null, "hint" : "sort=due lists running clocks, the next deadline first."}'),
    ($$page_size => '0'$$, 'PGRST', '{"code" : "integer_out_of_range", "message" : "page_size must be an integer from 1 to 100", "details" : null, "hint" : null}'),
    ($$cursor => 'garbage'$$, 'PGRST', '{"code" : "queue_cursor_invalid", "message" : "cursor is not valid for this sort", "details" : null, "hint" : "Pass next_cursor of the previous page unchanged, with the same sort."}'),
    (format('q => %L', repeat('q', 201)), 'PGRST', '{"code" : "text_too_long", "message" : "q must be at most 200 characters", "details" : null, "hint" : null}')
) as t(a, e, m);
select throws_ok(
    format('select public.support_queue(sort => %L, cursor => %L)', 'priority',
        public.support_queue(q => 'quagga', page_size => '2') ->> 'next_cursor'),
    'PGRST', '{"code" : "queue_cursor_invalid", "message" : "cursor is not valid for this sort", "details" : null, "hint" : "Pass next_cursor of the previous page unchanged, with the same sort."}', 'a cursor of another sort is refused'
);

-- support_ticket: everything, internal notes included.
select lives_ok(
    $$select public.support_reply('{"ticket_id": "55000000-0000-4000-8000-000000000002", "body": "Hello from support"}')$$,
    'an agent replies publicly'
);
select is(
    public.support_reply('{"ticket_id": "55000000-0000-4000-8000-000000000002", "body": "Check the logs", "internal": true}')::jsonb
        - 'message_id' - 'created_at',
    '{"internal": true, "status": "open"}'::jsonb,
    'support_reply answers {message_id, internal, status, created_at}'
);
select is(
    (select (d -> 'requester' ->> 'email', d -> 'assignee' ->> 'display_name', json_array_length(d -> 'messages'),
             (select bool_or((m ->> 'internal')::boolean) from json_array_elements(d -> 'messages') as m),
             d -> 'messages' -> 0 ->> 'author_name')::text
     from public.support_ticket('55000000-0000-4000-8000-000000000002') as d),
    '(owner@test.example,"Agent Smith",2,t,"Agent Smith")',
    'support_ticket shows the requester''s email, the assignee and every message with its author'
);
select is(
    (select array_agg(e ->> 'kind') from json_array_elements(public.support_ticket('55000000-0000-4000-8000-000000000002') -> 'events') as e),
    array['created', 'assignee', 'public_reply', 'internal_note'],
    'support_ticket shows every event, internal ones included'
);
select is(
    (tests.error_of($$select public.support_ticket('55000000-0000-4000-8000-999999999999')$$) ->> 'message')::json ->> 'code',
    'P0002',
    'support_ticket of a missing ticket is a 404'
);
select throws_ok(
    $$select public.support_reply('{"ticket_id": "55000000-0000-4000-8000-000000000002", "body": ""}')$$,
    '23514', 'body must not be blank', 'support_reply checks the body'
);
select throws_ok(
    $$select public.support_reply('{"ticket_id": "55000000-0000-4000-8000-000000000002", "body": "x", "internal": "yes"}')$$,
    '22023', 'internal must be true or false', 'support_reply checks internal'
);

-- support_update_ticket, and two agents at once.
select set_config('tests.seen', public.support_ticket('55000000-0000-4000-8000-000000000004') ->> 'updated_at', true);
select is(
    public.support_update_ticket(jsonb_build_object('ticket_id', '55000000-0000-4000-8000-000000000004',
        'status', 'in_progress', 'assignee_id', tests.get_supabase_uid('agent'), 'admin_notes', 'Mine',
        'expected_updated_at', current_setting('tests.seen')))::jsonb
        - 'updated_at' - 'resolved_at' - 'ticket_id' - 'ticket_type' - 'priority' - 'assignee_id',
    '{"status": "in_progress", "assigned_to": "Agent Smith", "resolution": null, "admin_notes": "Mine"}'::jsonb,
    'an agent takes a ticket with the updated_at they read'
);
select tests.authenticate_as('agent2');
select is(
    tests.error_of(format($$select public.support_update_ticket(%L)$$, jsonb_build_object(
        'ticket_id', '55000000-0000-4000-8000-000000000004', 'priority', 'urgent',
        'expected_updated_at', current_setting('tests.seen')))),
    jsonb_build_object('code', 'PGRST',
        'message', '{"code" : "ticket_changed", "message" : "The ticket was changed by someone else since you read it", "details" : null, "hint" : "Read it again (support_ticket) and send its updated_at as expected_updated_at."}',
        'detail', '{"status" : 409, "headers" : {}}', 'constraint', null),
    'a second agent with the same, now stale, updated_at gets a 409'
);
select is(
    public.support_ticket('55000000-0000-4000-8000-000000000004') ->> 'priority',
    'low',
    'the stale change was not applied'
);
select is(
    public.support_update_ticket(jsonb_build_object('ticket_id', '55000000-0000-4000-8000-000000000004',
        'priority', 'urgent', 'expected_updated_at',
        public.support_ticket('55000000-0000-4000-8000-000000000004') ->> 'updated_at')) ->> 'priority',
    'urgent',
    'after reading again, the second agent''s change goes through'
);
select throws_ok(
    $$select public.support_update_ticket('{"ticket_id": "55000000-0000-4000-8000-000000000004", "status": "resolved"}')$$,
    'PGRST', null, 'resolving without a resolution is refused'
);
select is(
    (tests.error_of($$select public.support_update_ticket('{"ticket_id": "55000000-0000-4000-8000-000000000004", "status": "resolved"}')$$)
        ->> 'message')::json ->> 'message',
    'resolution is required to move a ticket from in_progress to resolved',
    'the refusal names both statuses'
);
select is(
    public.support_update_ticket('{"ticket_id": "55000000-0000-4000-8000-000000000004", "status": "resolved", "resolution": "Fixed"}') ->> 'status',
    'resolved',
    'an agent resolves with a resolution'
);
select is(
    public.support_update_ticket('{"ticket_id": "55000000-0000-4000-8000-000000000004", "assignee_id": null}') ->> 'assigned_to',
    null,
    'an agent unassigns a ticket with an explicit null'
);
select throws_ok(
    format('select public.support_update_ticket(%L)', b), e, m, format('support_update_ticket refuses %s', b)
)
from (values
    ('{"ticket_id": "55000000-0000-4000-8000-000000000004", "priority": "asap"}', '23514', 'priority must be one of low, medium, high, urgent'),
    ('{"ticket_id": "55000000-0000-4000-8000-000000000004", "status": null}', '23502', 'status is required'),
    ('{"ticket_id": "55000000-0000-4000-8000-000000000004", "assignee_id": "55000000-0000-4000-8000-000000000004"}', 'PGRST', '{"code" : "assignee_not_staff", "message" : "assignee_id must be a member of support staff", "details" : null, "hint" : null}'),
    ('{"ticket_id": "55000000-0000-4000-8000-000000000004", "expected_updated_at": "soon"}', 'PGRST', '{"code" : "invalid_time", "message" : "expected_updated_at must be a date or time (RFC 3339)", "details" : null, "hint" : null}'),
    ('{"ticket_id": "55000000-0000-4000-8000-000000000004", "user_id": "x"}', '22023', 'unknown field "user_id"')
) as t(b, e, m);
select is(
    (tests.error_of($$select public.support_update_ticket('{"ticket_id": "55000000-0000-4000-8000-000000000011", "status": "in_progress"}')$$)
        ->> 'detail'),
    null,
    'an agent may put a resolved ticket back in progress'
);

-- Not staff: 403 for signed-in users, 42501 for anon and service_role (no execute grant).
select tests.authenticate_as('owner');
select is(
    tests.error_of(format('select public.%s', c)) ->> 'detail',
    '{"status" : 403, "headers" : {}}',
    format('a user calling %s gets 403', split_part(c, '(', 1))
)
from unnest(array[
    'support_queue()',
    $$support_ticket('55000000-0000-4000-8000-000000000002')$$,
    $$support_update_ticket('{"ticket_id": "55000000-0000-4000-8000-000000000002", "status": "closed"}')$$,
    $$support_reply('{"ticket_id": "55000000-0000-4000-8000-000000000002", "body": "x"}')$$
]) as c;
select tests.clear_authentication();
select throws_ok('select public.support_queue()', '42501', null, 'anon cannot call the staff operations');
select tests.authenticate_as_service_role();
select throws_ok('select public.support_queue()', '42501', null, 'service_role cannot call the staff operations (it is nobody)');

select * from finish();
rollback;
