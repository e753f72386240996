-- Bulk actions from each actor's side: staff apply a change or a macro to many tickets, each
-- ticket as by hand (its history, its 409, the lifecycle) and alone (a refused ticket keeps
-- nothing); more than 50 tickets become a job; users, anon and service_role cannot bulk.
begin;
select plan(26);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('stranger');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('agent2');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Sam Agent'),
    (tests.get_supabase_uid('agent2'), 'agent', 'Other Agent'),
    (tests.get_supabase_uid('admin'), 'admin', 'Alex Admin');
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution) values
    ('23f00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Bulkword one', 'a', 'open', null),
    ('23f00000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'billing', 'Bulkword two', 'b', 'open', null),
    ('23f00000-0000-4000-8000-000000000003', tests.get_supabase_uid('owner'), 'billing', 'Bulkword three', 'c', 'resolved', 'Done');
insert into public.support_tickets (user_id, ticket_type, subject, description, status, resolution)
select tests.get_supabase_uid('owner'), 'billing', 'Jobword ' || g, 'd', 'resolved', 'Done' from generate_series(1, 60) as g;
delete from public.macros;

create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;

-- agent: a small selection, applied now
select tests.authenticate_as('agent');
select is(
    public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-000000000001", "23f00000-0000-4000-8000-000000000002",
        "23f00000-0000-4000-8000-000000000003"], "changes": {"priority": "high", "add_tags": ["dup"]}}')::jsonb - 'refused',
    '{"job_id": null, "status": "done", "total": 3, "changed": 3}'::jsonb,
    'an agent changes three tickets at once and is told all three changed'
);
reset role;
select is(
    (select count(*)::integer from public.ticket_events
     where ticket_id::text like '23f00000-%' and kind = 'priority' and actor_id = tests.get_supabase_uid('agent')),
    3,
    'each ticket has its own history event, with the agent as the actor'
);
select is(
    (select count(*)::integer from public.ticket_tags where ticket_id::text like '23f00000-%' and tag = 'dup'),
    3,
    'the tags are added as support_tag_ticket adds them'
);

select tests.authenticate_as('agent');
select is(
    public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-000000000001", "23f00000-0000-4000-8000-000000000003"],
        "changes": {"status": "closed", "priority": "low"}}')::jsonb #>> '{refused,0,code}',
    'ticket_move_refused',
    'a ticket the agent could not close by hand is refused, with the lifecycle''s reason'
);
reset role;
select is(
    (select priority from public.support_tickets where id = '23f00000-0000-4000-8000-000000000001'),
    'high',
    'the refused ticket keeps nothing of the change (its priority too is unchanged)'
);
select is(
    (select status || '/' || priority from public.support_tickets where id = '23f00000-0000-4000-8000-000000000003'),
    'closed/low',
    'the other ticket of the same bulk action is changed'
);

select tests.authenticate_as('agent');
select is(
    public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-000000000002"], "changes": {"priority": "low"},
        "expected_updated_at": {"23f00000-0000-4000-8000-000000000002": "2001-01-01T00:00:00Z"}}')::jsonb #>> '{refused,0,code}',
    'ticket_changed',
    'a stale expected_updated_at refuses that ticket (409 ticket_changed)'
);
select is(
    public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-0000000000ff"], "changes": {"priority": "low"}}')::jsonb #>> '{refused,0,code}',
    'P0002',
    'a ticket that does not exist is refused as not found'
);
select is(
    public.support_bulk_update('{"filters": {"q": "bulkword", "status": "open"}, "changes": {"assignee_id": "me"}}')::jsonb ->> 'changed',
    '2',
    'a selection given as the queue''s filters changes the tickets the queue lists'
);
insert into public.saved_views (id, name, conditions) values
    ('23f0000b-0000-4000-8000-000000000001', 'Bulkword open',
     '{"match": "all", "conditions": [{"field": "text", "op": "matches", "value": "bulkword"},
       {"field": "status", "op": "is", "value": "open"}]}');
select is(
    public.support_bulk_update('{"filters": {"view": "23f0000b-0000-4000-8000-000000000001"}, "changes": {"add_tags": ["viewed"]}}')::jsonb ->> 'changed',
    '2',
    'a selection given as a saved view changes the tickets the view lists'
);
select tests.authenticate_as('agent2');
select is(
    pg_temp.refusal($$select public.support_bulk_update('{"filters": {"view": "23f0000b-0000-4000-8000-000000000001"}, "changes": {"add_tags": ["viewed"]}}')$$),
    'view_not_found',
    'another agent''s personal view is not a selection they can use'
);
select tests.authenticate_as('agent');
select is(
    pg_temp.refusal($$select public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-000000000001"], "changes": {"status": "archived"}}')$$),
    'bulk_change_invalid',
    'a change no manual change could make is a 400 before any ticket'
);
select is(
    pg_temp.refusal($$select public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-000000000001"], "changes": {"subject": "x"}}')$$),
    'bulk_change_unknown',
    'a field bulk changes cannot change is a 400'
);
select is(
    pg_temp.refusal($$select public.support_bulk_update('{"ticket_ids": [], "filters": {}, "changes": {"priority": "low"}}')$$),
    'bulk_selection_required',
    'ticket_ids and filters together are a 400'
);
select is(
    pg_temp.refusal($$select public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-000000000001"]}')$$),
    'bulk_action_required',
    'a bulk action without changes or a macro is a 400'
);

-- a macro the agent cannot use is refused as not found
select tests.authenticate_as('agent2');
insert into public.macros (id, name, body) values ('23f0000a-0000-4000-8000-000000000001', 'Mine', 'Hello');
select tests.authenticate_as('agent');
select is(
    pg_temp.refusal($$select public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-000000000001"], "macro_id": "23f0000a-0000-4000-8000-000000000001"}')$$),
    'macro_not_found',
    'another agent''s personal macro cannot be applied in bulk'
);

-- more than 50 tickets: a job
select is(
    public.support_bulk_update('{"filters": {"q": "jobword"}, "changes": {"status": "closed"}}')::jsonb ->> 'status',
    'queued',
    'more than 50 tickets become a queued job'
);
reset role;
create temporary table job as
    select j.id, (select i.ticket_id from private.bulk_job_items as i where i.job_id = j.id limit 1) as ticket_id
    from private.bulk_jobs as j where j.requested_by = tests.get_supabase_uid('agent');
grant select on job to authenticated;
select is(
    (select count(*)::integer from pgmq.q_bulk_actions where message ->> 'job_id' = (select id::text from job)),
    1,
    'the job''s 60 tickets are one chunk in the bulk_actions queue'
);
select is(
    (select count(*)::integer from public.support_tickets where subject like 'Jobword%' and status = 'closed'),
    0,
    'nothing of a job is applied in the request'
);
select tests.authenticate_as('agent');
select is(
    (select public.support_bulk_job((select id::text from job))::jsonb - 'refused' - 'job_id' - 'created_at' - 'action'),
    '{"status": "queued", "total": 60, "changed": 0, "pending": 60, "refused_count": 0, "finished_at": null}'::jsonb,
    'the agent reads the job''s progress'
);
select tests.authenticate_as('agent2');
select is(
    pg_temp.refusal($$select public.support_bulk_job((select id::text from job))$$),
    'bulk_job_not_found',
    'another agent cannot read the job'
);
select is(
    private.bulk_run_item((select id from job), (select ticket_id from job)),
    'skipped',
    'another agent cannot run a ticket of the job'
);
select tests.authenticate_as('admin');
select is(
    (select public.support_bulk_job((select id::text from job))::jsonb ->> 'total'),
    '60',
    'an admin reads any job'
);

-- owner, another user, anon, service_role
select tests.authenticate_as('owner');
select is(
    pg_temp.refusal($$select public.support_bulk_update('{"ticket_ids": ["23f00000-0000-4000-8000-000000000001"], "changes": {"priority": "low"}}')$$),
    '42501',
    'the ticket''s owner cannot change tickets in bulk'
);
select tests.authenticate_as('stranger');
select is(
    pg_temp.refusal($$select public.support_bulk_job((select id::text from job))$$),
    '42501',
    'another user cannot read a bulk job'
);
select tests.clear_authentication();
select throws_ok($$select public.support_bulk_update('{"ticket_ids": [], "changes": {"priority": "low"}}')$$,
    '42501', null, 'anon cannot call support_bulk_update');

select * from finish();
rollback;
