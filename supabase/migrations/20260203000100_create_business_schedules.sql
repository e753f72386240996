-- Business hours: schedules (a time zone, weekly hours, holidays and date overrides) that the
-- SLA clocks count in.
--
-- Why: a ticket filed on Friday evening is not late on Saturday. Every serious helpdesk counts
-- service levels in business hours; the hours are rules an admin changes (a new office, a
-- holiday), so they are rows, not code.
--   business_schedules       a named schedule in an IANA time zone; at most one is the default.
--   business_hours           its weekly open hours: per ISO weekday (1 = Monday), one or more
--                            windows opens-closes in local time (closes may be 24:00).
--   business_schedule_dates  dates that differ from the week: closed all day (a holiday, opens
--                            and closes null) or open in one window instead of the weekday's.
--   sla_policies.schedule_id the schedule a priority's targets count in; null: the default.
-- Without any schedule (no default and none on the priority) the targets are calendar minutes,
-- as before this file. Times are local wall-clock times: a window 09:00-17:00 is eight hours on
-- the days the clocks change too, and a 00:00-24:00 day is 23 or 25 hours then.
-- private.business_minutes counts the open minutes between two instants; private.business_add
-- finds the instant a number of open minutes after another. The clocks
-- (20260111000100_add_ticket_sla_clocks.sql, whose trigger calls private.sla_due_times below)
-- count the targets and the time spent waiting on the user in these minutes.
-- A change to a schedule, its hours or dates, or to the schedule a priority uses, moves the
-- running due times of open tickets at once (as Plain does): the first response while
-- unanswered, the resolution while open. Targets reached or missed stay as they were.
-- Admins edit schedules; staff read them; users and anon neither.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk: A weekday (1-7) fits a smallint.
-- squawk-ignore-file adding-field-with-default, require-concurrent-index-creation, adding-foreign-key-constraint, prefer-bigint-over-smallint, constraint-missing-not-valid

insert into public.support_messages (topic, status, code, message, hint) values
    ('schedule_time_zone_unknown', 400, 'schedule_time_zone_unknown',
        'time_zone must be an IANA time zone name',
        'For example Europe/Paris or America/New_York (see pg_timezone_names).'),
    ('schedule_hours_overlap', 400, 'schedule_hours_overlap',
        'Business hours of the same day must not overlap',
        'Change or remove the window that overlaps, or merge the two.');

create table public.business_schedules (
    id bigint generated always as identity primary key,
    name text not null,
    time_zone text not null,
    is_default boolean not null default false,
    updated_at timestamptz not null default now(),
    constraint business_schedules_name_not_blank check (not private.is_blank(name)),
    constraint business_schedules_name_length check (pg_catalog.char_length(name) <= 100),
    constraint business_schedules_name_unique unique (name)
);

comment on table public.business_schedules is
    'Business hours the SLA targets count in: a name, an IANA time zone, and whether it is the '
    'default (used by every priority without a schedule of its own). Hours and dates are in '
    'public.business_hours and public.business_schedule_dates. Admins edit; staff read.';
comment on column public.business_schedules.time_zone is
    'IANA time zone name (Europe/Paris); the hours and dates are local times there.';
comment on column public.business_schedules.is_default is
    'The schedule of every priority whose sla_policies.schedule_id is null; at most one.';
comment on constraint business_schedules_name_not_blank on public.business_schedules is
    'name must not be blank';
comment on constraint business_schedules_name_length on public.business_schedules is
    'name must be at most 100 characters';
comment on constraint business_schedules_name_unique on public.business_schedules is
    'a schedule with this name exists already';

create unique index business_schedules_one_default_idx on public.business_schedules (is_default) where is_default;
comment on index public.business_schedules_one_default_idx is 'At most one default schedule.';

create table public.business_hours (
    schedule_id bigint not null,
    weekday smallint not null,
    opens time not null,
    closes time not null,
    constraint business_hours_pkey primary key (schedule_id, weekday, opens),
    constraint business_hours_schedule_id_fkey foreign key (schedule_id)
        references public.business_schedules (id) on delete cascade,
    constraint business_hours_weekday_iso check (weekday between 1 and 7),
    constraint business_hours_closes_after_opens check (closes > opens)
);

comment on table public.business_hours is
    'Weekly open hours of a schedule: per ISO weekday (1 = Monday ... 7 = Sunday), windows from '
    'opens to closes in the schedule''s local time; several windows a day must not overlap.';
comment on column public.business_hours.closes is 'Local closing time; 24:00 for midnight at the end of the day.';
comment on constraint business_hours_weekday_iso on public.business_hours is
    'weekday must be 1 (Monday) to 7 (Sunday)';
comment on constraint business_hours_closes_after_opens on public.business_hours is
    'closes must be after opens (24:00 for midnight)';

create table public.business_schedule_dates (
    schedule_id bigint not null,
    day date not null,
    opens time,
    closes time,
    note text,
    constraint business_schedule_dates_pkey primary key (schedule_id, day),
    constraint business_schedule_dates_schedule_id_fkey foreign key (schedule_id)
        references public.business_schedules (id) on delete cascade,
    constraint business_schedule_dates_window_whole check ((opens is null) = (closes is null)),
    constraint business_schedule_dates_closes_after_opens check (closes > opens),
    constraint business_schedule_dates_note_length check (pg_catalog.char_length(note) <= 200)
);

comment on table public.business_schedule_dates is
    'Dates of a schedule that differ from its week: a holiday (opens and closes null: closed all '
    'day) or one open window that replaces the weekday''s hours.';
comment on column public.business_schedule_dates.note is 'Why the day differs (Christmas, inventory).';
comment on constraint business_schedule_dates_window_whole on public.business_schedule_dates is
    'opens and closes go together: both for an open day, neither for a holiday';
comment on constraint business_schedule_dates_closes_after_opens on public.business_schedule_dates is
    'closes must be after opens (24:00 for midnight)';
comment on constraint business_schedule_dates_note_length on public.business_schedule_dates is
    'note must be at most 200 characters';

alter table public.sla_policies
    add column schedule_id bigint,
    add constraint sla_policies_schedule_id_fkey foreign key (schedule_id)
        references public.business_schedules (id) on delete restrict;
comment on column public.sla_policies.schedule_id is
    'The business hours this priority''s targets count in; null: the default schedule, or '
    'calendar time when there is none.';
comment on constraint sla_policies_schedule_id_fkey on public.sla_policies is
    'schedule_id must name a schedule; a schedule a priority uses cannot be deleted';
grant update (schedule_id) on table public.sla_policies to authenticated;

-- The clocks no longer say "calendar minutes" once a schedule applies.
comment on table public.sla_policies is
    'Service-level targets per priority: the first public reply of support and the resolution, '
    'in the business minutes of schedule_id (or the default schedule; calendar minutes without '
    'one). Admins change the targets; a change of minutes applies to tickets created, '
    're-prioritised or reopened afterwards; a change of schedule moves open tickets'' due times.';

alter table public.support_tickets
    add column sla_paused_business_minutes numeric not null default 0;
comment on column public.support_tickets.sla_paused_business_minutes is
    'Business minutes (of the priority''s schedule) the resolution clock stood waiting on the '
    'user since sla_started_at; with no schedule, calendar minutes.';

create function private.check_business_schedule()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    if not exists (select 1 from pg_catalog.pg_timezone_names as z where z.name = new.time_zone) then
        perform private.refuse('schedule_time_zone_unknown');
    end if;
    new.updated_at := now();
    return new;
end;
$$;

comment on function private.check_business_schedule() is
    'Before insert or update on public.business_schedules: the time zone is one PostgreSQL knows '
    '(400 schedule_time_zone_unknown otherwise); updated_at = now().';

create trigger business_schedules_check
    before insert or update on public.business_schedules
    for each row
    execute function private.check_business_schedule();

create function private.check_business_hours()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    if exists (
        select 1 from public.business_hours as h
        where h.schedule_id = new.schedule_id and h.weekday = new.weekday
            and h.opens is distinct from new.opens
            and h.opens < new.closes and new.opens < h.closes
            and (tg_op = 'INSERT' or (h.schedule_id, h.weekday, h.opens) is distinct from (old.schedule_id, old.weekday, old.opens))
    ) then
        perform private.refuse('schedule_hours_overlap');
    end if;
    return new;
end;
$$;

comment on function private.check_business_hours() is
    'Before insert or update on public.business_hours: windows of the same weekday do not overlap '
    '(400 schedule_hours_overlap), so no minute counts twice.';

create trigger business_hours_check
    before insert or update on public.business_hours
    for each row
    execute function private.check_business_hours();

-- The open windows of a schedule on the local days first_day to last_day, in order. A date
-- row replaces the weekday's hours (with one window, or none for a holiday).
create function private.business_windows(schedule_id bigint, first_day date, last_day date)
    returns table (opens_at timestamptz, closes_at timestamptz)
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select (d.day + w.opens) at time zone s.time_zone, (d.day + w.closes) at time zone s.time_zone
    from public.business_schedules as s
    cross join lateral (
        select g.day::date as day
        from pg_catalog.generate_series(first_day::timestamp, last_day::timestamp, interval '1 day') as g(day)
    ) as d
    left join public.business_schedule_dates as x on x.schedule_id = s.id and x.day = d.day
    cross join lateral (
        select x.opens, x.closes where x.day is not null and x.opens is not null
        union all
        select h.opens, h.closes from public.business_hours as h
        where x.day is null and h.schedule_id = s.id
            and h.weekday = extract(isodow from d.day)
    ) as w
    where s.id = business_windows.schedule_id
    order by 1;
$$;

comment on function private.business_windows(bigint, date, date) is
    'The open windows (opens_at, closes_at) of a schedule on its local days first_day to '
    'last_day, in time order: the weekday''s hours, or the date''s override, none on a holiday.';

create function private.business_minutes(schedule_id bigint, from_at timestamptz, to_at timestamptz)
    returns numeric
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select case
        when from_at is null or to_at is null then null
        when to_at <= from_at then 0
        when business_minutes.schedule_id is null then extract(epoch from to_at - from_at) / 60
        else coalesce((
            select pg_catalog.sum(extract(epoch from
                       least(w.closes_at, to_at) - greatest(w.opens_at, from_at)) / 60)
            from public.business_schedules as s
            cross join lateral private.business_windows(
                s.id, (from_at at time zone s.time_zone)::date, (to_at at time zone s.time_zone)::date) as w
            where s.id = business_minutes.schedule_id
                and w.closes_at > from_at and w.opens_at < to_at), 0)
    end;
$$;

comment on function private.business_minutes(bigint, timestamptz, timestamptz) is
    'Open minutes of a schedule between two instants (calendar minutes when schedule_id is null).';

create function private.business_add(schedule_id bigint, from_at timestamptz, minutes numeric)
    returns timestamptz
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    zone text;
    remaining numeric := minutes;
    first_day date;
    window_start timestamptz;
    span numeric;
    w record;
begin
    if from_at is null or minutes is null then
        return null;
    end if;
    if business_add.schedule_id is null then
        return from_at + pg_catalog.make_interval(secs => minutes * 60);
    end if;
    select s.time_zone into zone from public.business_schedules as s where s.id = business_add.schedule_id;
    if not found then
        return from_at + pg_catalog.make_interval(secs => minutes * 60);
    end if;
    first_day := (from_at at time zone zone)::date;
    -- A schedule that never opens again has nothing due.
    if not exists (select 1 from public.business_hours as h where h.schedule_id = business_add.schedule_id)
        and not exists (
            select 1 from public.business_schedule_dates as x
            where x.schedule_id = business_add.schedule_id and x.day >= first_day and x.opens is not null) then
        return null;
    end if;
    -- Four weeks at a time, for at most ten years (a schedule closed for longer has nothing due).
    for chunk in 0..130 loop
        for w in
            select b.opens_at, b.closes_at
            from private.business_windows(business_add.schedule_id, first_day + chunk * 28, first_day + chunk * 28 + 27) as b
            where b.closes_at > from_at
        loop
            window_start := greatest(w.opens_at, from_at);
            span := extract(epoch from w.closes_at - window_start) / 60;
            if span >= remaining then
                return window_start + pg_catalog.make_interval(secs => remaining * 60);
            end if;
            remaining := remaining - span;
        end loop;
    end loop;
    return null;
end;
$$;

comment on function private.business_add(bigint, timestamptz, numeric) is
    'The instant `minutes` open minutes of a schedule after from_at (from_at + minutes when '
    'schedule_id is null); null when the schedule does not open enough within ten years.';

-- The schedule a priority's targets count in: its own, else the default, else none (calendar).
create function private.sla_schedule(priority text)
    returns bigint
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select coalesce(
        (select p.schedule_id from public.sla_policies as p where p.priority = sla_schedule.priority),
        (select s.id from public.business_schedules as s where s.is_default));
$$;

comment on function private.sla_schedule(text) is
    'The schedule id a priority''s targets count in: its sla_policies.schedule_id, else the '
    'default schedule, else null (calendar time).';

-- The due times of a ticket's clocks; calendar arithmetic (exactly as before business hours)
-- when no schedule applies.
create function private.sla_due_times(
    priority text,
    created_at timestamptz,
    sla_started_at timestamptz,
    sla_paused_for interval,
    sla_paused_business_minutes numeric,
    out first_response_due_at timestamptz,
    out resolution_due_at timestamptz
)
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    policy public.sla_policies;
    schedule bigint;
begin
    select p.* into policy from public.sla_policies as p where p.priority = sla_due_times.priority;
    if not found then
        return;
    end if;
    schedule := private.sla_schedule(sla_due_times.priority);
    if schedule is null then
        first_response_due_at := sla_due_times.created_at
            + pg_catalog.make_interval(mins => policy.first_response_minutes);
        resolution_due_at := sla_due_times.sla_started_at
            + pg_catalog.make_interval(mins => policy.resolution_minutes) + sla_due_times.sla_paused_for;
    else
        first_response_due_at := private.business_add(schedule, sla_due_times.created_at, policy.first_response_minutes);
        resolution_due_at := private.business_add(
            schedule, sla_due_times.sla_started_at,
            policy.resolution_minutes + sla_due_times.sla_paused_business_minutes);
    end if;
end;
$$;

comment on function private.sla_due_times(text, timestamptz, timestamptz, interval, numeric) is
    'Due times of the first response (from created_at) and of the resolution (from '
    'sla_started_at, plus the time spent waiting on the user) for a priority, in its schedule''s '
    'business minutes, or calendar time without a schedule. Null when the priority has no policy.';

-- Security definer: an admin editing a schedule holds no update on other people's tickets; it
-- writes only the due-time columns of open tickets, from their own clock columns.
create function private.move_sla_due_times()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    update public.support_tickets as t
    set first_response_due_at = case when t.first_responded_at is null then d.first_response_due_at
                                     else t.first_response_due_at end,
        resolution_due_at = d.resolution_due_at
    from (
        select s.id, due.first_response_due_at, due.resolution_due_at
        from public.support_tickets as s
        cross join lateral private.sla_due_times(
            s.priority, s.created_at, s.sla_started_at, s.sla_paused_for, s.sla_paused_business_minutes) as due
        where s.status in ('open', 'in_progress')
    ) as d
    where d.id = t.id
        and (d.resolution_due_at is distinct from t.resolution_due_at
             or (t.first_responded_at is null and d.first_response_due_at is distinct from t.first_response_due_at));
    return null;
end;
$$;

comment on function private.move_sla_due_times() is
    'After a change to business_schedules, business_hours, business_schedule_dates or '
    'sla_policies.schedule_id: recomputes the running due times of open tickets (first response '
    'while unanswered, resolution while open). Security definer: the admin holds no update on '
    'tickets; it writes only their due-time columns.';
revoke all on function private.move_sla_due_times(), private.check_business_schedule(),
    private.check_business_hours(), private.business_windows(bigint, date, date),
    private.business_minutes(bigint, timestamptz, timestamptz),
    private.business_add(bigint, timestamptz, numeric), private.sla_schedule(text),
    private.sla_due_times(text, timestamptz, timestamptz, interval, numeric) from public;

create trigger business_schedules_move_due_times
    after insert or update or delete on public.business_schedules
    for each statement
    execute function private.move_sla_due_times();
create trigger business_hours_move_due_times
    after insert or update or delete on public.business_hours
    for each statement
    execute function private.move_sla_due_times();
create trigger business_schedule_dates_move_due_times
    after insert or update or delete on public.business_schedule_dates
    for each statement
    execute function private.move_sla_due_times();
create trigger sla_policies_move_due_times
    after update of schedule_id on public.sla_policies
    for each statement
    execute function private.move_sla_due_times();

alter table public.business_schedules enable row level security;
alter table public.business_hours enable row level security;
alter table public.business_schedule_dates enable row level security;
revoke all on table public.business_schedules, public.business_hours, public.business_schedule_dates
    from anon, authenticated;
grant select, delete on table public.business_schedules, public.business_hours,
    public.business_schedule_dates to authenticated;
grant insert (name, time_zone, is_default) on table public.business_schedules to authenticated;
grant insert on table public.business_hours, public.business_schedule_dates to authenticated;
grant update (name, time_zone, is_default) on table public.business_schedules to authenticated;
grant update (opens, closes) on table public.business_hours to authenticated;
grant update (opens, closes, note) on table public.business_schedule_dates to authenticated;
grant select, insert, update, delete on table public.business_schedules, public.business_hours,
    public.business_schedule_dates to service_role;

create policy "staff read the schedules"
    on public.business_schedules for select to authenticated
    using ((select private.is_staff()));
create policy "admins add schedules"
    on public.business_schedules for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change schedules"
    on public.business_schedules for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins delete schedules"
    on public.business_schedules for delete to authenticated
    using ((select private.is_admin()));

create policy "staff read the business hours"
    on public.business_hours for select to authenticated
    using ((select private.is_staff()));
create policy "admins add business hours"
    on public.business_hours for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change business hours"
    on public.business_hours for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins delete business hours"
    on public.business_hours for delete to authenticated
    using ((select private.is_admin()));

create policy "staff read the schedule dates"
    on public.business_schedule_dates for select to authenticated
    using ((select private.is_staff()));
create policy "admins add schedule dates"
    on public.business_schedule_dates for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change schedule dates"
    on public.business_schedule_dates for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins delete schedule dates"
    on public.business_schedule_dates for delete to authenticated
    using ((select private.is_admin()));

insert into private.table_registry (table_name, configuration, note) values
    ('public.business_schedules', true, 'business hours: schedules'),
    ('public.business_hours', true, 'business hours: weekly windows'),
    ('public.business_schedule_dates', true, 'business hours: holidays and date overrides');

create trigger audit_changes after insert or update or delete on public.business_schedules
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.business_schedules
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.business_hours
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.business_hours
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.business_schedule_dates
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.business_schedule_dates
    for each statement execute function private.record_audit();
