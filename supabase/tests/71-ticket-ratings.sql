-- Satisfaction: rate_ticket and ticket_ratings from each actor's side; once, only resolved or
-- closed, never merged into another, within the window, owner only; the rating event; the
-- window as data.
begin;
select plan(43);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- 1 resolved today, 2 open, 3 resolved 20 days ago, 4 closed today, 5 another user's resolved,
-- 6 resolved today (for the input rules).
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, created_at, resolved_at)
values
    ('71000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'R', 'R', 'resolved', 'Done', now() - interval '1 day', now()),
    ('71000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'O', 'O', 'open', null, now(), null),
    ('71000000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'billing', 'L', 'L', 'resolved', 'Done', now() - interval '30 days', now() - interval '20 days'),
    ('71000000-0000-4000-8000-000000000004', tests.get_supabase_uid('owner'), 'billing', 'C', 'C', 'closed', 'Done', now() - interval '1 day', now()),
    ('71000000-0000-4000-8000-000000000005', tests.get_supabase_uid('other'), 'billing', 'X', 'X', 'resolved', 'Done', now() - interval '1 day', now()),
    ('71000000-0000-4000-8000-000000000006', tests.get_supabase_uid('owner'), 'billing', 'V', 'V', 'resolved', 'Done', now() - interval '1 day', now());

-- The owner.
select tests.authenticate_as('owner');
select is(
    public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000001", "rating": 5, "comment": "Quick and kind"}')::jsonb - 'created_at',
    '{"ticket_id": "71000000-0000-4000-8000-000000000001", "subject": "R", "rating": 5, "comment": "Quick and kind"}'::jsonb,
    'the owner rates a resolved ticket and gets the rating back'
);
select is(
    (select to_value from public.ticket_events where ticket_id = '71000000-0000-4000-8000-000000000001' and kind = 'rating'),
    '5', 'the rating is an event in the ticket''s history, visible to the owner'
);
select is(
    (public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000004", "rating": 2}') ->> 'rating')::int, 2,
    'the owner rates a closed ticket, without a comment'
);
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000001", "rating": 1}')$$,
    'PGRST', '{"code" : "ticket_already_rated", "message" : "This ticket has already been rated", "details" : null, "hint" : null}',
    'a second rating is a 409');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000002", "rating": 4}')$$,
    'PGRST', '{"code" : "ticket_not_rateable", "message" : "Only a resolved or closed ticket can be rated", "details" : null, "hint" : "Rate it once support has resolved it."}',
    'rating an open ticket is a 409');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000003", "rating": 4}')$$,
    'PGRST', '{"code" : "rating_window_passed", "message" : "The time to rate this ticket has passed", "details" : null, "hint" : "A ticket can be rated within 14 days of its resolution."}',
    'a rating 20 days after the resolution is a 409');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000005", "rating": 4}')$$,
    'PGRST', '{"code" : "P0002", "message" : "Ticket not found", "details" : null, "hint" : null}',
    'another user''s ticket is a 404, as a missing one');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000009", "rating": 4}')$$,
    'PGRST', '{"code" : "P0002", "message" : "Ticket not found", "details" : null, "hint" : null}',
    'a ticket that does not exist is a 404');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000006", "rating": 6}')$$,
    '23514', 'rating must be an integer from 1 to 5', 'a rating of 6 is a 400 naming the rule');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000006", "rating": 2.5}')$$,
    '22023', 'rating must be an integer', 'a fractional rating is a 400');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000006"}')$$,
    '23502', 'rating is required', 'a rating is required');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000006", "rating": 3, "stars": 3}')$$,
    '22023', 'unknown field "stars"', 'an unknown field is named');
select throws_ok($$select public.rate_ticket(jsonb_build_object('ticket_id', '71000000-0000-4000-8000-000000000006', 'rating', 3, 'comment', repeat('x', 2001)))$$,
    '23514', 'comment must be at most 2000 characters', 'a long comment is a 400 naming the rule');
select throws_ok($$select public.rate_ticket('{"ticket_id": "nope", "rating": 3}')$$,
    'PGRST', '{"code" : "invalid_uuid", "message" : "ticket_id must be a UUID", "details" : null, "hint" : null}', 'ticket_id must be a UUID');
select results_eq('select ticket_id, rating from public.ticket_ratings order by rating',
    $$values ('71000000-0000-4000-8000-000000000004'::uuid, 2), ('71000000-0000-4000-8000-000000000001'::uuid, 5)$$,
    'the owner reads their own ratings');
-- The same rules on a direct insert through PostgREST.
select throws_ok($$insert into public.ticket_ratings (ticket_id, rating) values ('71000000-0000-4000-8000-000000000001', 1)$$,
    'PGRST', '{"code" : "ticket_already_rated", "message" : "This ticket has already been rated", "details" : null, "hint" : null}',
    'a direct second insert meets the same 409');
select throws_ok($$update public.ticket_ratings set rating = 1$$, '42501', null, 'the owner cannot change a rating');
select throws_ok($$delete from public.ticket_ratings$$, '42501', null, 'the owner cannot remove a rating');

-- Without ticket_id: the owner's most recently resolved or closed ticket (6, resolved last).
reset role;
update public.support_tickets set resolved_at = now() - interval '1 hour' where id in
    ('71000000-0000-4000-8000-000000000001', '71000000-0000-4000-8000-000000000004');
select tests.authenticate_as('owner');
select is(public.rate_ticket('{"rating": 4}') ->> 'ticket_id', '71000000-0000-4000-8000-000000000006',
    'without ticket_id the owner rates their latest resolved ticket');
select throws_ok($$select public.rate_ticket('{"rating": 4}')$$,
    'PGRST', '{"code" : "ticket_already_rated", "message" : "This ticket has already been rated", "details" : null, "hint" : null}',
    'rating the latest again is a 409, not a rating of an older ticket');

-- Another user.
select tests.authenticate_as('other');
select is_empty('select * from public.ticket_ratings', 'another user reads no one else''s ratings');
select throws_ok($$insert into public.ticket_ratings (ticket_id, rating) values ('71000000-0000-4000-8000-000000000002', 1)$$,
    '42501', null, 'another user cannot rate the owner''s ticket directly');
select is(public.rate_ticket('{"rating": 4}') ->> 'ticket_id', '71000000-0000-4000-8000-000000000005',
    'without ticket_id another user rates their own latest ticket, never the owner''s');

-- Staff.
select tests.authenticate_as('agent');
select throws_ok($$select public.rate_ticket('{"rating": 4}')$$,
    'PGRST', '{"code" : "no_ticket_to_rate", "message" : "You have no resolved ticket to rate", "details" : null, "hint" : null}',
    'someone with no resolved ticket gets a 404 saying so');
select is_empty($$select * from public.ticket_ratings where ticket_id::text like '71000000-%'$$,
    'an agent reads no rating directly: staff hold no read policy on ratings');
select is((public.support_ticket('71000000-0000-4000-8000-000000000001')::jsonb -> 'rating') - 'created_at',
    '{"rating": 5, "comment": "Quick and kind"}'::jsonb,
    'an agent reads a ticket''s rating through support_ticket');
select is(public.support_stats(now()::text, (now() + interval '1 second')::text)::jsonb -> 'csat',
    '{"count": 4, "average": 3.75}'::jsonb,
    'an agent reads the count and average of the ratings through support_stats');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000005", "rating": 1}')$$,
    'PGRST', '{"code" : "P0002", "message" : "Ticket not found", "details" : null, "hint" : null}',
    'an agent cannot rate a user''s ticket');
select is_empty($$update public.satisfaction_settings set rating_window = interval '1 day' returning 1$$,
    'an agent cannot change the rating window');
select tests.authenticate_as('admin');
select is_empty('select * from public.ticket_ratings', 'an admin reads no rating directly either');
select is((public.support_ticket('71000000-0000-4000-8000-000000000005')::jsonb -> 'rating' ->> 'rating')::int, 4,
    'an admin reads another user''s rating through support_ticket');
select isnt_empty($$update public.satisfaction_settings set rating_window = interval '30 days' returning 1$$,
    'an admin changes the rating window');
select tests.authenticate_as('owner');
select is((public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000003", "rating": 3}') ->> 'rating')::int, 3,
    'with a 30-day window the ticket resolved 20 days ago can be rated');

-- anon and service_role.
select tests.clear_authentication();
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000001", "rating": 5}')$$,
    '42501', null, 'anon cannot rate');
select throws_ok('select * from public.ticket_ratings', '42501', null, 'anon reads no ratings');
select tests.authenticate_as_service_role();
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000002", "rating": 5}')$$,
    '42501', null, 'service_role does not rate in a user''s name');
select is((select count(*)::int from public.ticket_ratings where ticket_id::text like '71000000-%'), 5, 'service_role reads every rating');
select throws_ok($$insert into public.ticket_ratings (ticket_id, user_id, rating) values ('71000000-0000-4000-8000-000000000005', tests.get_supabase_uid('other'), 5)$$,
    '42501', null, 'service_role cannot write a rating');

-- A ticket merged into another is not rated; a problem's linked report is, once. Both resolved
-- now, as 6 was: among equals the latest id comes first, so the merged one (a) is passed over.
reset role;
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, created_at, resolved_at, merged_into, problem_id)
values
    ('71000000-0000-4000-8000-00000000000a', tests.get_supabase_uid('owner'), 'billing', 'M', 'M', 'closed', 'Merged', now() - interval '1 day', now(), '71000000-0000-4000-8000-000000000001', null),
    ('71000000-0000-4000-8000-000000000008', tests.get_supabase_uid('owner'), 'bug', 'P', 'P', 'resolved', 'Fixed', now() - interval '1 day', now(), null, '71000000-0000-4000-8000-000000000005');
select tests.authenticate_as('owner');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-00000000000a", "rating": 1}')$$,
    'PGRST', '{"code" : "rating_merged_ticket", "message" : "A ticket merged into another cannot be rated", "details" : null, "hint" : "Rate the ticket it was merged into."}',
    'the owner cannot rate a ticket merged into another (409 naming the rule)');
select throws_ok($$insert into public.ticket_ratings (ticket_id, rating) values ('71000000-0000-4000-8000-00000000000a', 1)$$,
    'PGRST', '{"code" : "rating_merged_ticket", "message" : "A ticket merged into another cannot be rated", "details" : null, "hint" : "Rate the ticket it was merged into."}',
    'a direct insert rating a merged ticket meets the same 409');
select is(public.rate_ticket('{"rating": 2}') ->> 'ticket_id', '71000000-0000-4000-8000-000000000008',
    'without ticket_id the owner rates their latest ticket not merged into another: here a problem''s linked report');
select throws_ok($$select public.rate_ticket('{"ticket_id": "71000000-0000-4000-8000-000000000008", "rating": 1}')$$,
    'PGRST', '{"code" : "ticket_already_rated", "message" : "This ticket has already been rated", "details" : null, "hint" : null}',
    'a linked report is rated once, like any ticket');
select is((select count(*)::int from public.ticket_ratings where ticket_id = '71000000-0000-4000-8000-00000000000a'), 0,
    'the merged ticket holds no rating');

select * from finish();
rollback;
