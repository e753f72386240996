-- Triggers: a bug report's subject, updated_at, resolved_at and reviewed_at.
begin;
select plan(19);

select tests.create_supabase_user('owner');

-- Subject of a bug report, derived from its description on every insert path.
create temporary table subjects (description text, expected text) on commit drop;
insert into subjects values
    ('The calendar shows wrong dates', 'The calendar shows wrong dates'),
    (e'\n  \t\n   The   calendar\tshows\r\nwrong dates', 'The calendar shows'),
    (e'first line\r second line', 'first line'),
    (repeat('word ', 100), left(repeat('word ', 100), 254) || '…');

insert into public.support_tickets (user_id, ticket_type, description)
select tests.get_supabase_uid('owner'), 'bug', s.description from subjects as s;

select is(
    (select t.subject from public.support_tickets t where t.description = s.description),
    s.expected,
    format('a bug report described as %s gets the subject %s',
        to_json(left(s.description, 40)), to_json(left(s.expected, 40)))
)
from subjects as s;

select is(
    (select char_length(t.subject) from public.support_tickets t where t.description = repeat('word ', 100)),
    255,
    'a derived subject is never longer than 255 characters, ellipsis included'
);

insert into public.support_tickets (user_id, ticket_type, subject, description)
values (tests.get_supabase_uid('owner'), 'bug', 'My own subject', 'explicit-subject test');
select is(
    (select subject from public.support_tickets where description = 'explicit-subject test'),
    'My own subject',
    'a bug report that has a subject keeps it'
);

select is(
    tests.error_of(tests.insert_row('public.support_tickets', jsonb_build_object(
        'user_id', tests.get_supabase_uid('owner'), 'ticket_type', 'bug', 'description', e' \n\t ')))
        ->> 'constraint',
    'support_tickets_description_not_blank',
    'a bug report with a blank description is refused for its description, not its subject'
);
select is(
    tests.error_of(tests.insert_row('public.support_tickets', jsonb_build_object(
        'user_id', tests.get_supabase_uid('owner'), 'ticket_type', 'bug')))
        ->> 'message',
    'null value in column "description" of relation "support_tickets" violates not-null constraint',
    'a bug report without a description is refused for its description, not its subject'
);
select is(
    tests.error_of(tests.insert_row('public.support_tickets', jsonb_build_object(
        'user_id', tests.get_supabase_uid('owner'), 'ticket_type', 'billing', 'description', 'no subject')))
        ->> 'message',
    'null value in column "subject" of relation "support_tickets" violates not-null constraint',
    'only bug reports get a derived subject; other tickets need one'
);

-- updated_at and resolved_at, as support changes a ticket.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, created_at, updated_at)
values ('10000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing',
        'Charged twice', 'Twice on January 5th', '2026-01-10 12:00:00+00', '2026-01-10 12:00:00+00');

select tests.authenticate_as_service_role();

update public.support_tickets set status = 'in_progress' where id = '10000000-0000-4000-8000-000000000001';
select is(
    (select updated_at from public.support_tickets where id = '10000000-0000-4000-8000-000000000001'),
    now(),
    'an update by support sets updated_at to the time of the change'
);
select is(
    (select resolved_at from public.support_tickets where id = '10000000-0000-4000-8000-000000000001'),
    null,
    'a ticket in progress has no resolved_at'
);

update public.support_tickets set status = 'resolved', resolution = 'Refunded'
where id = '10000000-0000-4000-8000-000000000001';
select is(
    (select resolved_at from public.support_tickets where id = '10000000-0000-4000-8000-000000000001'),
    now(),
    'resolving a ticket sets resolved_at'
);

update public.support_tickets set resolved_at = '2026-01-10 16:00:00+00', admin_notes = 'noted'
where id = '10000000-0000-4000-8000-000000000001';
select is(
    (select resolved_at from public.support_tickets where id = '10000000-0000-4000-8000-000000000001'),
    '2026-01-10 16:00:00+00'::timestamptz,
    'support can correct resolved_at; other edits of a resolved ticket leave it alone'
);

update public.support_tickets set status = 'closed' where id = '10000000-0000-4000-8000-000000000001';
select is(
    (select resolved_at from public.support_tickets where id = '10000000-0000-4000-8000-000000000001'),
    '2026-01-10 16:00:00+00'::timestamptz,
    'closing a resolved ticket keeps when it was resolved'
);

-- Closed is final (public.ticket_transitions); reopening is a move from resolved.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution)
values ('10000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing',
        'Reopened', 'Again', 'resolved', 'Refunded');
update public.support_tickets set status = 'open' where id = '10000000-0000-4000-8000-000000000002';
select is(
    (select resolved_at from public.support_tickets where id = '10000000-0000-4000-8000-000000000002'),
    null,
    'reopening a ticket clears resolved_at'
);

reset role;
insert into public.support_tickets (user_id, ticket_type, subject, description, status)
values (tests.get_supabase_uid('owner'), 'account', 'Locked out', 'inserted-resolved test', 'resolved');
select is(
    (select resolved_at from public.support_tickets where description = 'inserted-resolved test'),
    now(),
    'a ticket inserted as resolved gets a resolved_at'
);

-- reviewed_at on feedback.
insert into public.user_feedback (id, user_id, category, description)
values ('20000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'feature_request', 'Fitness goals');
select is(
    (select reviewed_at from public.user_feedback where id = '20000000-0000-4000-8000-000000000001'),
    null,
    'new feedback has not been reviewed'
);

select tests.authenticate_as_service_role();
update public.user_feedback set status = 'under_review' where id = '20000000-0000-4000-8000-000000000001';
select is(
    (select reviewed_at from public.user_feedback where id = '20000000-0000-4000-8000-000000000001'),
    now(),
    'the first status change away from received sets reviewed_at'
);
update public.user_feedback set reviewed_at = '2026-01-11 09:00:00+00' where id = '20000000-0000-4000-8000-000000000001';
update public.user_feedback set status = 'planned', admin_response = 'On the roadmap'
where id = '20000000-0000-4000-8000-000000000001';
select is(
    (select reviewed_at from public.user_feedback where id = '20000000-0000-4000-8000-000000000001'),
    '2026-01-11 09:00:00+00'::timestamptz,
    'later status changes keep the first review time'
);

reset role;
select * from finish();
rollback;
