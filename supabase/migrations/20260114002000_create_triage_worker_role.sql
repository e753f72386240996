-- The triage worker's own role, and the only functions through which it reads and writes.
--
-- Why: support-triage needs the text of recent tickets and feedback entries without a
-- suggestion, the staff labels with their items' text (to train), and to store suggestions and
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
-- No row lock: a lock held for a batch would make a staff change or a user's reply to a new
-- ticket wait for the model. Two workers may score the same item; the unique indexes on
-- (item, field) keep the first suggestion (private.save_triage_suggestions ignores the second).
create function private.triage_pending_tickets(days integer, batch integer)
    returns table (id uuid, subject text, description text)
    language sql
    stable
    security definer
    set search_path = ''
as $$
    select t.id, t.subject, t.description
    from public.support_tickets as t
    where t.created_at >= pg_catalog.now() - pg_catalog.make_interval(days => triage_pending_tickets.days)
        and not exists (select 1 from public.triage_suggestions as s where s.ticket_id = t.id)
    order by t.created_at
    limit triage_pending_tickets.batch;
$$;

comment on function private.triage_pending_tickets(integer, integer) is
    'support-triage only (definer: its role reads no table): up to batch tickets of the last '
    'days days without a suggestion, oldest first, with the text the model scores.';

create function private.triage_pending_feedback(days integer, batch integer)
    returns table (id uuid, feature_name text, description text)
    language sql
    stable
    security definer
    set search_path = ''
as $$
    select f.id, f.feature_name, f.description
    from public.user_feedback as f
    where f.created_at >= pg_catalog.now() - pg_catalog.make_interval(days => triage_pending_feedback.days)
        and not exists (select 1 from public.triage_suggestions as s where s.feedback_id = f.id)
    order by f.created_at
    limit triage_pending_feedback.batch;
$$;

comment on function private.triage_pending_feedback(integer, integer) is
    'support-triage only (definer: its role reads no table): up to batch feedback entries of '
    'the last days days without a suggestion, oldest first, with the text the model scores.';

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

-- suggestions: a JSON array of {ticket_id | feedback_id, field, value, confidence}, one batch.
create function private.save_triage_suggestions(model_version text, suggestions jsonb)
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
    return saved;
end;
$$;

comment on function private.save_triage_suggestions(text, jsonb) is
    'support-triage only (definer: its role writes no table): stores one batch of suggestions '
    'of a model version; one already stored for the same item and field is kept (the answer '
    'counts the new ones). The table''s constraints check each value.';

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
    private.save_triage_suggestions(text, jsonb), private.record_triage_runs(text, jsonb) from public;
grant execute on function private.triage_pending_tickets(integer, integer),
    private.triage_pending_feedback(integer, integer), private.triage_staff_labels(),
    private.save_triage_suggestions(text, jsonb), private.record_triage_runs(text, jsonb)
    to support_triage;
