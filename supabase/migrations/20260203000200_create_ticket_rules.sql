-- Event rules: "when a ticket is created / the user replies / its status changes, and these
-- conditions hold, do these actions", as rows an admin edits.
--
-- Why: a small team does not watch the queue all day; routing and raising are routine that
-- rules do in the transaction of the change. Rules are data, checked when saved against
-- allow-lists that are data too, so a rule naming an unknown field, operator or action, a value
-- outside a vocabulary, or a status move the lifecycle refuses to support is a 400 at save,
-- never a surprise at run.
--   rule_events           the events a rule listens to (created, user_replied, status_changed).
--   rule_condition_fields the fields a condition may test: a path in the facts of the event
--                         (private.ticket_rule_facts), the operators allowed, and the vocabulary
--                         its value must belong to, if any.
--   rule_action_kinds     the actions a rule may take, and the vocabulary their value belongs to.
--   ticket_rules          the rules: position (the order they run in, then id), enabled,
--                         dry_run, on_events, match (all or any), conditions, actions.
--   ticket_rule_runs      history: each time a rule matched, what it did (or, in dry run, would
--                         have done), or the refusal that stopped it.
-- Running (private.run_ticket_rules, from triggers on support_tickets and ticket_messages): the
-- enabled rules listening to the event run in order; each tests the facts as they are when its
-- turn comes (so an earlier rule's change is seen). Its actions go through the same triggers and
-- checks as support's own changes (the lifecycle as for an agent, the vocabularies, the
-- constraints), without the caller's identity: the history records them as done by support
-- (actor_kind agent, no actor id) and ticket_rule_runs names the rule. An action the lifecycle
-- refuses at run (the ticket is closed already) stops that rule alone: its changes are undone,
-- the run records the refusal, the caller's change goes on.
-- Loop guard: a rule's own change triggers the rules once more (one more pass, depth 2), never
-- further, and a (ticket, rule) pair runs at most once per event including that pass, so two
-- rules that undo each other stop after one round.

-- squawk: First release: nothing is deployed yet.
-- squawk: positions and event positions are small numbers.
-- squawk-ignore-file prefer-bigint-over-int, prefer-bigint-over-smallint

insert into public.support_messages (topic, status, code, message, hint) values
    ('rule_malformed', 400, 'rule_malformed',
        'conditions and actions must be lists of objects: conditions {field, op, value}, actions {action, value}',
        'See docs/rules.md for the rule language.'),
    ('rule_unknown_event', 400, 'rule_unknown_event',
        'on_events must list events of public.rule_events', null),
    ('rule_unknown_field', 400, 'rule_unknown_field',
        'Condition {index} names a field rules cannot test',
        'The fields are the rows of public.rule_condition_fields.'),
    ('rule_unknown_operator', 400, 'rule_unknown_operator',
        'Condition {index} uses an operator its field does not allow',
        'The operators of each field are in public.rule_condition_fields.'),
    ('rule_bad_value', 400, 'rule_bad_value',
        'The value of {part} {index} is not one the field or action accepts',
        'A value must belong to the field''s vocabulary; in takes a list.'),
    ('rule_unknown_action', 400, 'rule_unknown_action',
        'Action {index} is not an action rules can take',
        'The actions are the rows of public.rule_action_kinds.'),
    ('rule_move_refused', 400, 'rule_move_refused',
        'Action {index} sets a status support cannot move a ticket to',
        'The moves are the rows of public.ticket_transitions for agents; a move that needs a resolution cannot be a rule''s.'),
    ('custom_field_in_rule', 409, 'custom_field_in_rule',
        'A rule tests this field',
        'Change or delete the rules whose conditions name field.<key> first.');

create table public.rule_events (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint rule_events_code_format check (code ~ '^[a-z][a-z_]{0,39}$')
);
comment on table public.rule_events is 'The events an event rule can listen to.';
comment on constraint rule_events_code_format on public.rule_events is
    'code must be lower-case letters and underscores, at most 40 characters';

insert into public.rule_events (code, label, position) values
    ('created', 'a ticket is created', 1),
    ('user_replied', 'the user replies publicly', 2),
    ('status_changed', 'the status changes', 3);

create table public.rule_condition_fields (
    field text primary key,
    path text[] not null,
    operators text[] not null,
    vocabulary regclass,
    description text not null,
    constraint rule_condition_fields_operators_known
        check (operators <@ array['is', 'is_not', 'in', 'contains', 'has', 'has_not']::text[])
);
comment on table public.rule_condition_fields is
    'The allow-list of condition fields: the path of the value in the event''s facts '
    '(private.ticket_rule_facts), the operators allowed, and the vocabulary (a table keyed by '
    'code) its values must belong to. Written by migrations only.';
comment on constraint rule_condition_fields_operators_known on public.rule_condition_fields is
    'operators must be among is, is_not, in, contains, has, has_not';

insert into public.rule_condition_fields (field, path, operators, vocabulary, description) values
    ('ticket_type', '{ticket,ticket_type}', '{is,is_not,in}', 'public.ticket_types', 'the ticket''s type'),
    ('priority', '{ticket,priority}', '{is,is_not,in}', 'public.ticket_priorities', 'the ticket''s priority'),
    ('status', '{ticket,status}', '{is,is_not,in}', 'public.ticket_statuses', 'the ticket''s status'),
    ('assignee_id', '{ticket,assignee_id}', '{is,is_not}', null, 'the assignee''s user id ("" for none)'),
    ('subject', '{ticket,subject}', '{contains}', null, 'the subject'),
    ('text', '{text}', '{contains}', null, 'the reply (user_replied), else the subject and description'),
    ('requester_email', '{requester_email}', '{is,is_not,contains}', null, 'the requester''s email'),
    ('event', '{event}', '{is,is_not,in}', 'public.rule_events', 'the event the rule runs on'),
    ('tag', '{tags}', '{has,has_not}', null, 'a tag of the ticket');

create table public.rule_action_kinds (
    action text primary key,
    vocabulary regclass,
    description text not null
);
comment on table public.rule_action_kinds is
    'The allow-list of rule actions and the vocabulary (a table keyed by code) of their value. '
    'Written by migrations only; private.apply_rule_action carries each out.';

insert into public.rule_action_kinds (action, vocabulary, description) values
    ('set_priority', 'public.ticket_priorities', 'set the priority'),
    ('set_type', 'public.ticket_types', 'set the ticket type'),
    ('set_status', 'public.ticket_statuses', 'move the status (as support may)'),
    ('set_assignee', null, 'assign to a staff member (user id), or unassign (null)'),
    ('add_internal_note', null, 'add an internal note (text, at most 2000 characters)'),
    ('add_public_reply', null, 'reply to the user publicly as the system (text, at most 2000 characters)'),
    ('resolve', null, 'resolve the ticket with this resolution (text, at most 2000 characters)'),
    ('add_tag', null, 'add a tag (from the list when tags come from the list)'),
    ('remove_tag', null, 'remove a tag'),
    ('apply_macro', null, 'apply a shared macro (its id): its reply, as the system, and its changes'),
    ('notify_webhook', null, 'send a notice (text, at most 2000 characters) to the webhooks of the rule_notice kind');

-- A rule's notice to the webhooks: an internal event of the ticket's history (the owner never
-- reads it, nor is emailed it), delivered as a notification of its own kind to the endpoints
-- that subscribe to it (private.notify_ticket_event, private.notification_details).
insert into public.ticket_event_kinds (code, label, position, internal)
select 'rule_notice', 'a rule sent a notice to the webhooks', max(e.position) + 1, true
from public.ticket_event_kinds as e;
insert into public.notification_kinds (kind, event_kind, to_value, label)
values ('rule_notice', 'rule_notice', null, 'A rule sent a notice about a ticket.');

create table public.ticket_rules (
    id bigint generated always as identity primary key,
    name text not null,
    position integer not null default 100,
    enabled boolean not null default true,
    dry_run boolean not null default false,
    on_events text[] not null,
    match text not null default 'all',
    conditions jsonb not null default '[]',
    actions jsonb not null,
    updated_at timestamptz not null default now(),
    constraint ticket_rules_name_unique unique (name),
    constraint ticket_rules_name_not_blank check (not private.is_blank(name)),
    constraint ticket_rules_name_length check (pg_catalog.char_length(name) <= 100),
    constraint ticket_rules_match_all_or_any check (match in ('all', 'any')),
    constraint ticket_rules_on_events_not_empty check (pg_catalog.cardinality(on_events) > 0),
    constraint ticket_rules_actions_not_empty check (pg_catalog.jsonb_typeof(actions) = 'array' and pg_catalog.jsonb_array_length(actions) > 0)
);
comment on table public.ticket_rules is
    'Event rules (docs/rules.md): on the listed events, when the conditions hold (all or any), '
    'the actions run, in the order of position then id. dry_run records what a rule would do '
    'and does nothing. Checked against the allow-lists when saved. Admins edit; staff read.';
comment on column public.ticket_rules.conditions is
    'A list of {"field", "op", "value"}: field from public.rule_condition_fields, op among its '
    'operators, value a text (a list for in). An empty list always holds.';
comment on column public.ticket_rules.actions is
    'A list of {"action", "value"}: action from public.rule_action_kinds.';
comment on constraint ticket_rules_name_unique on public.ticket_rules is 'a rule with this name exists already';
comment on constraint ticket_rules_name_not_blank on public.ticket_rules is 'name must not be blank';
comment on constraint ticket_rules_name_length on public.ticket_rules is 'name must be at most 100 characters';
comment on constraint ticket_rules_match_all_or_any on public.ticket_rules is 'match must be all or any';
comment on constraint ticket_rules_on_events_not_empty on public.ticket_rules is 'on_events must name at least one event';
comment on constraint ticket_rules_actions_not_empty on public.ticket_rules is 'actions must be a list of at least one action';

create index ticket_rules_position_idx on public.ticket_rules (position, id) where enabled;

create table public.ticket_rule_runs (
    id bigint generated always as identity primary key,
    rule_id bigint references public.ticket_rules (id) on delete set null,
    rule_name text not null,
    ticket_id uuid not null references public.support_tickets (id) on delete cascade,
    event text not null,
    dry_run boolean not null,
    actions jsonb not null,
    refused text,
    created_at timestamptz not null default now()
);
comment on table public.ticket_rule_runs is
    'History: each time an event rule matched a ticket, the actions it took (or would have taken, '
    'in dry run), or the refusal code that stopped it (its changes undone).';
create index ticket_rule_runs_ticket_id_idx on public.ticket_rule_runs (ticket_id, id);
create index ticket_rule_runs_rule_id_idx on public.ticket_rule_runs (rule_id, id);

-- One condition or action value against a vocabulary named by the allow-list.
create function private.rule_value_known(vocabulary regclass, value text)
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    known boolean;
begin
    if vocabulary is null then
        return true;
    end if;
    execute pg_catalog.format('select exists (select 1 from %s as v where v.code = $1)', vocabulary)
        into known using value;
    return known;
end;
$$;
comment on function private.rule_value_known(regclass, text) is
    'Whether value is a code of the vocabulary (true when there is none).';

-- The allow-list's row for a custom field's condition ("field.<key>"): its operators follow its
-- type. Custom fields are admins' data, so their rows are made here rather than stored.
create function private.custom_field_condition(field text)
    returns public.rule_condition_fields
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select ('field.' || f.key, array['fields', f.key],
            case f.field_type
                when 'text' then '{is,is_not,contains}'
                when 'one_of' then '{is,is_not,in}'
                when 'many_of' then '{has,has_not}'
                else '{is,is_not}'
            end::text[], null, f.label)::public.rule_condition_fields
    from public.custom_fields as f
    where 'field.' || f.key = custom_field_condition.field;
$$;
comment on function private.custom_field_condition(text) is
    'The condition field of a custom field (field.<key>): its path in the facts and the '
    'operators its type allows (text: is, is_not, contains; one_of: is, is_not, in; many_of: '
    'has, has_not; number, date, checkbox: is, is_not). Null for no such field.';

-- One value of a condition: a code of the field's vocabulary, a tag, or a value of the custom
-- field's definition (an option of a many_of for has).
create function private.rule_condition_value_valid(allowed public.rule_condition_fields, op text, value jsonb)
    returns boolean
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select case
        when allowed.field like 'field.%' then (
            select case
                when op = 'contains' then pg_catalog.jsonb_typeof(value) = 'string' and not private.is_blank(value #>> '{}')
                when op in ('has', 'has_not') then private.field_value_valid(f, pg_catalog.jsonb_build_array(value))
                else private.field_value_valid(f, value)
            end
            from public.custom_fields as f where 'field.' || f.key = allowed.field)
        when allowed.field = 'tag' then pg_catalog.jsonb_typeof(value) = 'string'
            and (value #>> '{}') ~ '^[a-z0-9][a-z0-9_-]{0,39}$'
        else pg_catalog.jsonb_typeof(value) = 'string' and private.rule_value_known(allowed.vocabulary, value #>> '{}')
    end;
$$;
comment on function private.rule_condition_value_valid(public.rule_condition_fields, text, jsonb) is
    'Whether one condition value suits its field: a code of its vocabulary, a tag''s form, or a '
    'value of the custom field''s type and options.';

-- The actions of an event or time rule (public.rule_action_kinds), checked when a rule is saved.
create function private.check_rule_actions(actions jsonb)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    item jsonb;
    n integer := 0;
    kind public.rule_action_kinds;
    value_text text;
    macro public.macros;
begin
    if pg_catalog.jsonb_typeof(check_rule_actions.actions) is distinct from 'array'
        or exists (select 1 from pg_catalog.jsonb_array_elements(check_rule_actions.actions) as a(x)
                   where pg_catalog.jsonb_typeof(a.x) <> 'object'
                       or not (a.x ? 'action') or (a.x - array['action', 'value']) <> '{}') then
        perform private.refuse('rule_malformed');
    end if;
    for item in select x from pg_catalog.jsonb_array_elements(check_rule_actions.actions) as a(x) loop
        n := n + 1;
        select k.* into kind from public.rule_action_kinds as k where k.action = item ->> 'action';
        if not found then
            perform private.refuse('rule_unknown_action', pg_catalog.jsonb_build_object('index', n));
        end if;
        value_text := item ->> 'value';
        if (pg_catalog.jsonb_typeof(item -> 'value') is distinct from 'string'
                and not (kind.action = 'set_assignee' and pg_catalog.jsonb_typeof(item -> 'value') = 'null'))
            or not private.rule_value_known(kind.vocabulary, value_text)
            or (kind.action = 'set_assignee' and value_text is not null and not exists (
                    select 1 from public.support_staff as s where s.user_id::text = value_text))
            or (kind.action in ('add_internal_note', 'add_public_reply', 'resolve', 'notify_webhook')
                and (private.is_blank(value_text) or pg_catalog.char_length(value_text) > 2000)) then
            perform private.refuse('rule_bad_value', pg_catalog.jsonb_build_object('part', 'action', 'index', n));
        end if;
        if kind.action = 'set_status' and not exists (
            select 1 from public.ticket_transitions as t
            where t.to_status = value_text and t.actor_kind = 'agent' and not t.requires_resolution) then
            perform private.refuse('rule_move_refused', pg_catalog.jsonb_build_object('index', n));
        end if;
        if kind.action in ('add_tag', 'remove_tag') and (value_text !~ '^[a-z0-9][a-z0-9_-]{0,39}$'
            or (kind.action = 'add_tag' and (select s.tags_from_list from public.tag_settings as s)
                and not exists (select 1 from public.tags as g where g.name = value_text))) then
            perform private.refuse('rule_bad_value', pg_catalog.jsonb_build_object('part', 'action', 'index', n));
        end if;
        if kind.action = 'apply_macro' then
            -- A shared macro only (a personal one is its author's), and none that assigns "me":
            -- a rule is nobody.
            select m.* into macro from public.macros as m
            where private.is_uuid(value_text) and m.id = value_text::uuid and m.owner_id is null;
            if not found or macro.changes ->> 'assignee_id' = 'me' then
                perform private.refuse('rule_bad_value', pg_catalog.jsonb_build_object('part', 'action', 'index', n));
            end if;
            if macro.changes ? 'status' and not exists (
                select 1 from public.ticket_transitions as t
                where t.to_status = macro.changes ->> 'status' and t.actor_kind = 'agent'
                    and (not t.requires_resolution or macro.changes ? 'resolution')) then
                perform private.refuse('rule_move_refused', pg_catalog.jsonb_build_object('index', n));
            end if;
        end if;
    end loop;
end;
$$;

comment on function private.check_rule_actions(jsonb) is
    'Checks a rule''s actions against public.rule_action_kinds: known actions, values in their '
    'vocabulary, staff assignees, note and reply texts, tags of the right form (from the list '
    'when tags come from it), shared macros, and status moves support may make without a '
    'resolution (400 rule_* otherwise).';

create function private.check_ticket_rule()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    item jsonb;
    n integer := 0;
    allowed public.rule_condition_fields;
begin
    -- Someone who may not save rules meets row level security (42501), not the rule language.
    if (select auth.uid()) is not null and not private.is_admin() then
        return new;
    end if;
    if pg_catalog.jsonb_typeof(new.conditions) <> 'array' or pg_catalog.jsonb_typeof(new.actions) <> 'array'
        or exists (select 1 from pg_catalog.jsonb_array_elements(new.conditions) as c(x)
                   where pg_catalog.jsonb_typeof(c.x) <> 'object'
                       or not (c.x ?& array['field', 'op', 'value']) or (c.x - array['field', 'op', 'value']) <> '{}') then
        perform private.refuse('rule_malformed');
    end if;
    if exists (select 1 from pg_catalog.unnest(new.on_events) as e(code)
               where not exists (select 1 from public.rule_events as r where r.code = e.code)) then
        perform private.refuse('rule_unknown_event');
    end if;

    for item in select x from pg_catalog.jsonb_array_elements(new.conditions) as c(x) loop
        n := n + 1;
        select f.* into allowed from public.rule_condition_fields as f where f.field = item ->> 'field';
        if not found then
            allowed := private.custom_field_condition(item ->> 'field');
        end if;
        if allowed.field is null then
            perform private.refuse('rule_unknown_field', pg_catalog.jsonb_build_object('index', n));
        end if;
        if not coalesce((item ->> 'op') = any (allowed.operators), false) then
            perform private.refuse('rule_unknown_operator', pg_catalog.jsonb_build_object('index', n));
        end if;
        if (item ->> 'op' = 'in') <> (pg_catalog.jsonb_typeof(item -> 'value') = 'array')
            or exists (select 1 from pg_catalog.jsonb_array_elements(
                           case when pg_catalog.jsonb_typeof(item -> 'value') = 'array' then item -> 'value'
                                else pg_catalog.jsonb_build_array(item -> 'value') end) as v(x)
                       where not private.rule_condition_value_valid(allowed, item ->> 'op', v.x)) then
            perform private.refuse('rule_bad_value', pg_catalog.jsonb_build_object('part', 'condition', 'index', n));
        end if;
    end loop;

    perform private.check_rule_actions(new.actions);
    new.updated_at := now();
    return new;
end;
$$;

comment on function private.check_ticket_rule() is
    'Before insert or update on public.ticket_rules: the rule is well formed and names only '
    'allowed events, fields, operators, values and actions, and only status moves support may '
    'make without a resolution (400 rule_* otherwise).';

create trigger ticket_rules_check
    before insert or update on public.ticket_rules
    for each row
    execute function private.check_ticket_rule();

-- The facts a condition reads: the ticket as a JSON object, the event, the requester's email,
-- and the text: the reply on user_replied (so a rule on the ticket's words does not run again
-- on every reply), the subject and description otherwise.
create function private.ticket_rule_facts(ticket_id uuid, event text, reply text)
    returns jsonb
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.jsonb_build_object(
        'ticket', pg_catalog.to_jsonb(t),
        'event', event,
        'requester_email', u.email,
        'text', coalesce(reply, pg_catalog.concat_ws(' ', t.subject, t.description)),
        'tags', (select coalesce(pg_catalog.jsonb_agg(g.tag), '[]') from public.ticket_tags as g
                 where g.ticket_id = t.id),
        'fields', (select coalesce(pg_catalog.jsonb_object_agg(v.field_key, v.value), '{}')
                   from public.ticket_field_values as v where v.ticket_id = t.id))
    from public.support_tickets as t
    left join auth.users as u on u.id = t.user_id
    where t.id = ticket_rule_facts.ticket_id;
$$;
comment on function private.ticket_rule_facts(uuid, text, text) is
    'What conditions test: {ticket (the row), event, requester_email, text (the reply, or the '
    'subject and description), tags (a list), fields ({key: value}, staff-only ones too)}. The '
    'paths of public.rule_condition_fields (and of private.custom_field_condition) point into it.';

create function private.apply_rule_action(ticket_id uuid, action jsonb)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    value_text text := action ->> 'value';
begin
    case action ->> 'action'
        when 'set_priority' then
            update public.support_tickets as t set priority = value_text
            where t.id = apply_rule_action.ticket_id and t.priority is distinct from value_text;
        when 'set_type' then
            update public.support_tickets as t set ticket_type = value_text
            where t.id = apply_rule_action.ticket_id and t.ticket_type is distinct from value_text;
        when 'set_status' then
            update public.support_tickets as t set status = value_text
            where t.id = apply_rule_action.ticket_id and t.status is distinct from value_text;
        when 'set_assignee' then
            update public.support_tickets as t
            set assignee_id = value_text::uuid,
                assigned_to = (select pg_catalog.left(s.display_name, 100) from public.support_staff as s
                               where s.user_id = value_text::uuid)
            where t.id = apply_rule_action.ticket_id and t.assignee_id is distinct from value_text::uuid;
        when 'add_internal_note' then
            insert into public.ticket_messages (ticket_id, author_kind, internal, body)
            values (apply_rule_action.ticket_id, 'system', true, value_text);
        when 'add_public_reply' then
            insert into public.ticket_messages (ticket_id, author_kind, internal, body)
            values (apply_rule_action.ticket_id, 'system', false, value_text);
        when 'resolve' then
            update public.support_tickets as t set status = 'resolved', resolution = value_text
            where t.id = apply_rule_action.ticket_id and t.status <> 'resolved';
        when 'add_tag' then
            insert into public.ticket_tags (ticket_id, tag) values (apply_rule_action.ticket_id, value_text)
            on conflict do nothing;
        when 'remove_tag' then
            delete from public.ticket_tags as g where g.ticket_id = apply_rule_action.ticket_id and g.tag = value_text;
        when 'apply_macro' then
            perform private.apply_macro_as_rule(apply_rule_action.ticket_id, value_text::uuid);
        when 'notify_webhook' then
            insert into public.ticket_events (ticket_id, kind, internal, actor_kind, to_value)
            values (apply_rule_action.ticket_id, 'rule_notice', true, 'system', value_text);
    end case;
end;
$$;
comment on function private.apply_rule_action(uuid, jsonb) is
    'Carries out one action of a rule on a ticket, through the table''s triggers and checks.';

-- A rule's actions, for event and time rules alike: the caller's identity set aside (the change
-- is support's, not the person's whose change set the rule off) and the rule's name set for
-- the history (ticket_events.rule_name), both restored after, as a nested rule may run within.
create function private.apply_rule_actions(ticket_id uuid, rule_name text, actions jsonb)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    claims text := pg_catalog.current_setting('request.jwt.claims', true);
    outer_rule text := pg_catalog.current_setting('support.rule_name', true);
    outer_cause text := pg_catalog.current_setting('support.rule_cause', true);
    action jsonb;
begin
    -- Who set the rule off (a nested rule keeps the first cause): private.notify_ticket_event
    -- does not tell them of the rule's changes, which are their own action's.
    if coalesce(outer_rule, '') = '' then
        perform pg_catalog.set_config('support.rule_cause',
            coalesce((select auth.uid())::text, ''), true);
    end if;
    perform pg_catalog.set_config('request.jwt.claims', '', true);
    perform pg_catalog.set_config('support.rule_name', rule_name, true);
    for action in select x from pg_catalog.jsonb_array_elements(actions) as a(x) loop
        perform private.apply_rule_action(apply_rule_actions.ticket_id, action);
    end loop;
    perform pg_catalog.set_config('support.rule_name', coalesce(outer_rule, ''), true);
    perform pg_catalog.set_config('support.rule_cause', coalesce(outer_cause, ''), true);
    perform pg_catalog.set_config('request.jwt.claims', coalesce(claims, ''), true);
end;
$$;
comment on function private.apply_rule_actions(uuid, text, jsonb) is
    'Carries out a rule''s actions on a ticket as support''s, each history event naming the rule.';

-- A macro applied by a rule: its reply as the system's message ({{agent.*}} render as support),
-- each change as the rule action that makes it, so a macro does through a rule only what a rule
-- may do. Its usage counts as an agent's would.
create function private.apply_macro_as_rule(ticket_id uuid, macro_id uuid)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    macro public.macros;
    ticket public.support_tickets;
    change record;
begin
    select m.* into macro from public.macros as m where m.id = apply_macro_as_rule.macro_id and m.owner_id is null;
    if not found then
        perform private.refuse('macro_not_found');
    end if;
    if not private.is_blank(macro.body) then
        select t.* into ticket from public.support_tickets as t where t.id = apply_macro_as_rule.ticket_id;
        insert into public.ticket_messages (ticket_id, author_kind, internal, body)
        values (apply_macro_as_rule.ticket_id, 'system', macro.internal, private.render_macro(macro.body, ticket, null));
    end if;
    for change in
        select a.action, case when a.action = 'resolve' then macro.changes -> 'resolution'
                              else macro.changes -> a.key end as value
        from (values (1, 'priority', 'set_priority'), (2, 'ticket_type', 'set_type'),
                     (3, 'assignee_id', 'set_assignee'),
                     (4, 'status', case when macro.changes ->> 'status' = 'resolved' and macro.changes ? 'resolution'
                                        then 'resolve' else 'set_status' end))
             as a (n, key, action)
        where macro.changes ? a.key
        order by a.n
    loop
        perform private.apply_rule_action(apply_macro_as_rule.ticket_id,
            pg_catalog.jsonb_build_object('action', change.action, 'value', change.value));
    end loop;
    insert into public.ticket_tags (ticket_id, tag)
    select apply_macro_as_rule.ticket_id, x from pg_catalog.jsonb_array_elements_text(coalesce(macro.changes -> 'add_tags', '[]')) as a(x)
    on conflict do nothing;
    delete from public.ticket_tags as g
    where g.ticket_id = apply_macro_as_rule.ticket_id
        and g.tag in (select pg_catalog.jsonb_array_elements_text(coalesce(macro.changes -> 'remove_tags', '[]')));
    update public.macros as m set usage_count = m.usage_count + 1 where m.id = macro.id;
end;
$$;
comment on function private.apply_macro_as_rule(uuid, uuid) is
    'The apply_macro action of a rule: a shared macro''s reply as a system message and its '
    'changes as rule actions (the lifecycle as for support), its tags added and removed.';

-- Security definer: a rule acts for support, whoever's change set it off (a user filing or
-- replying holds no update on tickets). It runs only the rules admins saved, checked then; each
-- action meets the same triggers as support's own changes, with the caller's identity set aside
-- for the action (the lifecycle checks it as support's move; the history names no person).
create function private.run_ticket_rules(ticket_id uuid, event text, reply text default null)
    returns void
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    depth integer := coalesce(nullif(pg_catalog.current_setting('support.rule_depth', true), '')::integer, 0);
    done text;
    pair text;
    rule public.ticket_rules;
    refusal text;
    -- Built once, and again only after a rule changed the ticket: most rules match nothing.
    facts jsonb;
begin
    if depth >= 2 then
        return;
    end if;
    if depth = 0 then
        perform pg_catalog.set_config('support.rules_done', '', true);
    end if;
    perform pg_catalog.set_config('support.rule_depth', (depth + 1)::text, true);
    -- The next matching rule after the last one run, tested in one query over all the rules
    -- (the common case: none matches, one query per event, bench/rules_bench.py).
    loop
        facts := coalesce(facts, private.ticket_rule_facts(run_ticket_rules.ticket_id, event, reply));
        done := coalesce(pg_catalog.current_setting('support.rules_done', true), '');
        select r.* into rule
        from public.ticket_rules as r
        cross join lateral (
            select pg_catalog.bool_or(m.holds) as one, pg_catalog.bool_and(m.holds) as every
            from (
                select case c.x ->> 'op'
                           when 'is' then coalesce(facts #>> p.path, '') = c.x ->> 'value'
                           when 'is_not' then coalesce(facts #>> p.path, '') <> c.x ->> 'value'
                           when 'in' then coalesce(facts #>> p.path, '') in (
                               select pg_catalog.jsonb_array_elements_text(c.x -> 'value'))
                           when 'contains' then pg_catalog.strpos(
                               pg_catalog.lower(coalesce(facts #>> p.path, '')), pg_catalog.lower(c.x ->> 'value')) > 0
                           when 'has' then coalesce((facts #> p.path) ? (c.x ->> 'value'), false)
                           when 'has_not' then not coalesce((facts #> p.path) ? (c.x ->> 'value'), false)
                       end as holds
                from pg_catalog.jsonb_array_elements(r.conditions) as c(x)
                left join public.rule_condition_fields as f on f.field = c.x ->> 'field'
                -- A custom field's condition (field.<key>) reads fields.<key>.
                cross join lateral (select coalesce(f.path,
                    array['fields', pg_catalog.substr(c.x ->> 'field', 7)]) as path) as p
            ) as m
        ) as tested
        where r.enabled and run_ticket_rules.event = any (r.on_events)
            and (r.position, r.id) > (coalesce(rule.position, -2147483648), coalesce(rule.id, 0))
            and pg_catalog.strpos(done, run_ticket_rules.ticket_id::text || '/' || r.id::text || ';') = 0
            and case when r.match = 'any' then coalesce(tested.one, true) else coalesce(tested.every, true) end
        order by r.position, r.id
        limit 1;
        exit when not found;
        pair := run_ticket_rules.ticket_id::text || '/' || rule.id::text || ';';
        perform pg_catalog.set_config('support.rules_done', done || pair, true);
        refusal := null;
        if not rule.dry_run then
            begin
                perform private.apply_rule_actions(run_ticket_rules.ticket_id, rule.name, rule.actions);
                facts := null;
            exception when others then
                -- The rule's changes are undone with the subtransaction; the caller's stand.
                get stacked diagnostics refusal = returned_sqlstate;
                refusal := coalesce(nullif(pg_catalog.substring(sqlerrm, '"code" : "([a-z_]+)"'), ''), refusal);
            end;
        end if;
        insert into public.ticket_rule_runs (rule_id, rule_name, ticket_id, event, dry_run, actions, refused)
        values (rule.id, rule.name, run_ticket_rules.ticket_id, event, rule.dry_run, rule.actions, refusal);
    end loop;
    perform pg_catalog.set_config('support.rule_depth', depth::text, true);
end;
$$;
comment on function private.run_ticket_rules(uuid, text, text) is
    'Runs the enabled event rules listening to event on a ticket, in order (position, id), each '
    'at most once per (ticket, rule) per event, one more pass for the rules'' own changes. '
    'Records each match in public.ticket_rule_runs. Security definer: a rule acts for support, '
    'whoever''s change set it off; the caller''s identity is set aside for its actions.';

create function private.ticket_rules_on_ticket()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    if tg_op = 'INSERT' then
        perform private.run_ticket_rules(new.id, 'created');
    elsif new.status is distinct from old.status then
        perform private.run_ticket_rules(new.id, 'status_changed');
    end if;
    return null;
end;
$$;
comment on function private.ticket_rules_on_ticket() is
    'After insert or update of status on public.support_tickets: runs the rules of created or status_changed.';

create function private.ticket_rules_on_message()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    if new.author_kind = 'user' and not new.internal then
        perform private.run_ticket_rules(new.ticket_id, 'user_replied', new.body);
    end if;
    return null;
end;
$$;
comment on function private.ticket_rules_on_message() is
    'After insert on public.ticket_messages: a user''s public reply runs the rules of user_replied.';

revoke all on function private.rule_value_known(regclass, text), private.check_ticket_rule(),
    private.check_rule_actions(jsonb),
    private.ticket_rule_facts(uuid, text, text),
    private.apply_rule_action(uuid, jsonb), private.run_ticket_rules(uuid, text, text),
    private.ticket_rules_on_ticket(), private.ticket_rules_on_message(),
    private.custom_field_condition(text),
    private.rule_condition_value_valid(public.rule_condition_fields, text, jsonb),
    private.apply_macro_as_rule(uuid, uuid), private.apply_rule_actions(uuid, text, jsonb) from public;
grant execute on function private.run_ticket_rules(uuid, text, text), private.rule_value_known(regclass, text),
    private.check_rule_actions(jsonb), private.custom_field_condition(text),
    private.rule_condition_value_valid(public.rule_condition_fields, text, jsonb) to authenticated, service_role;

-- A custom field a rule tests stays until no rule names it: a rule whose condition lost its
-- field would hold (or fail) on nothing.
create function private.keep_custom_fields_of_rules()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    if exists (select 1 from public.ticket_rules as r, pg_catalog.jsonb_array_elements(r.conditions) as c(x)
               where c.x ->> 'field' = 'field.' || old.key) then
        perform private.refuse('custom_field_in_rule');
    end if;
    return old;
end;
$$;
comment on function private.keep_custom_fields_of_rules() is
    'Before delete on public.custom_fields: 409 custom_field_in_rule while a rule tests the field.';
revoke all on function private.keep_custom_fields_of_rules() from public;
grant execute on function private.keep_custom_fields_of_rules() to authenticated, service_role;
create trigger custom_fields_keep_rules
    before delete on public.custom_fields
    for each row
    execute function private.keep_custom_fields_of_rules();

-- Named to fire after the ticket's own after-triggers (history, notifications): the rule's
-- changes come after the change that set it off, in the history too.
create trigger support_tickets_zz_run_rules
    after insert or update of status on public.support_tickets
    for each row
    execute function private.ticket_rules_on_ticket();
create trigger ticket_messages_zz_run_rules
    after insert on public.ticket_messages
    for each row
    execute function private.ticket_rules_on_message();

alter table public.rule_events enable row level security;
alter table public.rule_condition_fields enable row level security;
alter table public.rule_action_kinds enable row level security;
alter table public.ticket_rules enable row level security;
alter table public.ticket_rule_runs enable row level security;
revoke all on table public.rule_events, public.rule_condition_fields, public.rule_action_kinds,
    public.ticket_rules, public.ticket_rule_runs from anon, authenticated;
grant select on table public.rule_events, public.rule_condition_fields, public.rule_action_kinds,
    public.ticket_rules, public.ticket_rule_runs to authenticated;
grant delete on table public.ticket_rules to authenticated;
grant insert (name, position, enabled, dry_run, on_events, match, conditions, actions)
    on table public.ticket_rules to authenticated;
grant update (name, position, enabled, dry_run, on_events, match, conditions, actions)
    on table public.ticket_rules to authenticated;
grant select, insert, update, delete on table public.ticket_rules to service_role;
grant select on table public.rule_events, public.rule_condition_fields, public.rule_action_kinds,
    public.ticket_rule_runs to service_role;

-- A vocabulary (code, label, position): signed-in users read the labels, as every vocabulary's.
create policy "signed-in users read the rule events" on public.rule_events for select to authenticated
    using (true);
create policy "staff read the rule fields" on public.rule_condition_fields for select to authenticated
    using ((select private.is_staff()));
create policy "staff read the rule actions" on public.rule_action_kinds for select to authenticated
    using ((select private.is_staff()));
create policy "staff read the rules" on public.ticket_rules for select to authenticated
    using ((select private.is_staff()));
create policy "admins add rules" on public.ticket_rules for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change rules" on public.ticket_rules for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins delete rules" on public.ticket_rules for delete to authenticated
    using ((select private.is_admin()));
create policy "staff read the rule runs" on public.ticket_rule_runs for select to authenticated
    using ((select private.is_staff()));

insert into private.table_registry (table_name, configuration, note) values
    ('public.rule_events', true, 'event rules: the events rules listen to'),
    ('public.rule_condition_fields', true, 'event rules: allow-list of condition fields'),
    ('public.rule_action_kinds', true, 'event rules: allow-list of actions'),
    ('public.ticket_rules', true, 'event rules'),
    ('public.ticket_rule_runs', false, 'history: what each event rule did');

do $$
declare
    audited text;
begin
    foreach audited in array array['public.rule_events', 'public.rule_condition_fields',
                                   'public.rule_action_kinds', 'public.ticket_rules'] loop
        execute pg_catalog.format(
            'create trigger audit_changes after insert or update or delete on %s '
            'for each row execute function private.record_audit()', audited);
        execute pg_catalog.format(
            'create trigger audit_truncate after truncate on %s '
            'for each statement execute function private.record_audit()', audited);
    end loop;
end;
$$;
