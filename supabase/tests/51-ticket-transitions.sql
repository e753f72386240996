-- The lifecycle as data: every move of every actor kind, on every path.
begin;
select plan(59);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
select tests.create_supabase_user('other');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Smith'),
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

-- One attempt: a fresh ticket in status `from_status`, moved to `to_status` by an actor of
-- `kind` (user: the owner's JWT; agent: the agent's; system: no JWT and the scheduler's
-- setting). Null when allowed, else the error. The trigger decides on the request's identity,
-- so the attempt runs as postgres with the claims of the actor.
create function pg_temp.try_move(from_status text, to_status text, kind text)
    returns jsonb
    language plpgsql
as $$
declare
    ticket uuid;
    outcome jsonb;
begin
    insert into public.support_tickets (user_id, ticket_type, subject, description, status, resolution, resolved_at)
    values (tests.get_supabase_uid('owner'), 'billing', 'Moves', 'Moves', from_status, 'Refunded',
            case when from_status in ('resolved', 'closed') then now() end)
    returning id into ticket;
    perform set_config('request.jwt.claims', case kind
        when 'user' then json_build_object('sub', tests.get_supabase_uid('owner'), 'role', 'authenticated')::text
        when 'agent' then json_build_object('sub', tests.get_supabase_uid('agent'), 'role', 'authenticated')::text
        else '' end, true);
    perform set_config('support.actor_kind', case kind when 'system' then 'system' else '' end, true);
    outcome := tests.error_of(format('update public.support_tickets set status = %L where id = %L', to_status, ticket));
    perform set_config('request.jwt.claims', '', true);
    perform set_config('support.actor_kind', '', true);
    return outcome;
end;
$$;

-- The rows.
select results_eq(
    $$select from_status || '>' || to_status || ':' || actor_kind from public.ticket_transitions
      order by actor_kind, from_status, to_status$$,
    array[
        'in_progress>open:agent', 'in_progress>resolved:agent', 'open>in_progress:agent',
        'open>resolved:agent', 'resolved>closed:agent', 'resolved>in_progress:agent',
        'resolved>open:agent', 'resolved>closed:system', 'in_progress>closed:user',
        'open>closed:user', 'resolved>closed:user', 'resolved>open:user'
    ],
    'the lifecycle: agents work, resolve, reopen and close resolved tickets; users close theirs and reopen a resolved one; the system closes resolved ones'
);

-- Every pair of different statuses, for each kind of actor: allowed exactly when a row says so;
-- refused with 409 naming both statuses otherwise.
select is(
    pg_temp.try_move(f, t, k) is null,
    exists (select 1 from public.ticket_transitions as r where r.from_status = f and r.to_status = t and r.actor_kind = k),
    format('%s → %s by %s is %s', f, t, k, case when exists (
        select 1 from public.ticket_transitions as r where r.from_status = f and r.to_status = t and r.actor_kind = k
    ) then 'allowed' else 'refused' end)
)
from unnest(array['open', 'in_progress', 'resolved', 'closed']) as f
cross join unnest(array['open', 'in_progress', 'resolved', 'closed']) as t
cross join unnest(array['user', 'agent', 'system']) as k
where f <> t;

select is(
    (select count(*)::int
     from unnest(array['open', 'in_progress', 'resolved', 'closed']) as f
     cross join unnest(array['open', 'in_progress', 'resolved', 'closed']) as t
     cross join unnest(array['user', 'agent', 'system']) as k
     cross join lateral pg_temp.try_move(f, t, k) as e
     where f <> t and e is not null
        and not (e ->> 'code' = 'PGRST'
                 and (e ->> 'message')::json ->> 'message' = format('A ticket cannot move from %s to %s', f, t)
                 and (e ->> 'detail')::json ->> 'status' = '409')),
    0,
    'every refused move is a 409 whose message names both statuses'
);

-- A resolution is required to resolve.
insert into public.support_tickets (id, user_id, ticket_type, subject, description)
values ('51000000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'other', 'No resolution', 'd');
select is(
    (tests.error_of($$update public.support_tickets set status = 'resolved' where id = '51000000-0000-4000-8000-000000000001'$$)
        ->> 'message')::json ->> 'message',
    'resolution is required to move a ticket from open to resolved',
    'postgres cannot resolve a ticket without a resolution'
);
select is(
    (tests.error_of($$update public.support_tickets set status = 'resolved', resolution = '  ' where id = '51000000-0000-4000-8000-000000000001'$$)
        ->> 'detail')::json ->> 'status',
    '400',
    'a blank resolution is no resolution (400)'
);

-- service_role and postgres (Studio) move as agents: legal moves pass, illegal ones do not.
select tests.authenticate_as_service_role();
select lives_ok(
    $$update public.support_tickets set status = 'in_progress' where id = '51000000-0000-4000-8000-000000000001'$$,
    'service_role starts work on a ticket'
);
select lives_ok(
    $$update public.support_tickets set status = 'resolved', resolution = 'Done' where id = '51000000-0000-4000-8000-000000000001'$$,
    'service_role resolves it with a resolution'
);
select lives_ok(
    $$update public.support_tickets set status = 'closed' where id = '51000000-0000-4000-8000-000000000001'$$,
    'service_role closes the resolved ticket'
);
select throws_ok(
    $$update public.support_tickets set status = 'open' where id = '51000000-0000-4000-8000-000000000001'$$,
    'PGRST', '{"code" : "ticket_move_from_closed", "message" : "A ticket cannot move from closed to open", "details" : null, "hint" : "A closed ticket is final: open a follow-up ticket (follow_up_of)."}',
    'service_role cannot reopen a closed ticket'
);
reset role;
select is(
    (tests.error_of($$update public.support_tickets set status = 'in_progress' where id = '51000000-0000-4000-8000-000000000001'$$)
        ->> 'message')::json ->> 'message',
    'A ticket cannot move from closed to in_progress',
    'postgres (an admin in Studio) cannot reopen a closed ticket either'
);
select is(
    tests.error_of($$update public.support_tickets set status = 'bogus' where id = '51000000-0000-4000-8000-000000000001'$$)
        ->> 'constraint',
    'support_tickets_status_valid',
    'an unknown status is left to the status constraint, whose message names no value'
);

-- The user's reopen window: 14 days after the resolution.
insert into public.support_tickets (id, user_id, ticket_type, subject, description, status, resolution, resolved_at)
values ('51000000-0000-4000-8000-000000000002', tests.get_supabase_uid('owner'), 'other', 'Old', 'd',
        'resolved', 'Done', now() - interval '15 days');
select set_config('request.jwt.claims', json_build_object('sub', tests.get_supabase_uid('owner'))::text, true);
select is(
    (tests.error_of($$update public.support_tickets set status = 'open' where id = '51000000-0000-4000-8000-000000000002'$$)
        ->> 'message')::json ->> 'hint',
    'Only within 14 days of its resolution.',
    'a user cannot reopen a ticket resolved more than 14 days ago'
);
select set_config('request.jwt.claims', '', true);

-- The table: who reads and who changes the rules.
select tests.authenticate_as('owner');
select is((select count(*)::int from public.ticket_transitions), 12, 'a user reads the lifecycle');
select throws_ok(
    $$insert into public.ticket_transitions (from_status, to_status, actor_kind) values ('closed', 'open', 'user')$$,
    '42501', null, 'a user cannot add a transition'
);
select is_empty(
    $$update public.ticket_transitions set only_within = '100 days' where actor_kind = 'user' returning 1$$,
    'a user''s update of a transition changes nothing'
);
select is_empty(
    $$delete from public.ticket_transitions returning 1$$,
    'a user cannot remove transitions'
);
select tests.authenticate_as('agent');
select throws_ok(
    $$insert into public.ticket_transitions (from_status, to_status, actor_kind) values ('closed', 'open', 'agent')$$,
    '42501', null, 'an agent cannot add a transition'
);
select is_empty(
    $$delete from public.ticket_transitions returning 1$$,
    'an agent cannot remove transitions'
);
select tests.authenticate_as('admin');
select lives_ok(
    $$insert into public.ticket_transitions (from_status, to_status, actor_kind) values ('open', 'closed', 'agent')$$,
    'an admin adds a transition (agents may close open tickets)'
);
select isnt_empty(
    $$update public.ticket_transitions set only_within = '30 days'
      where from_status = 'resolved' and to_status = 'open' and actor_kind = 'user' returning 1$$,
    'an admin widens the reopen window'
);
select isnt_empty(
    $$delete from public.ticket_transitions where from_status = 'open' and to_status = 'closed' and actor_kind = 'agent' returning 1$$,
    'an admin removes a transition'
);
select is(
    tests.error_of($$insert into public.ticket_transitions (from_status, to_status, actor_kind) values ('open', 'open', 'agent')$$)
        ->> 'constraint',
    'ticket_transitions_to_status_differs',
    'a transition goes somewhere'
);
select tests.clear_authentication();
select throws_ok('select * from public.ticket_transitions', '42501', null, 'anon cannot read the lifecycle');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.ticket_transitions), 12, 'service_role reads the lifecycle');

select * from finish();
rollback;
