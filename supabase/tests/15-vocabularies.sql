-- The vocabularies: rows every layer reads, referenced by foreign keys whose messages are the
-- ones the CHECK constraints had; a value outside one is a 400, never the foreign key's 409
-- quoting it; and adding a ticket type or a priority is one row.
begin;
select plan(24);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
insert into public.support_staff (user_id, role, display_name)
values (tests.get_supabase_uid('agent'), 'agent', 'Agent Vocab');

-- The rows: the contract's words, in the contract's order.
select results_eq(
    'select code from public.ticket_types order by position',
    array['bug', 'technical', 'billing', 'account', 'other'],
    'the ticket types are the contract''s five, in its order'
);
select results_eq(
    'select code from public.ticket_priorities order by rank',
    array['urgent', 'high', 'medium', 'low'],
    'the priorities rank urgent first, low last'
);
select results_eq(
    'select code from public.ticket_statuses order by position',
    array['open', 'in_progress', 'resolved', 'closed'],
    'the ticket statuses are the contract''s four, in workflow order'
);
select results_eq(
    'select code from public.feedback_categories order by position',
    array['feature_request', 'improvement', 'complaint', 'praise', 'other'],
    'the feedback categories are the contract''s five, in its order'
);
select results_eq(
    'select code from public.ticket_event_kinds where internal order by position',
    array['assignee', 'internal_note', 'problem', 'tag_added', 'tag_removed', 'staff_field', 'rule_notice'],
    'assignee changes, internal notes, problem links, tags, staff-only fields and rule notices are the internal event kinds'
);

-- Who reads and writes them.
select tests.authenticate_as('owner');
select isnt_empty('select code, label from public.ticket_types', 'a signed-in user reads the labels');
select throws_ok(
    $$insert into public.ticket_types (code, label, position) values ('refund', 'Refund', 6)$$,
    '42501', null, 'a signed-in user cannot add a ticket type'
);
select tests.clear_authentication();
select throws_ok('select code from public.ticket_priorities', '42501', null,
    'an anonymous caller reads no vocabulary');

-- A value outside a vocabulary, on each path.
select tests.authenticate_as('owner');
select throws_ok(
    $$insert into public.support_tickets (ticket_type, subject, description) values ('refund', 's', 'd')$$,
    '23514', 'new row for relation "support_tickets" violates check constraint "support_tickets_ticket_type_valid"',
    'a direct insert of an unknown ticket type is the check violation it always was (PostgREST: 400)'
);
select throws_ok(
    $$insert into public.user_feedback (category, description) values ('wish', 'd')$$,
    '23514', 'new row for relation "user_feedback" violates check constraint "user_feedback_category_valid"',
    'a direct insert of an unknown feedback category is a check violation too'
);
select throws_ok(
    $$select public.create_support_ticket('{"ticket_type": "billing", "subject": "s", "description": "d", "priority": "asap"}')$$,
    '23514', 'priority must be one of low, medium, high, urgent',
    'the create RPC answers an unknown priority with the foreign key''s message, codes in position order'
);
select throws_ok(
    $$select public.list_my_tickets(status => 'pending')$$,
    '22023', 'status must be one of open, in_progress, resolved, closed',
    'a status filter outside the vocabulary is a 400 with the status key''s message'
);
reset role;
-- Without the trigger the foreign key would answer, and PostgREST makes 23503 a 409 that quotes
-- the value: the trigger is what keeps the 400.
alter table public.support_tickets disable trigger support_tickets_vocabulary;
select throws_ok(
    $$insert into public.support_tickets (user_id, ticket_type, subject, description)
      values (tests.get_supabase_uid('owner'), 'refund', 's', 'd')$$,
    '23503', null,
    'without private.check_vocabulary the foreign key itself refuses, as 23503'
);
alter table public.support_tickets enable trigger support_tickets_vocabulary;

-- Adding a ticket type and a priority: one row each.
insert into public.ticket_types (code, label, position) values ('refund', 'Refund', 6);
insert into public.ticket_priorities (code, label, position, rank) values ('critical', 'Critical', 5, -1);

select tests.authenticate_as('owner');
select is(
    public.create_support_ticket('{"ticket_type": "refund", "subject": "Refund", "description": "Please", "priority": "critical"}') ->> 'ticket_type',
    'refund',
    'once its row exists, the create RPC files a ticket of the new type'
);
select throws_ok(
    $$select public.create_support_ticket('{"ticket_type": "barter", "subject": "s", "description": "d"}')$$,
    '23514', 'ticket_type must be one of bug, technical, billing, account, other, refund',
    'the message of an unknown type lists the new type, from the rows'
);
reset role;
select is(
    (select priority_order from public.support_tickets where ticket_type = 'refund'),
    -1::smallint,
    'a ticket of the new priority takes its rank as its place in the queue'
);
insert into public.support_tickets (user_id, ticket_type, subject, description, priority, created_at)
values (tests.get_supabase_uid('owner'), 'billing', 'Urgent one', 'd', 'urgent', '2000-01-01');

select tests.authenticate_as('agent');
select is(
    (public.support_queue(ticket_type => 'refund') ->> 'total')::int,
    1,
    'the queue filters by the new type'
);
select is(
    (public.support_queue(priority => 'critical') ->> 'total')::int,
    1,
    'the queue filters by the new priority'
);
select is(
    public.support_queue(status => 'open', sort => 'priority') -> 'tickets' -> 0 ->> 'priority',
    'critical',
    'the queue''s priority order puts the new priority, ranked above urgent, first'
);
select is(
    (select array_agg(k order by n) from json_object_keys(
        public.support_stats() -> 'backlog' -> 'by_priority') with ordinality as x(k, n)),
    array['critical', 'urgent', 'high', 'medium', 'low'],
    'support_stats counts the backlog by priority in rank order, the new one first'
);
select is(
    (public.support_stats() -> 'backlog' -> 'by_priority' ->> 'critical')::int,
    1,
    'support_stats counts the tickets of the new priority'
);
reset role;
select is(
    private.field_codes('ticket_type'),
    array['bug', 'technical', 'billing', 'account', 'other', 'refund'],
    'triage''s allowed values follow the rows'
);
select is(
    private.vocabulary_message((select oid from pg_constraint where conname = 'support_tickets_priority_valid')),
    'priority must be one of low, medium, high, urgent, critical',
    'a foreign key''s message lists the vocabulary''s codes in position order'
);
select is(
    (select count(*)::int from public.ticket_events as e
     join public.ticket_event_kinds as k on k.code = e.kind
     where e.internal <> k.internal),
    0,
    'every event the history triggers wrote is internal exactly when its kind is'
);

select * from finish();
rollback;
