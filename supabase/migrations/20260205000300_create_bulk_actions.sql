-- Bulk actions: one change or one macro applied to many tickets, each ticket as by hand.
--
-- Why: closing fifty duplicates should not take fifty visits. support_bulk_update takes a
-- selection (ticket_ids, or the queue's filters: "the whole queue") and an action (changes:
-- status, priority, ticket_type, assignee_id, resolution, add_tags, remove_tags; or macro_id),
-- and applies it ticket by ticket through the paths an agent's manual work takes
-- (update_ticket_as_staff, tag_ticket_as_staff, apply_macro_as_staff): each ticket gets its own
-- history events, its own 409 on a stale expected_updated_at, the lifecycle's refusals. Each
-- ticket is applied in a subtransaction of its own, so a refused ticket keeps nothing of the
-- change and the others keep theirs; the answer reports how many changed and which were refused
-- and why ({ticket_id, code, message}, never a value).
-- Up to 50 tickets are applied at once, in the request. More (up to 10,000) become a job: rows
-- in private.bulk_jobs and private.bulk_job_items, and chunks of 100 ticket ids sent through
-- pgmq (queue bulk_actions) in the request's transaction. support-worker's bulk loop reads the
-- chunks and applies each ticket in its own transaction as the requesting agent (role
-- authenticated, request.jwt.claims of the agent: the same checks, the agent as the actor in
-- the history), so no lock is held across tickets and other agents work on while it runs.
-- support_bulk_job reports the progress. The selection is resolved to ids when the job is
-- created: tickets that match the filters later are not touched.

-- squawk: total and position count at most 10,000 tickets; nowhere near the int limit.
-- squawk-ignore-file prefer-bigint-over-int

insert into public.support_messages (topic, status, code, message, hint) values
    ('bulk_selection_required', 400, 'bulk_selection_required', 'Give ticket_ids or filters, not both',
        'ticket_ids: an array of ticket ids; filters: the arguments of support_queue (status, priority, ticket_type, assignee, q, breached, due_before).'),
    ('bulk_selection_too_large', 400, 'bulk_selection_too_large', 'A bulk action takes at most 10000 tickets',
        'Narrow the filters, or split the selection.'),
    ('bulk_action_required', 400, 'bulk_action_required', 'Give changes or macro_id, not both', null),
    ('bulk_change_unknown', 400, 'bulk_change_unknown',
        'changes may hold only status, priority, ticket_type, assignee_id, resolution, add_tags and remove_tags', null),
    ('bulk_change_invalid', 400, 'bulk_change_invalid', 'changes.{field} is not a value a manual change could set',
        '{hint}'),
    ('bulk_job_not_found', 404, 'bulk_job_not_found', 'Bulk job not found', 'Your own jobs are the ones you can read (admins read all).');

create table private.bulk_jobs (
    id uuid primary key default gen_random_uuid(),
    requested_by uuid not null references auth.users (id) on delete cascade,
    action jsonb not null,
    total integer not null,
    created_at timestamptz not null default now(),
    constraint bulk_jobs_action_object check (pg_catalog.jsonb_typeof(action) = 'object'),
    constraint bulk_jobs_total_range check (total between 1 and 10000)
);

comment on table private.bulk_jobs is
    'Bulk actions of more than 50 tickets (support_bulk_update): who asked, the action '
    '({changes} or {macro_id}) and how many tickets. Their tickets are private.bulk_job_items; '
    'support-worker applies them. Jobs older than 30 days are deleted when a new one is made.';
comment on constraint bulk_jobs_action_object on private.bulk_jobs is 'action must be a JSON object';
comment on constraint bulk_jobs_total_range on private.bulk_jobs is 'a job has from 1 to 10000 tickets';

create index bulk_jobs_requested_by_idx on private.bulk_jobs (requested_by);
create index bulk_jobs_created_at_idx on private.bulk_jobs (created_at);

create table private.bulk_job_items (
    job_id uuid not null references private.bulk_jobs (id) on delete cascade,
    ticket_id uuid not null,
    position integer not null,
    expected_updated_at timestamptz,
    outcome text not null default 'pending',
    code text,
    message text,
    done_at timestamptz,
    primary key (job_id, ticket_id),
    constraint bulk_job_items_outcome_valid check (outcome in ('pending', 'changed', 'refused')),
    constraint bulk_job_items_code_when_refused check ((outcome = 'refused') = (code is not null))
);

comment on table private.bulk_job_items is
    'One row per ticket of a bulk job: pending until support-worker applies it, then changed or '
    'refused (code and message of the refusal, never a value), in the ticket''s transaction.';
comment on constraint bulk_job_items_outcome_valid on private.bulk_job_items is
    'outcome must be pending, changed or refused';
comment on constraint bulk_job_items_code_when_refused on private.bulk_job_items is
    'a refused ticket has a code, and only a refused one';

create index bulk_job_items_job_id_outcome_idx on private.bulk_job_items (job_id, outcome);

alter table private.bulk_jobs enable row level security;
alter table private.bulk_job_items enable row level security;
revoke all on table private.bulk_jobs, private.bulk_job_items from public, anon, authenticated, service_role;

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('private.bulk_jobs', false, '{}', 'bulk actions run by support-worker (requested_by: a staff id)'),
    ('private.bulk_job_items', false, '{}', 'the tickets of each bulk job and what became of them');

select pgmq.create('bulk_actions')
where not exists (select 1 from pgmq.meta as m where m.queue_name = 'bulk_actions');

comment on table pgmq.q_bulk_actions is
    'Chunks of bulk jobs waiting for support-worker: {job_id, requested_by, tickets: [ids]}, at '
    'most 100 tickets each. A chunk is archived when each of its tickets is applied or refused.';
comment on table pgmq.a_bulk_actions is
    'Chunks of bulk jobs done; rows older than 7 days are deleted when a new job is made.';

-- The action's changes, checked once before any ticket: the fields a manual change sets, each
-- with a value a manual change could set. Invoker: it reads the lifecycle, the vocabularies,
-- the staff list and the tag list, which staff read.
create function private.check_bulk_changes(changes jsonb)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    change record;
    hint text;
begin
    if changes = '{}' or exists (
        select 1 from pg_catalog.jsonb_object_keys(changes) as k (key)
        where k.key not in ('status', 'priority', 'ticket_type', 'assignee_id', 'resolution', 'add_tags', 'remove_tags'))
    then
        perform private.refuse('bulk_change_unknown');
    end if;
    for change in select c.key, c.value from pg_catalog.jsonb_each(changes) as c loop
        hint := case
            when change.key in ('status', 'priority', 'ticket_type')
                and pg_catalog.jsonb_typeof(change.value) <> 'string'
                then 'A string.'
            when change.key = 'status' and not exists (
                select 1 from public.ticket_transitions as t
                where t.to_status = change.value #>> '{}' and t.actor_kind = 'agent')
                then 'A status staff can move a ticket to (public.ticket_transitions).'
            when change.key = 'priority' and not exists (
                select 1 from public.ticket_priorities as p where p.code = change.value #>> '{}')
                then 'A code of public.ticket_priorities.'
            when change.key = 'ticket_type' and not exists (
                select 1 from public.ticket_types as p where p.code = change.value #>> '{}')
                then 'A code of public.ticket_types.'
            when change.key = 'assignee_id' and pg_catalog.jsonb_typeof(change.value) <> 'null'
                and change.value #>> '{}' <> 'me' and not exists (
                select 1 from public.support_staff as s
                where s.user_id = case when private.is_uuid(change.value #>> '{}') then (change.value #>> '{}')::uuid end)
                then 'A staff member''s id, "me" or null (unassigned).'
            when change.key = 'resolution' and pg_catalog.jsonb_typeof(change.value) not in ('string', 'null')
                then 'A text, or null.'
            when change.key in ('add_tags', 'remove_tags') and (
                pg_catalog.jsonb_typeof(change.value) <> 'array'
                or pg_catalog.jsonb_path_exists(change.value, '$[*] ? (@.type() != "string" || !(@ like_regex "^[a-z0-9][a-z0-9_-]{0,39}$"))'))
                then 'An array of tags (lower-case letters, digits, - and _).'
        end;
        if hint is not null then
            perform private.refuse('bulk_change_invalid', pg_catalog.jsonb_build_object('field', change.key, 'hint', hint));
        end if;
        if change.key = 'add_tags' then
            perform private.requested_tags(change.value);
        end if;
    end loop;
end;
$$;

comment on function private.check_bulk_changes(jsonb) is
    'Refuses (400) bulk changes no manual change could make: an unknown field, a status staff '
    'cannot move to, a value outside its vocabulary, an assignee who is not staff, a malformed tag.';
revoke all on function private.check_bulk_changes(jsonb) from public;
grant execute on function private.check_bulk_changes(jsonb) to authenticated;

-- Security definer: staff hold no read policy on tickets (for the expected_updated_at check);
-- everything else goes through the staff paths, each of which checks the caller is staff. The
-- exception block makes the ticket's change a subtransaction: refused, nothing of it stays.
create function private.bulk_apply_one(target uuid, action jsonb, expected timestamptz)
    returns jsonb
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    fields jsonb;
    refusal jsonb;
    state text;
    failure text;
begin
    perform private.require_staff();
    if action ? 'macro_id' then
        perform private.apply_macro_as_staff(target, (action ->> 'macro_id')::uuid, expected);
        return null;
    end if;
    perform 1 from public.support_tickets as t where t.id = target for update;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    if expected is not null and (select t.updated_at from public.support_tickets as t where t.id = target) <> expected then
        perform private.refuse('ticket_changed');
    end if;
    fields := (action -> 'changes') - 'add_tags' - 'remove_tags';
    if fields ->> 'assignee_id' = 'me' then
        fields := fields || pg_catalog.jsonb_build_object('assignee_id', (select auth.uid()));
    end if;
    if fields <> '{}' then
        perform private.update_ticket_as_staff(target, fields, null);
    end if;
    if action -> 'changes' ? 'add_tags' or action -> 'changes' ? 'remove_tags' then
        perform private.tag_ticket_as_staff(target,
            coalesce(action -> 'changes' -> 'add_tags', '[]'), coalesce(action -> 'changes' -> 'remove_tags', '[]'));
    end if;
    return null;
exception
    when others then
        get stacked diagnostics state = returned_sqlstate, failure = message_text;
        if state = 'PGRST' then
            refusal := failure::jsonb;
            return pg_catalog.jsonb_build_object('ticket_id', target, 'code', refusal ->> 'code', 'message', refusal ->> 'message');
        end if;
        -- A rule's message (a constraint's comment, 22xxx and 23xxx) names the rule, never a value.
        return pg_catalog.jsonb_build_object('ticket_id', target, 'code', state, 'message',
            case when pg_catalog.left(state, 2) in ('22', '23') then failure else 'The change failed' end);
end;
$$;

comment on function private.bulk_apply_one(uuid, jsonb, timestamptz) is
    'Staff only: applies a bulk action ({changes} or {macro_id}) to one ticket as the caller would '
    'by hand, in a subtransaction; returns null when applied, else {ticket_id, code, message} of '
    'the refusal (nothing of the change stays). Security definer: it reads the ticket''s '
    'updated_at for the 409 check; the changes go through the staff paths.';
revoke all on function private.bulk_apply_one(uuid, jsonb, timestamptz) from public;
grant execute on function private.bulk_apply_one(uuid, jsonb, timestamptz) to authenticated;

-- Security definer: the job tables are private. Called by support-worker in each ticket's
-- transaction after it took the requesting agent's identity: it applies only a pending item of
-- a job of the caller, and records what became of it in the same transaction.
create function private.bulk_run_item(job uuid, target uuid)
    returns text
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    item private.bulk_job_items;
    job_action jsonb;
    refusal jsonb;
begin
    select i.* into item
    from private.bulk_job_items as i
    join private.bulk_jobs as j on j.id = i.job_id
    where i.job_id = job and i.ticket_id = target and j.requested_by = (select auth.uid())
    for update of i;
    if not found or item.outcome <> 'pending' then
        return 'skipped';
    end if;
    select j.action into job_action from private.bulk_jobs as j where j.id = job;
    refusal := private.bulk_apply_one(target, job_action, item.expected_updated_at);
    update private.bulk_job_items as i
    set outcome = case when refusal is null then 'changed' else 'refused' end,
        code = refusal ->> 'code',
        message = refusal ->> 'message',
        done_at = pg_catalog.clock_timestamp()
    where i.job_id = job and i.ticket_id = target;
    return case when refusal is null then 'changed' else 'refused' end;
end;
$$;

comment on function private.bulk_run_item(uuid, uuid) is
    'support-worker, as the requesting agent: applies one pending ticket of the caller''s own '
    'bulk job and records changed or refused with it; skipped for anything else (done already, '
    'another agent''s job). Security definer: the job tables are private.';
revoke all on function private.bulk_run_item(uuid, uuid) from public;
grant execute on function private.bulk_run_item(uuid, uuid) to authenticated;

-- Security definer: the job tables are private. support-worker calls it, as the requesting
-- agent, after a ticket's transaction failed with an error that is not a refusal (a statement
-- timeout, a deadlock): that ticket is recorded refused with the error's code, so the job ends.
create function private.bulk_fail_item(job uuid, target uuid, state text)
    returns void
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
begin
    update private.bulk_job_items as i
    set outcome = 'refused', code = pg_catalog.left(state, 5), message = 'The change failed',
        done_at = pg_catalog.clock_timestamp()
    where i.job_id = job and i.ticket_id = target and i.outcome = 'pending'
      and exists (select 1 from private.bulk_jobs as j where j.id = job and j.requested_by = (select auth.uid()));
end;
$$;

comment on function private.bulk_fail_item(uuid, uuid, text) is
    'support-worker, as the requesting agent: records a pending ticket of the caller''s own job '
    'as refused with an error''s sqlstate (its transaction failed without a refusal). Security '
    'definer: the job tables are private.';
revoke all on function private.bulk_fail_item(uuid, uuid, text) from public;
grant execute on function private.bulk_fail_item(uuid, uuid, text) to authenticated;

-- Security definer: the job tables and the queue are private. It records a job of the caller
-- (staff checked first) and queues its chunks in the request's transaction.
create function private.create_bulk_job(ids uuid[], action jsonb, expected jsonb)
    returns uuid
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    job uuid;
    chunk uuid[];
    start integer := 1;
begin
    perform private.require_staff();
    delete from private.bulk_jobs as j where j.created_at < now() - interval '30 days';
    delete from pgmq.a_bulk_actions as a where a.archived_at < now() - interval '7 days';
    insert into private.bulk_jobs (requested_by, action, total)
    values ((select auth.uid()), action, pg_catalog.cardinality(ids))
    returning id into job;
    insert into private.bulk_job_items (job_id, ticket_id, position, expected_updated_at)
    select job, i.id, i.n, (expected ->> i.id::text)::timestamptz
    from pg_catalog.unnest(ids) with ordinality as i (id, n);
    while start <= pg_catalog.cardinality(ids) loop
        chunk := ids[start:start + 99];
        perform pgmq.send('bulk_actions', pg_catalog.jsonb_build_object(
            'job_id', job, 'requested_by', (select auth.uid()), 'tickets', pg_catalog.to_jsonb(chunk)));
        start := start + 100;
    end loop;
    return job;
end;
$$;

comment on function private.create_bulk_job(uuid[], jsonb, jsonb) is
    'Staff only: records a bulk job of the caller (its tickets pending) and sends its chunks of '
    '100 tickets to the bulk_actions queue. Security definer: the job tables and the queue are private.';
revoke all on function private.create_bulk_job(uuid[], jsonb, jsonb) from public;
grant execute on function private.create_bulk_job(uuid[], jsonb, jsonb) to authenticated;

-- Security definer: the job tables are private. It shows a job to its requester and to admins.
create function private.bulk_job_report(job uuid)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    found_job private.bulk_jobs;
    counts record;
begin
    perform private.require_staff();
    select j.* into found_job from private.bulk_jobs as j
    where j.id = job and (j.requested_by = (select auth.uid()) or private.is_admin());
    if not found then
        perform private.refuse('bulk_job_not_found');
    end if;
    select pg_catalog.count(*) filter (where i.outcome = 'pending') as pending,
        pg_catalog.count(*) filter (where i.outcome = 'changed') as changed,
        pg_catalog.count(*) filter (where i.outcome = 'refused') as refused,
        pg_catalog.max(i.done_at) as last_done
    into counts
    from private.bulk_job_items as i where i.job_id = job;
    return pg_catalog.json_build_object(
        'job_id', found_job.id,
        'status', case when counts.pending = 0 then 'done'
            when counts.pending = found_job.total then 'queued' else 'running' end,
        'total', found_job.total,
        'changed', counts.changed,
        'pending', counts.pending,
        'refused_count', counts.refused,
        'refused', coalesce((
            select pg_catalog.json_agg(pg_catalog.json_build_object(
                'ticket_id', r.ticket_id, 'code', r.code, 'message', r.message) order by r.position)
            from (select i.ticket_id, i.code, i.message, i.position
                  from private.bulk_job_items as i
                  where i.job_id = job and i.outcome = 'refused'
                  order by i.position limit 1000) as r), '[]'::json),
        'action', found_job.action,
        'created_at', private.utc_text(found_job.created_at),
        'finished_at', case when counts.pending = 0 then private.utc_text(counts.last_done) end
    );
end;
$$;

comment on function private.bulk_job_report(uuid) is
    'Staff only: a bulk job''s progress (support_bulk_job), to its requester or an admin. '
    'Security definer: the job tables are private.';
revoke all on function private.bulk_job_report(uuid) from public;
grant execute on function private.bulk_job_report(uuid) to authenticated;

-- The queue's filters (a saved view among them) resolved to ticket ids, at most 10,000. The
-- filters are support_queue's,
-- checked by the same helpers with the same refusals, and written as its WHERE clause is
-- (private.support_queue, 20260111001100): keep the two in step when the queue gains a filter.
-- Not through the queue's pages: building each row's service levels and requester for 10,000
-- tickets takes longer than a request may (statement_timeout 2 s for authenticated); this is
-- one query over the same indexes. Security definer: staff hold no read policy on tickets; it
-- checks that the caller is staff first and returns ids only.
create function private.bulk_selection(filters jsonb)
    returns uuid[]
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    conditions text[] := array['true'];
    assignee text := filters ->> 'assignee';
    due_limit timestamptz;
    saved public.saved_views;
    ids uuid[];
begin
    perform private.require_staff();
    perform private.check_request_body(filters, '{"view": "string", "status": "string", "priority": "string",
        "ticket_type": "string", "assignee": "string", "q": "string", "breached": "string",
        "due_before": "string"}');
    -- A saved view's conditions, as support_queue applies them (20260204000200).
    if filters ->> 'view' is not null then
        saved := private.visible_view(private.uuid_param(filters ->> 'view', 'view'));
        conditions := conditions || private.view_filter_sql(saved.conditions, now());
        if saved.sort = 'due' then
            conditions := conditions || 't.sla_next_due_at is not null'::text;
        end if;
    end if;
    perform private.check_vocabulary_filter('support_tickets', 'status', filters ->> 'status');
    perform private.check_vocabulary_filter('support_tickets', 'priority', filters ->> 'priority');
    perform private.check_vocabulary_filter('support_tickets', 'ticket_type', filters ->> 'ticket_type');
    if filters ->> 'breached' is not null and filters ->> 'breached' not in ('true', 'false') then
        perform private.refuse('invalid_boolean', '{"name": "breached"}');
    end if;
    if filters ->> 'status' is not null then
        conditions := conditions || pg_catalog.format('t.status = %L', filters ->> 'status');
    end if;
    if filters ->> 'priority' is not null then
        conditions := conditions || pg_catalog.format('t.priority = %L', filters ->> 'priority');
    end if;
    if filters ->> 'ticket_type' is not null then
        conditions := conditions || pg_catalog.format('t.ticket_type = %L', filters ->> 'ticket_type');
    end if;
    if assignee = 'me' then
        conditions := conditions || pg_catalog.format('t.assignee_id = %L::uuid', (select auth.uid()));
    elsif assignee = 'unassigned' then
        conditions := conditions || 't.assignee_id is null'::text;
    elsif private.is_uuid(assignee) then
        conditions := conditions || pg_catalog.format('t.assignee_id = %L::uuid', assignee);
    elsif assignee is not null then
        perform private.refuse('queue_assignee_unknown');
    end if;
    if filters ->> 'breached' is not null then
        conditions := conditions || pg_catalog.format(
            'coalesce(t.sla_breached_at < %L::timestamptz, false) = %L::boolean', now(), filters ->> 'breached');
    end if;
    due_limit := private.time_param(filters ->> 'due_before', 'due_before');
    if due_limit is not null then
        conditions := conditions || pg_catalog.format('t.sla_next_due_at < %L::timestamptz', due_limit);
    end if;
    if filters ->> 'q' is not null and not private.is_blank(filters ->> 'q') then
        if pg_catalog.char_length(filters ->> 'q') > 200 then
            perform private.refuse('text_too_long', '{"name": "q", "max": 200}');
        end if;
        conditions := conditions || pg_catalog.format(
            'pg_catalog.to_tsvector(''simple''::regconfig, t.subject || '' '' || t.description) '
            '@@ pg_catalog.websearch_to_tsquery(''simple''::regconfig, %L)', filters ->> 'q');
    end if;
    execute pg_catalog.format(
        'select pg_catalog.array_agg(s.id) from (select t.id from public.support_tickets as t '
        'where %s order by t.created_at desc, t.id desc limit 10001) as s',
        pg_catalog.array_to_string(conditions, ' and ')) into ids;
    if pg_catalog.cardinality(ids) > 10000 then
        perform private.refuse('bulk_selection_too_large');
    end if;
    return coalesce(ids, '{}'::uuid[]);
end;
$$;

comment on function private.bulk_selection(jsonb) is
    'Staff only: the ids of the tickets support_queue lists for these filters (its filters, '
    'checks and refusals), at most 10,000 (400 bulk_selection_too_large beyond). Security '
    'definer: staff read tickets only through definer functions; it returns ids only.';
revoke all on function private.bulk_selection(jsonb) from public;
grant execute on function private.bulk_selection(jsonb) to authenticated;

create function public.support_bulk_update(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    ids uuid[];
    action jsonb;
    expected jsonb := '{}'::jsonb;
    entry record;
    refusal jsonb;
    refused jsonb := '[]'::jsonb;
    changed integer := 0;
    target uuid;
    job uuid;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"ticket_ids": "string_array", "filters": "object",
        "changes": "object", "macro_id": "string", "expected_updated_at": "object"}');

    if (body -> 'changes' is null or body -> 'changes' = 'null')
        = (body -> 'macro_id' is null or body -> 'macro_id' = 'null') then
        perform private.refuse('bulk_action_required');
    end if;
    if body ->> 'macro_id' is not null then
        action := pg_catalog.jsonb_build_object('macro_id', private.uuid_param(body ->> 'macro_id', 'macro_id'));
        if not exists (select 1 from public.macros as m where m.id = (action ->> 'macro_id')::uuid) then
            perform private.refuse('macro_not_found');
        end if;
    else
        perform private.check_bulk_changes(body -> 'changes');
        action := pg_catalog.jsonb_build_object('changes', body -> 'changes');
    end if;

    if (body ->> 'ticket_ids' is null) = (body ->> 'filters' is null) then
        perform private.refuse('bulk_selection_required');
    end if;
    if body ->> 'ticket_ids' is not null then
        if pg_catalog.jsonb_array_length(body -> 'ticket_ids') > 10000 then
            perform private.refuse('bulk_selection_too_large');
        end if;
        select pg_catalog.array_agg(distinct private.uuid_param(t.value, 'ticket_ids'))
        into ids
        from pg_catalog.jsonb_array_elements_text(body -> 'ticket_ids') as t (value);
    else
        ids := private.bulk_selection(body -> 'filters');
    end if;
    ids := coalesce(ids, '{}');

    if body ->> 'expected_updated_at' is not null then
        for entry in select e.key, e.value from pg_catalog.jsonb_each_text(body -> 'expected_updated_at') as e loop
            expected := expected || pg_catalog.jsonb_build_object(
                private.uuid_param(entry.key, 'expected_updated_at')::text,
                private.time_param(entry.value, 'expected_updated_at'));
        end loop;
    end if;

    if pg_catalog.cardinality(ids) > 50 then
        job := private.create_bulk_job(ids, action, expected);
        perform pg_catalog.set_config('response.status', '202', true);
        return pg_catalog.json_build_object('job_id', job, 'status', 'queued', 'total', pg_catalog.cardinality(ids),
            'changed', 0, 'refused', '[]'::json);
    end if;

    -- At most 50: here and now, in id order (two bulk actions lock tickets in the same order).
    foreach target in array (select pg_catalog.array_agg(i order by i) from pg_catalog.unnest(ids) as i) loop
        refusal := private.bulk_apply_one(target, action, (expected ->> target::text)::timestamptz);
        if refusal is null then
            changed := changed + 1;
        else
            refused := refused || pg_catalog.jsonb_build_array(refusal);
        end if;
    end loop;
    return pg_catalog.json_build_object('job_id', null, 'status', 'done', 'total', pg_catalog.cardinality(ids),
        'changed', changed, 'refused', refused);
end;
$$;

comment on function public.support_bulk_update(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_ids: [...] or filters: {support_queue''s filters}, '
    'changes: {status?, priority?, ticket_type?, assignee_id? (an id, "me" or null), resolution?, '
    'add_tags?, remove_tags?} or macro_id, expected_updated_at?: {ticket_id: updated_at}}. Each '
    'ticket is changed as by hand (its history, its 409, the lifecycle), alone: a refused ticket '
    'keeps nothing. Up to 50 tickets: done now, {job_id: null, status: done, total, changed, '
    'refused: [{ticket_id, code, message}]}. 51 to 10,000: 202 with {job_id, status: queued, '
    'total}; support-worker applies it, support_bulk_job reports.';
revoke all on function public.support_bulk_update(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_bulk_update(jsonb) to authenticated;

create function public.support_bulk_job(job_id text)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_staff();
    return private.bulk_job_report(private.uuid_param(support_bulk_job.job_id, 'job_id'));
end;
$$;

comment on function public.support_bulk_job(text) is
    'Staff only (403 otherwise). ?job_id=: a bulk job''s progress: {job_id, status (queued, '
    'running, done), total, changed, pending, refused_count, refused: [{ticket_id, code, message}] '
    '(the first 1,000), action, created_at, finished_at}. 404 for a job of someone else (admins read all).';
revoke all on function public.support_bulk_job(text) from public, anon, authenticated, service_role;
grant execute on function public.support_bulk_job(text) to authenticated;
