-- Time rules: "3 days waiting on the user → remind; 7 → resolve"; "first response due within
-- 30 minutes → raise to urgent", as rows an admin edits, run by the scheduler.
--
-- Why: the routine that depends on time passing, not on a change, needs a clock. A time rule
-- watches one clock of the tickets (public.time_rule_clocks) and acts when it reaches the rule's
-- minutes:
--   waiting_on_user      open tickets waiting on the user (support replied last) for at least
--                        `minutes`, since sla_paused_at (the state: that pause).
--   first_response_due   unanswered open tickets whose first response is due within `minutes`
--                        (negative: overdue by that much) (the state: the ticket's first answer).
--   resolution_due       answered open tickets whose resolution is due within `minutes`, clock
--                        running (the state: the resolution clock since sla_started_at).
-- Actions are those of event rules (public.rule_action_kinds), checked the same way when saved.
-- private.run_time_rules(batch) runs every enabled rule over at most `batch` tickets in all,
-- reading the partial indexes on the clocks, so a run touches the due tickets only. Each
-- (rule, ticket, state) runs at most once: its mark in public.ticket_time_rule_runs is inserted
-- first (a unique key), so a second run, concurrent or later, skips it. Runs never overlap: a
-- run takes a transaction-level advisory lock and a run that finds it taken does nothing and
-- returns null, as private.close_resolved_tickets does. pg_cron runs it every minute
-- (20260112000700_schedule_cron_jobs.sql); the stack runner where pg_cron is missing.
-- The actions act as support (the lifecycle of agents), like an agent's tools without a user.

-- squawk: First release: nothing is deployed yet.
-- squawk-ignore-file require-concurrent-index-creation, prefer-bigint-over-int, prefer-bigint-over-smallint

create table public.time_rule_clocks (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint time_rule_clocks_code_format check (code ~ '^[a-z][a-z_]{0,39}$')
);
comment on table public.time_rule_clocks is 'The clocks a time rule can watch.';
comment on constraint time_rule_clocks_code_format on public.time_rule_clocks is
    'code must be lower-case letters and underscores, at most 40 characters';

insert into public.time_rule_clocks (code, label, position) values
    ('waiting_on_user', 'waiting on the user for', 1),
    ('first_response_due', 'first response due within', 2),
    ('resolution_due', 'resolution due within', 3);

create table public.ticket_time_rules (
    id bigint generated always as identity primary key,
    name text not null,
    position integer not null default 100,
    enabled boolean not null default true,
    dry_run boolean not null default false,
    clock text not null,
    minutes integer not null,
    actions jsonb not null,
    updated_at timestamptz not null default now(),
    constraint ticket_time_rules_name_unique unique (name),
    constraint ticket_time_rules_name_not_blank check (not private.is_blank(name)),
    constraint ticket_time_rules_name_length check (pg_catalog.char_length(name) <= 100),
    constraint ticket_time_rules_clock_valid foreign key (clock) references public.time_rule_clocks (code),
    constraint ticket_time_rules_minutes_range check (minutes between -525600 and 525600),
    constraint ticket_time_rules_actions_not_empty check (pg_catalog.jsonb_typeof(actions) = 'array' and pg_catalog.jsonb_array_length(actions) > 0)
);
comment on table public.ticket_time_rules is
    'Time rules (docs/rules.md): when a ticket''s clock reaches `minutes`, the actions run once '
    'per ticket and state, by the scheduler. Admins edit; staff read.';
comment on column public.ticket_time_rules.minutes is
    'waiting_on_user: minutes waiting; *_due: minutes before the due time (negative: after it).';
comment on constraint ticket_time_rules_name_unique on public.ticket_time_rules is 'a time rule with this name exists already';
comment on constraint ticket_time_rules_name_not_blank on public.ticket_time_rules is 'name must not be blank';
comment on constraint ticket_time_rules_name_length on public.ticket_time_rules is 'name must be at most 100 characters';
comment on constraint ticket_time_rules_clock_valid on public.ticket_time_rules is 'clock must be one of {codes}';
comment on constraint ticket_time_rules_minutes_range on public.ticket_time_rules is 'minutes must be within a year either way';
comment on constraint ticket_time_rules_actions_not_empty on public.ticket_time_rules is 'actions must be a list of at least one action';

create trigger ticket_time_rules_vocabulary
    before insert or update of clock on public.ticket_time_rules
    for each row
    execute function private.check_vocabulary();

create table public.ticket_time_rule_runs (
    id bigint generated always as identity primary key,
    rule_id bigint not null references public.ticket_time_rules (id) on delete cascade,
    rule_name text not null,
    ticket_id uuid not null references public.support_tickets (id) on delete cascade,
    state timestamptz not null,
    dry_run boolean not null,
    actions jsonb not null,
    refused text,
    created_at timestamptz not null default now(),
    constraint ticket_time_rule_runs_once unique (rule_id, ticket_id, state)
);
comment on table public.ticket_time_rule_runs is
    'History: each (time rule, ticket, state) the scheduler ran, once: what it did (or would '
    'have, in dry run), or the refusal code that undid it.';
comment on column public.ticket_time_rule_runs.state is
    'The state the rule acted on: the pause''s start (waiting_on_user), the creation '
    '(first_response_due), the resolution clock''s start (resolution_due).';
create index ticket_time_rule_runs_ticket_id_idx on public.ticket_time_rule_runs (ticket_id, id);

-- Open tickets waiting on the user, by how long: what waiting_on_user rules read.
create index support_tickets_waiting_on_user_idx on public.support_tickets (sla_paused_at, id)
    where status in ('open', 'in_progress') and sla_paused_at is not null;

create function private.check_ticket_time_rule()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    -- Someone who may not save rules meets row level security (42501), not the rule language.
    if (select auth.uid()) is not null and not private.is_admin() then
        return new;
    end if;
    perform private.check_rule_actions(new.actions);
    new.updated_at := now();
    return new;
end;
$$;
comment on function private.check_ticket_time_rule() is
    'Before insert or update on public.ticket_time_rules: its actions are checked as an event '
    'rule''s (private.check_rule_actions).';

create trigger ticket_time_rules_check
    before insert or update on public.ticket_time_rules
    for each row
    execute function private.check_ticket_time_rule();

-- The tickets a time rule is due on, up to `lim`, with the state each is in; each branch reads
-- a partial index on its clock (sla_paused_at, sla_next_due_at) up to the rule's threshold, and
-- skips the (ticket, state) pairs already run.
create function private.time_rule_due_tickets(rule public.ticket_time_rules, at timestamptz, lim integer)
    returns table (ticket_id uuid, state timestamptz)
    language sql
    stable
    security invoker
    set search_path = ''
    -- Planned without the rule's values, the query is costed as if a third of all tickets were
    -- due: at 10M tickets past jit_above_cost, so each run paid ~0.3 s of JIT compilation for a
    -- scan of a few hundred index entries (bench/time_rules_bench.py).
    set jit = off
as $$
    select d.id, d.state
    from (
        select t.id, t.sla_paused_at as state
        from public.support_tickets as t
        where rule.clock = 'waiting_on_user'
            and t.status in ('open', 'in_progress') and t.sla_paused_at is not null
            and t.sla_paused_at <= at - pg_catalog.make_interval(mins => rule.minutes)
        union all
        select t.id, case when t.first_responded_at is null then t.created_at else t.sla_started_at end
        from public.support_tickets as t
        where rule.clock in ('first_response_due', 'resolution_due')
            and t.sla_next_due_at is not null
            and t.sla_next_due_at <= at + pg_catalog.make_interval(mins => rule.minutes)
            and (t.first_responded_at is null) = (rule.clock = 'first_response_due')
    ) as d
    where not exists (
        select 1 from public.ticket_time_rule_runs as r
        where r.rule_id = rule.id and r.ticket_id = d.id and r.state = d.state)
    limit lim;
$$;
comment on function private.time_rule_due_tickets(public.ticket_time_rules, timestamptz, integer) is
    'The tickets (and their state) a time rule is due on at `at` and has not run on, at most lim.';

create function private.run_time_rules(batch integer default 500, now timestamptz default pg_catalog.now())
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    rule public.ticket_time_rules;
    due record;
    refusal text;
    done integer := 0;
begin
    if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtextextended('support_api.run_time_rules', 0)) then
        return null;
    end if;
    for rule in select r.* from public.ticket_time_rules as r where r.enabled order by r.position, r.id loop
        exit when done >= batch;
        for due in select d.* from private.time_rule_due_tickets(rule, run_time_rules.now, batch - done) as d loop
            -- The mark first: a concurrent run that got here too waits on it, then skips.
            insert into public.ticket_time_rule_runs (rule_id, rule_name, ticket_id, state, dry_run, actions)
            values (rule.id, rule.name, due.ticket_id, due.state, rule.dry_run, rule.actions)
            on conflict on constraint ticket_time_rule_runs_once do nothing;
            continue when not found;
            done := done + 1;
            continue when rule.dry_run;
            begin
                perform private.apply_rule_actions(due.ticket_id, rule.name, rule.actions);
            exception when others then
                get stacked diagnostics refusal = returned_sqlstate;
                update public.ticket_time_rule_runs as r
                set refused = coalesce(nullif(pg_catalog.substring(sqlerrm, '"code" : "([a-z_]+)"'), ''), refusal)
                where r.rule_id = rule.id and r.ticket_id = due.ticket_id and r.state = due.state;
            end;
        end loop;
    end loop;
    return done;
end;
$$;
comment on function private.run_time_rules(integer, timestamptz) is
    'Runs the enabled time rules in order over at most `batch` due tickets in all, each (rule, '
    'ticket, state) once; returns how many it ran, or null when another run is active (it then '
    'does nothing). Call from the scheduler (pg_cron every minute).';

revoke all on function private.check_ticket_time_rule(),
    private.time_rule_due_tickets(public.ticket_time_rules, timestamptz, integer),
    private.run_time_rules(integer, timestamptz) from public, anon, authenticated;
grant execute on function private.run_time_rules(integer, timestamptz) to service_role;

alter table public.time_rule_clocks enable row level security;
alter table public.ticket_time_rules enable row level security;
alter table public.ticket_time_rule_runs enable row level security;
revoke all on table public.time_rule_clocks, public.ticket_time_rules, public.ticket_time_rule_runs
    from anon, authenticated;
grant select on table public.time_rule_clocks, public.ticket_time_rules, public.ticket_time_rule_runs
    to authenticated;
grant delete on table public.ticket_time_rules to authenticated;
grant insert (name, position, enabled, dry_run, clock, minutes, actions)
    on table public.ticket_time_rules to authenticated;
grant update (name, position, enabled, dry_run, clock, minutes, actions) on table public.ticket_time_rules
    to authenticated;
grant select, insert, update, delete on table public.ticket_time_rules to service_role;
grant select on table public.time_rule_clocks, public.ticket_time_rule_runs to service_role;

-- A vocabulary (code, label, position): signed-in users read the labels, as every vocabulary's.
create policy "signed-in users read the time rule clocks" on public.time_rule_clocks
    for select to authenticated using (true);
create policy "staff read the time rules" on public.ticket_time_rules for select to authenticated
    using ((select private.is_staff()));
create policy "admins add time rules" on public.ticket_time_rules for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change time rules" on public.ticket_time_rules for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins delete time rules" on public.ticket_time_rules for delete to authenticated
    using ((select private.is_admin()));
create policy "staff read the time rule runs" on public.ticket_time_rule_runs for select to authenticated
    using ((select private.is_staff()));

insert into private.table_registry (table_name, configuration, note) values
    ('public.time_rule_clocks', true, 'time rules: the clocks rules watch'),
    ('public.ticket_time_rules', true, 'time rules'),
    ('public.ticket_time_rule_runs', false, 'history: what each time rule did, once per ticket and state');

do $$
declare
    audited text;
begin
    foreach audited in array array['public.time_rule_clocks', 'public.ticket_time_rules'] loop
        execute pg_catalog.format(
            'create trigger audit_changes after insert or update or delete on %s '
            'for each row execute function private.record_audit()', audited);
        execute pg_catalog.format(
            'create trigger audit_truncate after truncate on %s '
            'for each statement execute function private.record_audit()', audited);
    end loop;
end;
$$;
