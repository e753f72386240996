-- list_my_tickets and get_ticket: shapes, order, filters, pagination, and the same 404 for a
-- missing ticket and another user's.
begin;
select plan(34);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');

-- The owner has 25 tickets, one a minute, newest last; every fifth is resolved. Two share a time.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, created_at, updated_at)
select
    ('40000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
    tests.get_supabase_uid('owner'),
    case when n % 2 = 0 then 'bug' else 'billing' end,
    'Ticket ' || n,
    'Description ' || n,
    case when n % 5 = 0 then 'resolved' else 'open' end,
    '2026-01-10 12:00:00+00'::timestamptz + make_interval(mins => least(n, 24)),
    '2026-01-10 12:00:00+00'::timestamptz + make_interval(mins => least(n, 24))
from generate_series(1, 25) as n;
update public.support_tickets
set admin_notes = 'Checked the payment provider', resolution = 'Refund of $15 processed.',
    resolved_at = '2026-01-10 16:00:00+00'
where id = '40000000-0000-4000-8000-000000000005';
insert into public.support_tickets (id, user_id, ticket_type, subject, description)
values ('40000000-0000-4000-8000-999999999999', tests.get_supabase_uid('other'), 'account', 'Theirs', 'Not yours');

select tests.authenticate_as('owner');

-- list_my_tickets
select is(
    array(select json_object_keys(public.list_my_tickets())),
    array['tickets', 'total'],
    'list_my_tickets answers {tickets, total}'
);
select is(
    array(select json_object_keys(public.list_my_tickets() -> 'tickets' -> 0)),
    array['ticket_id', 'ticket_type', 'subject', 'status', 'priority', 'created_at', 'updated_at',
          'last_message_at', 'waiting_on'],
    'each listed ticket has the contract''s fields, in order, then where its conversation stands'
);
select is((public.list_my_tickets() ->> 'total')::int, 25, 'total counts all of the caller''s tickets');
select is(json_array_length(public.list_my_tickets() -> 'tickets'), 20, 'the page size defaults to 20');
select is(
    array(select t ->> 'ticket_id' from json_array_elements(public.list_my_tickets(null, '3') -> 'tickets') as t),
    array['40000000-0000-4000-8000-000000000025', '40000000-0000-4000-8000-000000000024',
          '40000000-0000-4000-8000-000000000023'],
    'tickets come newest first, ties broken by id, newest id first'
);
select is(
    public.list_my_tickets(null, '1') -> 'tickets' -> 0 ->> 'created_at',
    '2026-01-10T12:24:00Z',
    'times are UTC, RFC 3339, ending in Z'
);
select is(
    array(select t ->> 'subject' from json_array_elements(public.list_my_tickets(null, '2', '22') -> 'tickets') as t),
    array['Ticket 3', 'Ticket 2'],
    'offset skips the newest tickets'
);
select is(
    (public.list_my_tickets(null, '100', '30') ->> 'total')::int,
    25,
    'total is all matching tickets, even past the last page'
);
select is(
    json_array_length(public.list_my_tickets(null, '100', '30') -> 'tickets'),
    0,
    'a page past the end is empty'
);
select is(
    (select array_agg(distinct t ->> 'status') from json_array_elements(public.list_my_tickets('resolved') -> 'tickets') as t),
    array['resolved'],
    'status filters the list'
);
select is((public.list_my_tickets('resolved') ->> 'total')::int, 5, 'total counts the filtered tickets');
select is(public.list_my_tickets('closed')::jsonb, '{"tickets": [], "total": 0}'::jsonb, 'no match is an empty list, not an error');
select is(json_array_length(public.list_my_tickets(null, '100') -> 'tickets'), 25, 'limit 100 is allowed');
select is(json_array_length(public.list_my_tickets(null, '1', '0') -> 'tickets'), 1, 'limit 1 and offset 0 are allowed');

select throws_ok(
    format('select public.list_my_tickets(%L, %L, %L)', t.status, t.lim, t.off),
    t.errcode, t.message, format('list_my_tickets refuses status %s, limit %s, offset %s', t.status, t.lim, t.off)
)
from (values
    ('pending', null, null, '22023', 'status must be one of open, in_progress, resolved, closed'),
    (null, '0', null, 'PGRST', '{"code" : "integer_out_of_range", "message" : "limit must be an integer from 1 to 100", "details" : null, "hint" : null}'),
    (null, '101', null, 'PGRST', '{"code" : "integer_out_of_range", "message" : "limit must be an integer from 1 to 100", "details" : null, "hint" : null}'),
    (null, 'ten', null, 'PGRST', '{"code" : "integer_out_of_range", "message" : "limit must be an integer from 1 to 100", "details" : null, "hint" : null}'),
    (null, '2.5', null, 'PGRST', '{"code" : "integer_out_of_range", "message" : "limit must be an integer from 1 to 100", "details" : null, "hint" : null}'),
    (null, null, '-1', 'PGRST', '{"code" : "integer_too_small", "message" : "offset must be an integer of at least 0", "details" : null, "hint" : null}'),
    (null, null, 'x', 'PGRST', '{"code" : "integer_too_small", "message" : "offset must be an integer of at least 0", "details" : null, "hint" : null}')
) as t(status, lim, off, errcode, message);

-- get_ticket
select is(
    array(select json_object_keys(public.get_ticket('40000000-0000-4000-8000-000000000005'))),
    array['ticket_id', 'ticket_type', 'subject', 'description', 'status', 'priority', 'admin_notes',
          'resolution', 'created_at', 'updated_at', 'resolved_at', 'steps_to_reproduce',
          'expected_behavior', 'actual_behavior', 'device_info', 'app_version', 'screenshot_urls',
          'follow_up_of', 'messages', 'events', 'attachments', 'fields'],
    'get_ticket answers the contract''s detail fields, then the bug details, then the thread, history, files and custom fields'
);
select is(
    public.get_ticket('40000000-0000-4000-8000-000000000005')::jsonb - 'description' - 'subject' - 'ticket_id'
        - 'follow_up_of' - 'messages' - 'events' - 'attachments' - 'fields',
    '{"ticket_type": "billing", "status": "resolved", "priority": "medium",
      "admin_notes": "Checked the payment provider", "resolution": "Refund of $15 processed.",
      "created_at": "2026-01-10T12:05:00Z", "resolved_at": "2026-01-10T16:00:00Z",
      "steps_to_reproduce": null, "expected_behavior": null, "actual_behavior": null,
      "device_info": null, "app_version": null, "screenshot_urls": null}'::jsonb
        || jsonb_build_object('updated_at', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
    'get_ticket shows support''s notes, resolution and times; bug details are null on other tickets'
);
select is(
    public.get_ticket('40000000-0000-4000-8000-000000000005') ->> 'ticket_id',
    '40000000-0000-4000-8000-000000000005',
    'get_ticket answers the ticket asked for'
);
select is(
    (select (t ->> 'subject', t ->> 'status', t ->> 'created_at', t ->> 'updated_at')::text
     from json_array_elements(public.list_my_tickets(null, '100') -> 'tickets') as t
     where t ->> 'ticket_id' = '40000000-0000-4000-8000-000000000004'),
    (select (d ->> 'subject', d ->> 'status', d ->> 'created_at', d ->> 'updated_at')::text
     from public.get_ticket('40000000-0000-4000-8000-000000000004') as d),
    'the list and the detail agree on a ticket'
);

create temporary table not_found on commit drop as
select which, tests.error_of(format('select public.get_ticket(%L)', id)) as error
from (values
    ('missing', '40000000-0000-4000-8000-000000000000'),
    ('another user''s', '40000000-0000-4000-8000-999999999999')
) as t(which, id);
select is(
    error,
    jsonb_build_object(
        'code', 'PGRST',
        'message', '{"code" : "P0002", "message" : "Ticket not found", "details" : null, "hint" : null}',
        'detail', '{"status" : 404, "headers" : {}}',
        'constraint', null
    ),
    format('a %s ticket is a 404 "Ticket not found" (code P0002)', which)
)
from not_found;
select is(
    (select count(distinct error)::int from not_found),
    1,
    'a missing ticket and another user''s ticket are refused identically'
);
select throws_ok(
    format('select public.get_ticket(%L)', id), 'PGRST', '{"code" : "invalid_uuid", "message" : "ticket_id must be a UUID", "details" : null, "hint" : null}',
    format('get_ticket refuses the id %L', id)
)
from unnest(array['42', 'not-a-uuid', '40000000-0000-4000-8000-00000000000g', '']) as id;

select tests.clear_authentication();
select throws_ok('select public.list_my_tickets()', '42501', null, 'anon cannot list tickets');
select throws_ok($$select public.get_ticket('40000000-0000-4000-8000-000000000005')$$, '42501', null,
    'anon cannot read a ticket');

reset role;
select * from finish();
rollback;
