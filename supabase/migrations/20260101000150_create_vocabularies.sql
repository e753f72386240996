-- The vocabularies: one table per enumeration the API stores (ticket types, ticket priorities
-- with their rank, ticket statuses, feedback categories, feedback statuses, ticket event kinds).
--
-- Why: a value used to be spelled out in every migration, worker and page that knew it, so
-- adding a ticket type took 8-10 edits, two of which failed silently. Now the columns reference
-- these rows by foreign keys, and every layer reads them: the queue and its filters, the order
-- of support_stats (rank), triage's allowed values, the worker's email words, the companion,
-- the dashboard's labels and the OpenAPI check. Adding a value is one row, in a migration.
-- code is the value stored in the referencing column (the contract's words, unchanged), label
-- what people read, position the order lists and messages show them in.
--
-- The foreign keys' messages: the comment on each foreign key is the message a client reads,
-- as for CHECK constraints. `{codes}` in it stands for the codes of the referenced table in
-- position order (private.vocabulary_message), so the message follows the rows. PostgreSQL
-- reports a broken foreign key as 23503, which PostgREST answers with 409 and the key's value;
-- private.check_vocabulary (a before trigger, see the referencing tables) refuses the same rows
-- first as a check violation named after the foreign key, so every path keeps the 400 and the
-- wording it had when these were CHECK constraints, and no value is echoed.
--
-- Everyone signed in reads the rows (they are labels); nobody but migrations and admins
-- (postgres, service_role in Studio) writes them.

-- squawk: position and rank order a handful of rows; rank is support_tickets.priority_order's type.
-- squawk-ignore-file prefer-bigint-over-smallint

create table public.ticket_types (
    code text primary key,
    label text not null,
    position smallint not null unique,
    duplicate_candidates boolean not null default false,
    constraint ticket_types_code_format check (code ~ '^[a-z][a-z_]{0,39}$'),
    constraint ticket_types_label_not_blank check (label !~ '^[[:space:]]*$')
);

create table public.ticket_priorities (
    code text primary key,
    label text not null,
    position smallint not null unique,
    rank smallint not null unique,
    user_request_becomes text,
    constraint ticket_priorities_code_format check (code ~ '^[a-z][a-z_]{0,39}$'),
    constraint ticket_priorities_label_not_blank check (label !~ '^[[:space:]]*$'),
    constraint ticket_priorities_user_request_becomes_valid
        foreign key (user_request_becomes) references public.ticket_priorities (code)
);

create table public.ticket_statuses (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint ticket_statuses_code_format check (code ~ '^[a-z][a-z_]{0,39}$'),
    constraint ticket_statuses_label_not_blank check (label !~ '^[[:space:]]*$')
);

create table public.feedback_categories (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint feedback_categories_code_format check (code ~ '^[a-z][a-z_]{0,39}$'),
    constraint feedback_categories_label_not_blank check (label !~ '^[[:space:]]*$')
);

create table public.feedback_statuses (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint feedback_statuses_code_format check (code ~ '^[a-z][a-z_]{0,39}$'),
    constraint feedback_statuses_label_not_blank check (label !~ '^[[:space:]]*$')
);

create table public.ticket_event_kinds (
    code text primary key,
    label text not null,
    position smallint not null unique,
    internal boolean not null default false,
    constraint ticket_event_kinds_code_format check (code ~ '^[a-z][a-z_]{0,39}$'),
    constraint ticket_event_kinds_label_not_blank check (label !~ '^[[:space:]]*$')
);

comment on table public.ticket_types is
    'The ticket types (support_tickets.ticket_type). Adding a type is one row.';
comment on column public.ticket_types.duplicate_candidates is
    'Whether open tickets of this type are reports of a problem that others may report again: '
    'the candidates of the likely-duplicates lookup (support_similar_tickets).';
comment on table public.ticket_priorities is
    'The ticket priorities (support_tickets.priority). rank orders the queue, 0 the most urgent; '
    'position orders lists and messages. Adding a priority is one row.';
comment on column public.ticket_priorities.user_request_becomes is
    'The priority a ticket filed at this one by a signed-in user who is not staff is worked at '
    'until an agent raises it (20260111000200); null: as asked.';
comment on constraint ticket_priorities_user_request_becomes_valid on public.ticket_priorities is
    'user_request_becomes must be one of {codes}';
comment on column public.ticket_priorities.rank is
    'Urgency, 0 first: the queue''s "by priority" order and support_stats'' backlog order '
    '(copied into support_tickets.priority_order when a ticket is written).';
comment on table public.ticket_statuses is
    'The ticket statuses (support_tickets.status), in workflow order; the moves between them are '
    'rows of ticket_transitions.';
comment on table public.feedback_categories is
    'The feedback categories (user_feedback.category), the contract''s five.';
comment on table public.feedback_statuses is
    'The feedback statuses (user_feedback.status), in workflow order; the moves between them are '
    'rows of feedback_transitions.';
comment on table public.ticket_event_kinds is
    'The kinds of public.ticket_events. internal: events of this kind are hidden from the '
    'ticket''s owner.';

do $$
declare
    vocabulary text;
begin
    foreach vocabulary in array array[
        'ticket_types', 'ticket_priorities', 'ticket_statuses', 'feedback_categories',
        'feedback_statuses', 'ticket_event_kinds'
    ] loop
        execute pg_catalog.format(
            'comment on column public.%1$I.code is %2$L;'
            'comment on column public.%1$I.label is %3$L;'
            'comment on column public.%1$I.position is %4$L;'
            'comment on constraint %1$s_code_format on public.%1$I is %5$L;'
            'comment on constraint %1$s_label_not_blank on public.%1$I is %6$L;'
            'alter table public.%1$I enable row level security;'
            'revoke all on table public.%1$I from anon, authenticated, service_role;'
            'grant select on table public.%1$I to authenticated, service_role;'
            'create policy "signed-in users read the labels" on public.%1$I '
            '    for select to authenticated using (true);',
            vocabulary,
            'The value stored and sent by the API; never changed once used.',
            'What people read.',
            'Where the value comes in lists and messages.',
            'code must be lower-case letters and underscores, at most 40 characters',
            'label must not be blank');
    end loop;
end;
$$;

insert into public.ticket_types (code, label, position, duplicate_candidates) values
    ('bug', 'Bug', 1, true), ('technical', 'Technical', 2, true), ('billing', 'Billing', 3, false),
    ('account', 'Account', 4, false), ('other', 'Other', 5, false);
insert into public.ticket_priorities (code, label, position, rank, user_request_becomes) values
    ('low', 'Low', 1, 3, null), ('medium', 'Medium', 2, 2, null), ('high', 'High', 3, 1, null),
    ('urgent', 'Urgent', 4, 0, 'high');
insert into public.ticket_statuses (code, label, position) values
    ('open', 'Open', 1), ('in_progress', 'In progress', 2), ('resolved', 'Resolved', 3),
    ('closed', 'Closed', 4);
insert into public.feedback_categories (code, label, position) values
    ('feature_request', 'Feature request', 1), ('improvement', 'Improvement', 2),
    ('complaint', 'Complaint', 3), ('praise', 'Praise', 4), ('other', 'Other', 5);
insert into public.feedback_statuses (code, label, position) values
    ('received', 'Received', 1), ('under_review', 'Under review', 2), ('planned', 'Planned', 3),
    ('in_progress', 'In progress', 4), ('shipped', 'Shipped', 5), ('declined', 'Declined', 6),
    ('duplicate', 'Duplicate', 7);
insert into public.ticket_event_kinds (code, label, position, internal) values
    ('created', 'filed the ticket', 1, false),
    ('status', 'changed the status', 2, false),
    ('priority', 'changed the priority', 3, false),
    ('type', 'changed the type', 4, false),
    ('assignee', 'changed the assignee', 5, true),
    ('public_reply', 'replied publicly', 6, false),
    ('internal_note', 'added an internal note', 7, true),
    ('rating', 'rated it', 8, false),
    ('linked', 'opened a follow-up ticket', 9, false),
    ('merged', 'merged the ticket', 10, false),
    ('problem', 'linked or unlinked a problem', 11, true),
    ('resolution', 'changed the resolution', 12, false),
    ('notes', 'changed the admin notes', 13, false);

create function private.vocabulary_message(constraint_oid oid)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    message text;
    vocabulary regclass;
    codes text;
begin
    -- The comment of a foreign key to a vocabulary, `{codes}` replaced by the codes in position
    -- order; the comment as it is for any other constraint.
    select pg_catalog.obj_description(c.oid, 'pg_constraint'), c.confrelid::regclass
    into message, vocabulary
    from pg_catalog.pg_constraint as c
    where c.oid = constraint_oid;
    if message is null or pg_catalog.strpos(message, '{codes}') = 0 then
        return message;
    end if;
    execute pg_catalog.format(
        'select pg_catalog.string_agg(v.code, '', '' order by v.position) from %s as v', vocabulary)
    into codes;
    return pg_catalog.replace(message, '{codes}', coalesce(codes, ''));
end;
$$;

comment on function private.vocabulary_message(oid) is
    'The message of a constraint: its comment, with {codes} (in the comment of a foreign key to '
    'a vocabulary) replaced by the referenced table''s codes in position order.';

create function private.check_vocabulary()
    returns trigger
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    fk record;
    known boolean;
    new_row jsonb := pg_catalog.to_jsonb(new);
begin
    -- Every single-column foreign key of the table to a vocabulary (a table of public with a
    -- code and a position): a value that is not a row is refused here, as the check constraint
    -- it replaces would have been (23514, named after the foreign key, PostgreSQL's wording),
    -- before the foreign key would answer 23503 quoting it. Null is left to NOT NULL.
    for fk in
        select c.conname, a.attname, c.confrelid::regclass as vocabulary
        from pg_catalog.pg_constraint as c
        join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        where c.conrelid = tg_relid and c.contype = 'f' and pg_catalog.cardinality(c.conkey) = 1
            and exists (
                select 1 from pg_catalog.pg_attribute as p
                where p.attrelid = c.confrelid and p.attname = 'position' and not p.attisdropped)
    loop
        continue when new_row ->> fk.attname is null;
        execute pg_catalog.format('select exists (select 1 from %s as v where v.code = $1)', fk.vocabulary)
        into known using new_row ->> fk.attname;
        if not known then
            raise exception 'new row for relation "%" violates check constraint "%"', tg_table_name, fk.conname
                using errcode = 'check_violation', schema = tg_table_schema, table = tg_table_name,
                    constraint = fk.conname, column = fk.attname;
        end if;
    end loop;
    return new;
end;
$$;

comment on function private.check_vocabulary() is
    'Before insert or update of a vocabulary column: refuses a value that is not a row of the '
    'vocabulary as a check violation named after the foreign key (400, its message), rather '
    'than the foreign key''s 23503 (409, quoting the value).';

revoke all on function private.vocabulary_message(oid), private.check_vocabulary() from public;
grant execute on function private.vocabulary_message(oid), private.check_vocabulary()
    to authenticated, service_role;

create function private.check_vocabulary_filter(table_name text, column_name text, value text)
    returns void
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    fk record;
    known boolean;
begin
    -- A filter on a vocabulary column (list_my_tickets' status, the staff queues' filters):
    -- null passes, a code of the vocabulary passes, anything else is a 400 with the message of
    -- the column's foreign key, as an insert would get.
    if value is null then
        return;
    end if;
    select c.conname, c.confrelid::regclass as vocabulary into fk
    from pg_catalog.pg_constraint as c
    join pg_catalog.pg_attribute as a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.conrelid = pg_catalog.format('public.%I', table_name)::regclass
        and c.contype = 'f' and a.attname = column_name;
    execute pg_catalog.format('select exists (select 1 from %s as v where v.code = $1)', fk.vocabulary)
    into known using value;
    if not known then
        perform private.raise_rule_violation('22023', 'public', table_name, fk.conname, column_name);
    end if;
end;
$$;

comment on function private.check_vocabulary_filter(text, text, text) is
    'A filter on a vocabulary column of a public table: 400 with the message of the column''s '
    'foreign key unless the value is null or a code of the vocabulary.';
revoke all on function private.check_vocabulary_filter(text, text, text) from public;
grant execute on function private.check_vocabulary_filter(text, text, text) to authenticated, service_role;

create function private.field_codes(field text)
    returns text[]
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    -- The codes a field of a ticket or feedback entry may take, in position order; null for a
    -- field without a vocabulary. Triage's suggestions and decisions name fields this way.
    return case field
        when 'ticket_type' then array(select v.code from public.ticket_types as v order by v.position)
        when 'priority' then array(select v.code from public.ticket_priorities as v order by v.position)
        when 'status' then array(select v.code from public.ticket_statuses as v order by v.position)
        when 'category' then array(select v.code from public.feedback_categories as v order by v.position)
    end;
end;
$$;

comment on function private.field_codes(text) is
    'The codes of the vocabulary of a field (ticket_type, priority, status, category), in '
    'position order; null for any other field.';
revoke all on function private.field_codes(text) from public;
grant execute on function private.field_codes(text) to authenticated, service_role;

create function private.event_value_label(event_kind text, value text)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    -- The label of the value a status, priority or type event changed from or to (emails and
    -- webhooks say "in progress", not in_progress); null for other kinds and unknown values.
    return case event_kind
        when 'status' then (select v.label from public.ticket_statuses as v where v.code = value)
        when 'priority' then (select v.label from public.ticket_priorities as v where v.code = value)
        when 'type' then (select v.label from public.ticket_types as v where v.code = value)
    end;
end;
$$;

comment on function private.event_value_label(text, text) is
    'The label of a value of a status, priority or type event (public.ticket_events), from its '
    'vocabulary; null for other kinds.';
revoke all on function private.event_value_label(text, text) from public;
grant execute on function private.event_value_label(text, text) to authenticated, service_role;

create function public.vocabulary_labels()
    returns json
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.json_build_object(
        'ticket_types', (select pg_catalog.json_agg(pg_catalog.json_build_object(
            'code', v.code, 'label', v.label) order by v.position) from public.ticket_types as v),
        'ticket_priorities', (select pg_catalog.json_agg(pg_catalog.json_build_object(
            'code', v.code, 'label', v.label, 'rank', v.rank) order by v.rank) from public.ticket_priorities as v),
        'ticket_statuses', (select pg_catalog.json_agg(pg_catalog.json_build_object(
            'code', v.code, 'label', v.label) order by v.position) from public.ticket_statuses as v),
        'feedback_categories', (select pg_catalog.json_agg(pg_catalog.json_build_object(
            'code', v.code, 'label', v.label) order by v.position) from public.feedback_categories as v),
        'feedback_statuses', (select pg_catalog.json_agg(pg_catalog.json_build_object(
            'code', v.code, 'label', v.label) order by v.position) from public.feedback_statuses as v),
        'ticket_event_kinds', (select pg_catalog.json_agg(pg_catalog.json_build_object(
            'code', v.code, 'label', v.label, 'internal', v.internal) order by v.position)
            from public.ticket_event_kinds as v)
    );
$$;

comment on function public.vocabulary_labels() is
    'Every vocabulary''s codes and labels in one answer, for clients that show them (the '
    'dashboard loads it once per page load): {ticket_types, ticket_priorities (most urgent '
    'first, with rank), ticket_statuses, feedback_categories, feedback_statuses, '
    'ticket_event_kinds (with internal)}, each [{code, label}] in position order.';
revoke all on function public.vocabulary_labels() from public, anon, authenticated, service_role;
grant execute on function public.vocabulary_labels() to authenticated;
