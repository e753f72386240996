-- Macros: saved replies with variables and field changes, applied in one staff operation.
--
-- Why: agents type the same answers all day. A macro is a name, a reply text with variables
-- ({{ticket.subject}}, {{user.first_name}}, {{agent.name}}, ... the rows of
-- public.macro_variables) and optional field changes (status, priority, ticket_type,
-- assignee_id, resolution, add_tags, remove_tags). Both are checked when the macro is saved,
-- so an unknown variable or a change no manual change could make is a 400 then, never a
-- surprise at use. A macro is shared (owner_id null: every agent sees it, admins manage it) or
-- personal (only its author sees and manages it).
-- support_apply_macro is one staff operation through the existing paths: the reply (or
-- internal note) goes through reply_as_staff (its history event, its notification), the
-- changes through update_ticket_as_staff (the lifecycle, one event per changed field) and the
-- tags as support_tag_ticket adds them; a stale expected_updated_at is a 409, and any refusal
-- leaves nothing applied (one transaction). The database renders the variables, so the
-- dashboard, Studio and scripts send the same text. usage_count counts the applications.

-- squawk: position orders a handful of rows; usage_count is nowhere near the int limit.
-- squawk-ignore-file prefer-bigint-over-smallint, prefer-bigint-over-int

insert into public.support_messages (topic, status, code, message, hint) values
    ('macro_not_found', 404, 'macro_not_found', 'Macro not found', 'Shared macros and your own are the ones you can use.'),
    ('macro_variable_unknown', 400, 'macro_variable_unknown', 'body uses a variable that is not in public.macro_variables',
        'Variables are written {{name}}; the names are: {variables}.'),
    ('macro_change_unknown', 400, 'macro_change_unknown',
        'changes may hold only status, priority, ticket_type, assignee_id, resolution, add_tags and remove_tags', null),
    ('macro_change_invalid', 400, 'macro_change_invalid', 'changes.{field} is not a value a manual change could set',
        '{hint}');

create table public.macro_variables (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint macro_variables_code_format check (code ~ '^[a-z]+\.[a-z_]+$'),
    constraint macro_variables_label_not_blank check (label !~ '^[[:space:]]*$')
);

comment on table public.macro_variables is
    'The variables a macro''s body may use, written {{code}}. private.macro_variable_value '
    'renders each; a new variable is a row and a branch there.';
comment on column public.macro_variables.code is 'The name between the braces.';
comment on column public.macro_variables.label is 'What it stands for.';
comment on column public.macro_variables.position is 'Where it comes in lists.';
comment on constraint macro_variables_code_format on public.macro_variables is
    'code must be two lower-case words joined by a dot (ticket.subject)';
comment on constraint macro_variables_label_not_blank on public.macro_variables is 'label must not be blank';

insert into public.macro_variables (code, label, position) values
    ('ticket.subject', 'The ticket''s subject', 1),
    ('ticket.id', 'The ticket''s id', 2),
    ('ticket.status', 'The ticket''s status, as people read it', 3),
    ('ticket.priority', 'The ticket''s priority, as people read it', 4),
    ('ticket.type', 'The ticket''s type, as people read it', 5),
    ('user.first_name', 'The requester''s first name (or "there")', 6),
    ('user.email', 'The requester''s email address', 7),
    ('agent.name', 'The display name of the agent applying the macro', 8),
    ('agent.first_name', 'The first word of that display name', 9);

alter table public.macro_variables enable row level security;
revoke all on table public.macro_variables from anon, authenticated, service_role;
grant select on table public.macro_variables to authenticated, service_role;
create policy "signed-in users read the labels" on public.macro_variables
    for select to authenticated using (true);

create table public.macros (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    body text not null default '',
    internal boolean not null default false,
    changes jsonb not null default '{}',
    owner_id uuid default auth.uid() references auth.users (id) on delete cascade,
    usage_count integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint macros_owner_id_name_unique unique nulls not distinct (owner_id, name),
    constraint macros_name_not_blank check (not private.is_blank(name)),
    constraint macros_name_max_length check (char_length(name) <= 100),
    constraint macros_name_one_line check (private.is_one_line(name)),
    constraint macros_body_max_length check (char_length(body) <= 5000),
    constraint macros_changes_object check (pg_catalog.jsonb_typeof(changes) = 'object'),
    constraint macros_body_does_something check (not private.is_blank(body) or changes <> '{}')
);

comment on table public.macros is
    'Saved replies: a body with {{variables}} (public.macro_variables) and field changes, '
    'checked when saved. owner_id null: shared (admins manage them); else personal (only the '
    'author sees them). Applied with support_apply_macro, previewed with support_render_macro.';
comment on column public.macros.body is
    'The reply, with {{variables}}; empty for a macro that only changes fields.';
comment on column public.macros.internal is 'True: the body is posted as an internal note, not a public reply.';
comment on column public.macros.changes is
    '{status?, priority?, ticket_type?, assignee_id? (a staff id, "me" or null), resolution?, '
    'add_tags?, remove_tags?}: applied as support_update_ticket and support_tag_ticket would.';
comment on column public.macros.owner_id is 'The author of a personal macro; null for a shared one.';
comment on column public.macros.usage_count is 'How many times it was applied.';
comment on constraint macros_owner_id_name_unique on public.macros is
    'name must be unique among the shared macros, and among each agent''s own';
comment on constraint macros_name_not_blank on public.macros is 'name must not be blank';
comment on constraint macros_name_max_length on public.macros is 'name must be at most 100 characters';
comment on constraint macros_name_one_line on public.macros is 'name must be one line, without control characters';
comment on constraint macros_body_max_length on public.macros is 'body must be at most 5000 characters';
comment on constraint macros_changes_object on public.macros is 'changes must be a JSON object';
comment on constraint macros_body_does_something on public.macros is
    'a macro needs a body or changes';

create index macros_owner_id_idx on public.macros (owner_id);

alter table public.macros enable row level security;
revoke all on table public.macros from anon, authenticated;
grant select, delete on table public.macros to authenticated;
grant insert (id, name, body, internal, changes, owner_id) on table public.macros to authenticated;
grant update (name, body, internal, changes) on table public.macros to authenticated;
grant select, insert, update, delete on table public.macros to service_role;

create policy "staff read the shared macros and their own"
    on public.macros for select to authenticated
    using ((select private.is_staff()) and (owner_id is null or owner_id = (select auth.uid())));
create policy "staff add their own macros, admins shared ones"
    on public.macros for insert to authenticated
    with check (
        (owner_id = (select auth.uid()) and (select private.is_staff()))
        or (owner_id is null and (select private.is_admin())));
create policy "staff change their own macros, admins shared ones"
    on public.macros for update to authenticated
    using (
        (owner_id = (select auth.uid()) and (select private.is_staff()))
        or (owner_id is null and (select private.is_admin())))
    with check (
        (owner_id = (select auth.uid()) and (select private.is_staff()))
        or (owner_id is null and (select private.is_admin())));
create policy "staff remove their own macros, admins shared ones"
    on public.macros for delete to authenticated
    using (
        (owner_id = (select auth.uid()) and (select private.is_staff()))
        or (owner_id is null and (select private.is_admin())));

insert into private.table_registry (table_name, configuration, secret_columns, counter_columns, note) values
    ('public.macro_variables', true, '{}', '{}', 'vocabulary of macro variables'),
    -- Each use counts (usage_count): not a change an admin needs on record, one per reply.
    ('public.macros', true, '{}', '{usage_count}', 'saved replies (owner_id: a staff id for a personal macro)');

create trigger audit_changes after insert or update or delete on public.macro_variables
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.macro_variables
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.macros
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.macros
    for each statement execute function private.record_audit();

-- The checks at save. Invoker: it reads the vocabularies, the lifecycle, the staff list (for an
-- assignee) and the tag list, which staff and service_role read.
create function private.check_macro()
    returns trigger
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    used record;
    change record;
    hint text;
begin
    -- A use counted (usage_count) changes nothing that was checked, nor when it was edited.
    if tg_op = 'UPDATE' and (pg_catalog.to_jsonb(new) - 'usage_count') = (pg_catalog.to_jsonb(old) - 'usage_count') then
        return new;
    end if;
    for used in
        select pg_catalog.btrim(m[1]) as name
        from pg_catalog.regexp_matches(new.body, '\{\{([^{}]*)\}\}', 'g') as m
    loop
        if not exists (select 1 from public.macro_variables as v where v.code = used.name) then
            perform private.refuse('macro_variable_unknown', pg_catalog.jsonb_build_object('variables',
                (select pg_catalog.string_agg(v.code, ', ' order by v.position) from public.macro_variables as v)));
        end if;
    end loop;

    if exists (
        select 1 from pg_catalog.jsonb_object_keys(new.changes) as k (key)
        where k.key not in ('status', 'priority', 'ticket_type', 'assignee_id', 'resolution', 'add_tags', 'remove_tags'))
    then
        perform private.refuse('macro_change_unknown');
    end if;

    for change in select c.key, c.value from pg_catalog.jsonb_each(new.changes) as c loop
        hint := case
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
                then 'A staff member''s id, "me" (whoever applies it) or null (unassigned).'
            when change.key = 'resolution' and (pg_catalog.jsonb_typeof(change.value) <> 'string'
                or pg_catalog.char_length(change.value #>> '{}') > 5000)
                then 'A text of at most 5,000 characters.'
            when change.key in ('add_tags', 'remove_tags') and (
                pg_catalog.jsonb_typeof(change.value) <> 'array'
                or pg_catalog.jsonb_path_exists(change.value, '$[*] ? (@.type() != "string" || !(@ like_regex "^[a-z0-9][a-z0-9_-]{0,39}$"))'))
                then 'An array of tags (lower-case letters, digits, - and _).'
        end;
        if hint is null and change.key in ('status', 'priority', 'ticket_type')
            and pg_catalog.jsonb_typeof(change.value) <> 'string' then
            hint := 'A string.';
        end if;
        if hint is not null then
            perform private.refuse('macro_change_invalid', pg_catalog.jsonb_build_object('field', change.key, 'hint', hint));
        end if;
        if change.key = 'add_tags' then
            perform private.requested_tags(change.value);
        end if;
    end loop;

    if tg_op = 'UPDATE' then
        new.updated_at := now();
    end if;
    return new;
end;
$$;

comment on function private.check_macro() is
    'Before insert or update on public.macros: refuses (400) a variable that is not a row of '
    'macro_variables, and a change no manual change could make (a status staff cannot move to, '
    'a value outside its vocabulary, an assignee who is not staff, a tag of the wrong form or '
    'off the list when tags come from the list); keeps updated_at, which a use counted leaves alone.';
revoke all on function private.check_macro() from public;
grant execute on function private.check_macro() to authenticated, service_role;

create trigger macros_check
    before insert or update on public.macros
    for each row execute function private.check_macro();

create function private.macro_variable_value(code text, ticket public.support_tickets, agent uuid)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    requester auth.users;
    agent_name text;
begin
    if code like 'user.%' then
        select u.* into requester from auth.users as u where u.id = ticket.user_id;
    elsif code like 'agent.%' then
        select s.display_name into agent_name from public.support_staff as s where s.user_id = agent;
        -- No agent: a rule applies the macro (private.apply_macro_as_rule), for support.
        agent_name := case when agent is null then 'Support' else agent_name end;
    end if;
    -- One branch per row of public.macro_variables.
    return case code
        when 'ticket.subject' then ticket.subject
        when 'ticket.id' then ticket.id::text
        when 'ticket.status' then (select s.label from public.ticket_statuses as s where s.code = ticket.status)
        when 'ticket.priority' then (select p.label from public.ticket_priorities as p where p.code = ticket.priority)
        when 'ticket.type' then (select t.label from public.ticket_types as t where t.code = ticket.ticket_type)
        when 'user.first_name' then coalesce(
            nullif(pg_catalog.btrim(requester.raw_user_meta_data ->> 'first_name'), ''),
            nullif(pg_catalog.split_part(pg_catalog.btrim(coalesce(
                requester.raw_user_meta_data ->> 'full_name', requester.raw_user_meta_data ->> 'name', '')), ' ', 1), ''),
            'there')
        when 'user.email' then requester.email
        when 'agent.name' then agent_name
        when 'agent.first_name' then pg_catalog.split_part(agent_name, ' ', 1)
    end;
end;
$$;

comment on function private.macro_variable_value(text, public.support_tickets, uuid) is
    'The value of one macro variable for a ticket and the agent applying the macro (null for a '
    'variable it does not know; the agent''s name is Support when a rule applies it).';

create function private.render_macro(body text, ticket public.support_tickets, agent uuid)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    rendered text := body;
    variable record;
begin
    for variable in
        select distinct pg_catalog.btrim(m[1]) as code
        from pg_catalog.regexp_matches(body, '\{\{([^{}]*)\}\}', 'g') as m
    loop
        rendered := pg_catalog.regexp_replace(rendered,
            '\{\{[[:space:]]*' || pg_catalog.regexp_replace(variable.code, '([.])', '\\\1', 'g') || '[[:space:]]*\}\}',
            pg_catalog.replace(coalesce(private.macro_variable_value(variable.code, ticket, agent), ''), '\', '\\'),
            'g');
    end loop;
    return rendered;
end;
$$;

comment on function private.render_macro(text, public.support_tickets, uuid) is
    'A macro body with each {{variable}} replaced by its value for the ticket and agent.';

revoke all on function private.macro_variable_value(text, public.support_tickets, uuid),
    private.render_macro(text, public.support_tickets, uuid) from public;

-- Security definer: macros of others are hidden by RLS, and rendering reads the requester's
-- email and name in auth.users. It checks the caller is staff and that the macro is shared or
-- theirs, and reads one ticket.
create function private.preview_macro(target uuid, macro_id uuid)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    macro public.macros;
    ticket public.support_tickets;
begin
    perform private.require_staff();
    select m.* into macro from public.macros as m
    where m.id = preview_macro.macro_id and (m.owner_id is null or m.owner_id = (select auth.uid()));
    if not found then
        perform private.refuse('macro_not_found');
    end if;
    select t.* into ticket from public.support_tickets as t where t.id = target;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    return pg_catalog.json_build_object(
        'macro_id', macro.id,
        'name', macro.name,
        'body', private.render_macro(macro.body, ticket, (select auth.uid())),
        'internal', macro.internal,
        'changes', macro.changes
    );
end;
$$;

comment on function private.preview_macro(uuid, uuid) is
    'Staff only: a macro rendered for a ticket (support_render_macro). Security definer: it '
    'reads the requester in auth.users for the variables; checks the caller is staff and may '
    'use the macro.';
revoke all on function private.preview_macro(uuid, uuid) from public;
grant execute on function private.preview_macro(uuid, uuid) to authenticated;

-- Security definer: as preview_macro, and it writes through the staff paths (reply_as_staff,
-- update_ticket_as_staff, the tag table as tag_ticket_as_staff does) and counts the use.
create function private.apply_macro_as_staff(target uuid, macro_id uuid, expected timestamptz)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
    macro public.macros;
    ticket public.support_tickets;
    reply json;
    fields jsonb;
begin
    perform private.require_staff();
    select m.* into macro from public.macros as m
    where m.id = apply_macro_as_staff.macro_id and (m.owner_id is null or m.owner_id = caller);
    if not found then
        perform private.refuse('macro_not_found');
    end if;
    select t.* into ticket from public.support_tickets as t where t.id = target for update;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    if expected is not null and ticket.updated_at <> expected then
        perform private.refuse('ticket_changed');
    end if;

    if not private.is_blank(macro.body) then
        reply := private.reply_as_staff(target, private.render_macro(macro.body, ticket, caller), macro.internal);
    end if;

    fields := macro.changes - 'add_tags' - 'remove_tags';
    if fields ->> 'assignee_id' = 'me' then
        fields := fields || pg_catalog.jsonb_build_object('assignee_id', caller);
    end if;
    if fields <> '{}' then
        ticket := private.update_ticket_as_staff(target, fields, null);
    end if;
    if macro.changes ? 'add_tags' or macro.changes ? 'remove_tags' then
        perform private.tag_ticket_as_staff(target,
            coalesce(macro.changes -> 'add_tags', '[]'), coalesce(macro.changes -> 'remove_tags', '[]'));
    end if;

    update public.macros as m set usage_count = m.usage_count + 1 where m.id = macro.id;
    select t.* into ticket from public.support_tickets as t where t.id = target;
    return pg_catalog.json_build_object(
        'ticket_id', ticket.id,
        'macro_id', macro.id,
        'message_id', reply ->> 'message_id',
        'internal', macro.internal,
        'status', ticket.status,
        'priority', ticket.priority,
        'ticket_type', ticket.ticket_type,
        'assignee_id', ticket.assignee_id,
        'tags', private.ticket_tags_json(ticket.id),
        'updated_at', private.utc_text_precise(ticket.updated_at)
    );
end;
$$;

comment on function private.apply_macro_as_staff(uuid, uuid, timestamptz) is
    'Staff only: applies a shared or own macro to a ticket (support_apply_macro). Security '
    'definer: it reads the macro past RLS only after checking the caller may use it, and '
    'writes through the staff paths, each of which checks the caller again.';
revoke all on function private.apply_macro_as_staff(uuid, uuid, timestamptz) from public;
grant execute on function private.apply_macro_as_staff(uuid, uuid, timestamptz) to authenticated;

create function public.support_render_macro(ticket_id text, macro_id text)
    returns json
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_staff();
    return private.preview_macro(
        private.uuid_param(support_render_macro.ticket_id, 'ticket_id'),
        private.uuid_param(support_render_macro.macro_id, 'macro_id'));
end;
$$;

comment on function public.support_render_macro(text, text) is
    'Staff only (403 otherwise). ?ticket_id=&macro_id=: the macro rendered for the ticket, '
    'without applying it: {macro_id, name, body (variables filled in), internal, changes}. 404 '
    'for a missing ticket, or a macro that is neither shared nor the caller''s.';
revoke all on function public.support_render_macro(text, text) from public, anon, authenticated, service_role;
grant execute on function public.support_render_macro(text, text) to authenticated;

create function public.support_apply_macro(jsonb)
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
    perform private.check_request_body(body,
        '{"ticket_id": "string", "macro_id": "string", "expected_updated_at": "string"}');
    return private.apply_macro_as_staff(
        private.uuid_param(body ->> 'ticket_id', 'ticket_id'),
        private.uuid_param(body ->> 'macro_id', 'macro_id'),
        private.time_param(body ->> 'expected_updated_at', 'expected_updated_at'));
end;
$$;

comment on function public.support_apply_macro(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, macro_id, expected_updated_at?}. Posts the '
    'rendered body as a public reply (or an internal note), then applies its changes as '
    'support_update_ticket and support_tag_ticket would: one history event per change, the '
    'reply''s notification, the lifecycle''s refusals. All or nothing. Returns {ticket_id, '
    'macro_id, message_id, internal, status, priority, ticket_type, assignee_id, tags, '
    'updated_at}. 404 for a missing ticket or a macro the caller cannot use, 409 for a stale '
    'expected_updated_at, a refused move or a public reply on a closed ticket.';
revoke all on function public.support_apply_macro(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_apply_macro(jsonb) to authenticated;
