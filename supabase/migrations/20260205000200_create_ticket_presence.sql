-- Presence: which staff members are viewing or typing on a ticket, from a heartbeat.
--
-- Why: two agents should not answer the same person at once; the ticket page shows who else is
-- there. A hosted project has Supabase Realtime Presence for this; locally there is no Realtime
-- server, so the page sends a heartbeat, support_presence({ticket_id, state}), every ~10 s and
-- when the agent types, and reads the answer: the other staff seen on the ticket in the last
-- 30 seconds. The dashboard's presence.js keeps one interface over both (docs/bulk-and-collisions.md).
-- Rows are one per ticket and staff member (upserted), read only within 30 seconds, and each
-- heartbeat deletes the rows older than two minutes, so the table stays as small as the number
-- of agents at work; no cron job is needed. Users and anon neither write nor read it.

-- squawk: position orders a handful of rows.
-- squawk-ignore-file prefer-bigint-over-smallint

insert into public.support_messages (topic, status, code, message, hint) values
    ('presence_state_unknown', 400, 'presence_state_unknown', 'state must be a code of public.presence_states',
        'viewing or typing.');

create table public.presence_states (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint presence_states_label_not_blank check (label !~ '^[[:space:]]*$')
);

comment on table public.presence_states is
    'What a staff member is doing on a ticket, as support_presence records it: viewing or typing.';
comment on column public.presence_states.code is 'The state support_presence takes.';
comment on column public.presence_states.label is 'What the ticket page shows ("is viewing").';
comment on column public.presence_states.position is 'Where it comes in lists.';
comment on constraint presence_states_label_not_blank on public.presence_states is 'label must not be blank';

insert into public.presence_states (code, label, position) values
    ('viewing', 'is viewing', 1),
    ('typing', 'is typing', 2);

alter table public.presence_states enable row level security;
revoke all on table public.presence_states from anon, authenticated, service_role;
grant select on table public.presence_states to authenticated, service_role;
create policy "signed-in users read the labels" on public.presence_states
    for select to authenticated using (true);

create table private.ticket_presence (
    ticket_id uuid not null references public.support_tickets (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    state text not null,
    seen_at timestamptz not null default now(),
    primary key (ticket_id, user_id),
    constraint ticket_presence_state_valid foreign key (state) references public.presence_states (code)
);

comment on table private.ticket_presence is
    'The last heartbeat of each staff member on each ticket (support_presence). Read within 30 '
    'seconds; rows older than two minutes are deleted by the next heartbeat.';
comment on constraint ticket_presence_state_valid on private.ticket_presence is
    'state must be a code of public.presence_states';

create index ticket_presence_seen_at_idx on private.ticket_presence (seen_at);

alter table private.ticket_presence enable row level security;
revoke all on table private.ticket_presence from public, anon, authenticated, service_role;

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.presence_states', true, '{}', 'vocabulary of presence states'),
    ('private.ticket_presence', false, '{}', 'heartbeats of staff on tickets, kept two minutes');

create trigger audit_changes after insert or update or delete on public.presence_states
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.presence_states
    for each statement execute function private.record_audit();

-- Security definer: nobody of the API reads or writes private.ticket_presence, and the answer
-- names other staff members (support_staff, auth.users.email). It checks the caller is staff,
-- writes the caller's own row only, and returns other staff only.
create function private.record_presence(target uuid, state text)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
    others json;
begin
    perform private.require_staff();
    if not exists (select 1 from public.presence_states as s where s.code = record_presence.state) then
        perform private.refuse('presence_state_unknown');
    end if;
    if not exists (select 1 from public.support_tickets as t where t.id = target) then
        perform private.raise_ticket_not_found();
    end if;
    delete from private.ticket_presence as p where p.seen_at < now() - interval '2 minutes';
    insert into private.ticket_presence as p (ticket_id, user_id, state, seen_at)
    values (target, caller, record_presence.state, now())
    on conflict (ticket_id, user_id) do update set state = excluded.state, seen_at = excluded.seen_at;
    select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
            'user_id', p.user_id,
            'name', s.display_name,
            'email', u.email,
            'state', p.state,
            'seen_at', private.utc_text(p.seen_at)
        ) order by s.display_name, p.user_id), '[]'::json)
    into others
    from private.ticket_presence as p
    join public.support_staff as s on s.user_id = p.user_id
    left join auth.users as u on u.id = p.user_id
    where p.ticket_id = target and p.user_id <> caller and p.seen_at > now() - interval '30 seconds';
    return pg_catalog.json_build_object('ticket_id', target, 'state', record_presence.state,
        'others', others, 'expires_in', 30);
end;
$$;

comment on function private.record_presence(uuid, text) is
    'Staff only: records the caller''s heartbeat on a ticket and returns the other staff seen on '
    'it in the last 30 seconds (support_presence). Security definer: the table is private and '
    'the answer reads support_staff and auth.users; it writes the caller''s row only.';
revoke all on function private.record_presence(uuid, text) from public;
grant execute on function private.record_presence(uuid, text) to authenticated;

create function public.support_presence(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"ticket_id": "string", "state": "string"}');
    return private.record_presence(
        private.uuid_param(body ->> 'ticket_id', 'ticket_id'),
        coalesce(body ->> 'state', 'viewing'));
end;
$$;

comment on function public.support_presence(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, state? (viewing, the default, or typing)}: a '
    'heartbeat. Returns {ticket_id, state, others: [{user_id, name, email, state, seen_at}], '
    'expires_in}: the other staff members seen on the ticket in the last 30 seconds. Send it '
    'every ~10 s and when typing; on a hosted project Realtime Presence can stand in for it.';
revoke all on function public.support_presence(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_presence(jsonb) to authenticated;
