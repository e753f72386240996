-- The triage worker's own role, and the only functions through which it reads and writes.
--
-- Why: support-triage needs the text of the tickets and feedback entries it has yet to score
-- (the queues of 20260114001500), the staff labels with their items' text (to train), and to store suggestions and
-- training runs; it needs nothing else. As support-worker does (20260112000600), it connects
-- with the database URL it is given and switches to `support_triage` (`set role`), so a bug in
-- it can reach only these five definer functions: no table, no column of a ticket but its
-- subject and description, no change to any item. On hosted Supabase the postgres role it
-- connects as is a member (granted below); a separate login is
-- `alter role support_triage login password '...'`.

do $$
begin
    if to_regrole('support_triage') is null then
        create role support_triage nologin noinherit;
    end if;
end
$$;
grant support_triage to postgres;
alter role support_triage set statement_timeout = '60s';

comment on role support_triage is
    'support-triage (suggestions and training): private.triage_* only.';

grant usage on schema private to support_triage;

-- Security definer: the worker's role reads no table; these return exactly the text it scores.
-- What is pending is the queue (20260114001500), read from the lookback cut-off along its
-- created_at index: when nothing is pending, the poll reads no ticket and no feedback row,
-- however many the week holds. Items older than the lookback are dropped from the queue
-- unscored (a worker down for longer catches up on the recent ones only). The queue rows of
-- the batch are locked (skip locked: two workers take different items) until the transaction
-- that stores their suggestions deletes them; the tickets themselves are not locked, so no
-- staff change or user reply waits for the model.
create function private.triage_pending_tickets(days integer, batch integer)
    returns table (id uuid, subject text, description text)
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    cutoff timestamptz := pg_catalog.now() - pg_catalog.make_interval(days => triage_pending_tickets.days);
begin
    delete from public.triage_ticket_queue as q where q.created_at < cutoff;
    -- Idle, nothing more is read: the join below, whatever plan it gets, may start on the
    -- items' own table before it finds the queue empty.
    if not exists (select 1 from public.triage_ticket_queue as q where q.created_at >= cutoff) then
        return;
    end if;
    return query
        select t.id, t.subject, t.description
        from public.triage_ticket_queue as q
        join public.support_tickets as t on t.id = q.ticket_id
        where q.created_at >= cutoff
        order by q.created_at
        limit triage_pending_tickets.batch
        for update of q skip locked;
end;
$$;

comment on function private.triage_pending_tickets(integer, integer) is
    'support-triage only (definer: its role reads no table): up to batch queued tickets of the '
    'last days days, oldest first, with the text the model scores; older queued ones are '
    'dropped. Pending until private.save_triage_suggestions records them as scored.';

create function private.triage_pending_feedback(days integer, batch integer)
    returns table (id uuid, feature_name text, description text)
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    cutoff timestamptz := pg_catalog.now() - pg_catalog.make_interval(days => triage_pending_feedback.days);
begin
    delete from public.triage_feedback_queue as q where q.created_at < cutoff;
    -- Idle, nothing more is read: the join below, whatever plan it gets, may start on the
    -- items' own table before it finds the queue empty.
    if not exists (select 1 from public.triage_feedback_queue as q where q.created_at >= cutoff) then
        return;
    end if;
    return query
        select f.id, f.feature_name, f.description
        from public.triage_feedback_queue as q
        join public.user_feedback as f on f.id = q.feedback_id
        where q.created_at >= cutoff
        order by q.created_at
        limit triage_pending_feedback.batch
        for update of q skip locked;
end;
$$;

comment on function private.triage_pending_feedback(integer, integer) is
    'support-triage only (definer: its role reads no table): up to batch queued feedback '
    'entries of the last days days, oldest first, with the text the model scores; older queued '
    'ones are dropped. Pending until private.save_triage_suggestions records them as scored.';

create function private.triage_staff_labels()
    returns table (kind text, field text, first_text text, description text, chosen_value text)
    language sql
    stable
    security definer
    set search_path = ''
as $$
    select 'ticket', l.field, t.subject, t.description, l.chosen_value
    from public.triage_labels as l
    join public.support_tickets as t on t.id = l.ticket_id
    union all
    select 'feedback', l.field, f.feature_name, f.description, l.chosen_value
    from public.triage_labels as l
    join public.user_feedback as f on f.id = l.feedback_id;
$$;

comment on function private.triage_staff_labels() is
    'support-triage only (definer: its role reads no table): every staff decision with its '
    'item''s text (subject or feature name, description) and the chosen value, to train on.';

-- suggestions: a JSON array of {ticket_id | feedback_id, field, value, confidence}, one batch;
-- scored: a JSON array of {ticket_id | feedback_id}, every item of the batch, answered or not.
create function private.save_triage_suggestions(model_version text, suggestions jsonb, scored jsonb)
    returns integer
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    saved integer;
begin
    insert into public.triage_suggestions (ticket_id, feedback_id, field, value, confidence, model_version)
    select s.ticket_id, s.feedback_id, s.field, s.value, s.confidence, save_triage_suggestions.model_version
    from pg_catalog.jsonb_to_recordset(suggestions)
        as s (ticket_id uuid, feedback_id uuid, field text, value text, confidence real)
    on conflict do nothing;
    get diagnostics saved = row_count;

    -- A field of a scored item with no suggestion (from this model or an earlier one) was left
    -- unanswered on purpose: recorded, so the item is done rather than pending forever.
    insert into public.triage_unanswered (ticket_id, feedback_id, field, model_version)
    select i.ticket_id, i.feedback_id, f.field, save_triage_suggestions.model_version
    from pg_catalog.jsonb_to_recordset(scored) as i (ticket_id uuid, feedback_id uuid)
    cross join lateral pg_catalog.unnest(case when i.ticket_id is not null
        then array['ticket_type', 'priority'] else array['category'] end) as f (field)
    where not exists (select 1 from public.triage_suggestions as s
                      where s.ticket_id = i.ticket_id and s.field = f.field)
        and not exists (select 1 from public.triage_suggestions as s
                        where s.feedback_id = i.feedback_id and s.field = f.field)
    on conflict do nothing;

    delete from public.triage_ticket_queue as q
    using pg_catalog.jsonb_to_recordset(scored) as i (ticket_id uuid)
    where q.ticket_id = i.ticket_id;
    delete from public.triage_feedback_queue as q
    using pg_catalog.jsonb_to_recordset(scored) as i (feedback_id uuid)
    where q.feedback_id = i.feedback_id;
    return saved;
end;
$$;

comment on function private.save_triage_suggestions(text, jsonb, jsonb) is
    'support-triage only (definer: its role writes no table): stores one batch of suggestions '
    'of a model version (one already stored for the same item and field is kept; the answer '
    'counts the new ones), records each field of a scored item left without one in '
    'triage_unanswered, and takes the scored items off the queue. The table''s constraints '
    'check each value.';

-- runs: a JSON array of {field, examples, staff_labels, held_out, held_out_accuracy}.
create function private.record_triage_runs(model_version text, runs jsonb)
    returns void
    language sql
    volatile
    security definer
    set search_path = ''
as $$
    insert into public.triage_model_runs (model_version, field, examples, staff_labels, held_out, held_out_accuracy)
    select record_triage_runs.model_version, r.field, r.examples, r.staff_labels, r.held_out, r.held_out_accuracy
    from pg_catalog.jsonb_to_recordset(runs)
        as r (field text, examples integer, staff_labels integer, held_out integer, held_out_accuracy real);
$$;

comment on function private.record_triage_runs(text, jsonb) is
    'support-triage only (definer: its role writes no table): what one training run of a model '
    'version measured, per field (support_triage_report reads the latest).';

revoke all on function private.triage_pending_tickets(integer, integer),
    private.triage_pending_feedback(integer, integer), private.triage_staff_labels(),
    private.save_triage_suggestions(text, jsonb, jsonb), private.record_triage_runs(text, jsonb) from public;
grant execute on function private.triage_pending_tickets(integer, integer),
    private.triage_pending_feedback(integer, integer), private.triage_staff_labels(),
    private.save_triage_suggestions(text, jsonb, jsonb), private.record_triage_runs(text, jsonb)
    to support_triage;
