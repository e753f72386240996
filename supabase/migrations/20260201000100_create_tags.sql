-- Tags: staff labels on tickets and feedback, free or from a list admins keep.
--
-- Why: agents sort their work by labels ("refund", "ios-17", "vip") that the fixed vocabularies
-- do not have. A tag is a short lower-case word. public.tag_settings decides whether staff may
-- type any tag (free) or only those of public.tags (the list admins manage, with a label and a
-- description); the list also feeds the dashboard's suggestions in free mode. Tags are staff's:
-- users neither see nor set them. Staff add and remove them through support_tag_ticket and
-- support_tag_feedback; every tag added or removed is one history event (tag_added, tag_removed,
-- internal: the owner does not see it), written by triggers on every path.

insert into public.support_messages (topic, status, code, message, hint) values
    ('tag_not_listed', 400, 'tag_not_listed', 'tags must be tags of the list (public.tags)',
        'Tags are chosen from the list an admin keeps; an admin adds a tag there, or allows free tags in tag_settings.'),
    ('tags_nothing_to_do', 400, 'tags_nothing_to_do', 'give add or remove (arrays of tags)', null);

create table public.tags (
    name text primary key,
    label text not null,
    description text,
    created_at timestamptz not null default now(),
    constraint tags_name_format check (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    constraint tags_label_not_blank check (not private.is_blank(label)),
    constraint tags_label_max_length check (char_length(label) <= 60),
    constraint tags_description_max_length check (char_length(description) <= 500)
);

comment on table public.tags is
    'The tags admins keep: the only tags staff may use when tag_settings.tags_from_list, the '
    'suggestions otherwise. Removing a tag from the list leaves it on the tickets that have it.';
comment on column public.tags.name is 'The tag as stored on tickets and feedback.';
comment on column public.tags.label is 'What people read.';
comment on column public.tags.description is 'When to use it (shown to staff).';
comment on constraint tags_name_format on public.tags is
    'name must be lower-case letters, digits, - and _, starting with a letter or digit, at most 40 characters';
comment on constraint tags_label_not_blank on public.tags is 'label must not be blank';
comment on constraint tags_label_max_length on public.tags is 'label must be at most 60 characters';
comment on constraint tags_description_max_length on public.tags is 'description must be at most 500 characters';

create table public.tag_settings (
    id boolean primary key default true,
    tags_from_list boolean not null default false,
    constraint tag_settings_id_single check (id)
);

comment on table public.tag_settings is
    'One row: whether staff may use any tag (tags_from_list false) or only the tags of public.tags.';
comment on column public.tag_settings.tags_from_list is
    'True: a tag that is not a row of public.tags is refused (400 tag_not_listed).';
comment on constraint tag_settings_id_single on public.tag_settings is 'tag_settings holds one row';

insert into public.tag_settings (id, tags_from_list) values (true, false);

create table public.ticket_tags (
    ticket_id uuid not null references public.support_tickets (id) on delete cascade,
    tag text not null,
    -- No foreign key: the tag stays on the ticket even after that account is gone.
    added_by uuid,
    added_at timestamptz not null default now(),
    primary key (ticket_id, tag),
    constraint ticket_tags_tag_format check (tag ~ '^[a-z0-9][a-z0-9_-]{0,39}$')
);

create table public.feedback_tags (
    feedback_id uuid not null references public.user_feedback (id) on delete cascade,
    tag text not null,
    added_by uuid,
    added_at timestamptz not null default now(),
    primary key (feedback_id, tag),
    constraint feedback_tags_tag_format check (tag ~ '^[a-z0-9][a-z0-9_-]{0,39}$')
);

comment on table public.ticket_tags is
    'Tags on tickets, set by staff (support_tag_ticket). Users do not see them.';
comment on table public.feedback_tags is
    'Tags on feedback entries, set by staff (support_tag_feedback). Users do not see them.';
comment on column public.ticket_tags.added_by is 'The staff member who added the tag.';
comment on column public.feedback_tags.added_by is 'The staff member who added the tag.';
comment on constraint ticket_tags_tag_format on public.ticket_tags is
    'tags must be lower-case letters, digits, - and _, starting with a letter or digit, at most 40 characters';
comment on constraint feedback_tags_tag_format on public.feedback_tags is
    'tags must be lower-case letters, digits, - and _, starting with a letter or digit, at most 40 characters';

-- Filtering by tag (the queue's and the saved views' tag conditions).
create index ticket_tags_tag_ticket_id_idx on public.ticket_tags (tag, ticket_id);
create index feedback_tags_tag_feedback_id_idx on public.feedback_tags (tag, feedback_id);

alter table public.tags enable row level security;
alter table public.tag_settings enable row level security;
alter table public.ticket_tags enable row level security;
alter table public.feedback_tags enable row level security;
revoke all on table public.tags, public.tag_settings, public.ticket_tags, public.feedback_tags
    from anon, authenticated;
grant select, insert, delete on table public.tags to authenticated;
grant update (label, description) on table public.tags to authenticated;
grant select on table public.tag_settings to authenticated;
grant update (tags_from_list) on table public.tag_settings to authenticated;
grant select, insert, update, delete on table public.tags, public.ticket_tags, public.feedback_tags
    to service_role;
grant select, update on table public.tag_settings to service_role;
-- ticket_tags and feedback_tags: no grant to signed-in users. Staff read them through the
-- staff operations (support_ticket, the queue) and write them through support_tag_ticket and
-- support_tag_feedback, as they do tickets (see 20260110000800 for why staff hold no policy).

create policy "staff read the tag list"
    on public.tags for select to authenticated
    using ((select private.is_staff()));
create policy "admins add tags"
    on public.tags for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change tags"
    on public.tags for update to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));
create policy "admins remove tags"
    on public.tags for delete to authenticated
    using ((select private.is_admin()));
create policy "staff read the tag setting"
    on public.tag_settings for select to authenticated
    using ((select private.is_staff()));
create policy "admins change the tag setting"
    on public.tag_settings for update to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.tags', true, '{}', 'the tag list'),
    ('public.tag_settings', true, '{}', 'whether tags are free or from the list'),
    ('public.ticket_tags', false, '{}', 'user data: tags on tickets (added_by: a staff id)'),
    ('public.feedback_tags', false, '{}', 'user data: tags on feedback (added_by: a staff id)');

create trigger audit_changes after insert or update or delete on public.tags
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.tags
    for each statement execute function private.record_audit();
create trigger audit_changes after insert or update or delete on public.tag_settings
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.tag_settings
    for each statement execute function private.record_audit();

-- The history: one event per tag added or removed, on every path.
insert into public.ticket_event_kinds (code, label, position, internal)
select k.code, k.label, (select max(e.position) from public.ticket_event_kinds as e) + k.n, true
from (values ('tag_added', 'added a tag', 1), ('tag_removed', 'removed a tag', 2)) as k (code, label, n);

-- Security definer: no role may insert into the history tables; it writes exactly the event of
-- the row that fired it, the actor from the request (auth.uid()). A tag removed because its
-- ticket or entry is being deleted leaves no event (the parent is gone).
create function private.record_tag_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
    tag_row jsonb := pg_catalog.to_jsonb(coalesce(new, old));
    kind text := case when tg_op = 'INSERT' then 'tag_added' else 'tag_removed' end;
    owner uuid;
begin
    if tg_table_name = 'ticket_tags' then
        select t.user_id into owner from public.support_tickets as t where t.id = (tag_row ->> 'ticket_id')::uuid;
        if found then
            insert into public.ticket_events (ticket_id, kind, internal, actor_id, actor_kind, from_value, to_value)
            values ((tag_row ->> 'ticket_id')::uuid, kind, true, caller,
                coalesce(private.ticket_actor_kind(owner), 'agent'),
                case when tg_op = 'DELETE' then tag_row ->> 'tag' end,
                case when tg_op = 'INSERT' then tag_row ->> 'tag' end);
        end if;
    elsif exists (select 1 from public.user_feedback as f where f.id = (tag_row ->> 'feedback_id')::uuid) then
        insert into public.feedback_events (feedback_id, kind, actor_id, from_value, to_value)
        values ((tag_row ->> 'feedback_id')::uuid, kind, caller,
            case when tg_op = 'DELETE' then tag_row ->> 'tag' end,
            case when tg_op = 'INSERT' then tag_row ->> 'tag' end);
    end if;
    return null;
end;
$$;

comment on function private.record_tag_change() is
    'After insert or delete on ticket_tags and feedback_tags: appends a tag_added or tag_removed '
    'event (internal) to the ticket''s or entry''s history. Security definer: no role inserts '
    'into the history tables; the event is exactly the row''s, the actor the request''s.';
revoke all on function private.record_tag_change() from public;

create trigger ticket_tags_record_history
    after insert or delete on public.ticket_tags
    for each row execute function private.record_tag_change();
create trigger feedback_tags_record_history
    after insert or delete on public.feedback_tags
    for each row execute function private.record_tag_change();

-- The tags of a request, checked: an array of strings (check_request_body did that), each one
-- of the list when the setting says so. The format is the tables' constraint.
create function private.requested_tags(tags jsonb)
    returns text[]
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    names text[] := coalesce(private.json_text_array(tags), '{}');
begin
    if cardinality(names) > 0
        and (select s.tags_from_list from public.tag_settings as s)
        and exists (
            select 1 from pg_catalog.unnest(names) as n (name)
            where not exists (select 1 from public.tags as t where t.name = n.name))
    then
        perform private.refuse('tag_not_listed');
    end if;
    return names;
end;
$$;

comment on function private.requested_tags(jsonb) is
    'A request''s array of tags as text[]; 400 tag_not_listed when the setting asks for tags of '
    'the list and one is not.';
revoke all on function private.requested_tags(jsonb) from public;
grant execute on function private.requested_tags(jsonb) to authenticated, service_role;

-- Security definer: staff hold no privilege on ticket_tags (see above). It checks that the
-- caller is staff, that the ticket exists, and adds and removes exactly the tags given.
create function private.tag_ticket_as_staff(target uuid, additions jsonb, removals jsonb)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.require_staff();
    perform 1 from public.support_tickets as t where t.id = target for update;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    delete from public.ticket_tags as g
    where g.ticket_id = target and g.tag = any (private.json_text_array(removals));
    insert into public.ticket_tags (ticket_id, tag, added_by)
    select target, n.name, (select auth.uid())
    from pg_catalog.unnest(private.requested_tags(additions)) as n (name)
    on conflict do nothing;
    return pg_catalog.json_build_object('ticket_id', target, 'tags', private.ticket_tags_json(target));
exception
    when check_violation then
        get stacked diagnostics
            error_code = returned_sqlstate,
            failed_schema = schema_name,
            failed_table = table_name,
            failed_constraint = constraint_name,
            failed_column = column_name;
        perform private.raise_rule_violation(
            error_code, failed_schema, failed_table, failed_constraint, failed_column
        );
        return null;  -- not reached: raise_rule_violation always raises
end;
$$;

comment on function private.tag_ticket_as_staff(uuid, jsonb, jsonb) is
    'Staff only: removes then adds tags on a ticket (one event each); returns its tags.';
revoke all on function private.tag_ticket_as_staff(uuid, jsonb, jsonb) from public;
grant execute on function private.tag_ticket_as_staff(uuid, jsonb, jsonb) to authenticated;

-- Security definer: as tag_ticket_as_staff, for feedback.
create function private.tag_feedback_as_staff(target uuid, additions jsonb, removals jsonb)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    error_code text;
    failed_schema text;
    failed_table text;
    failed_constraint text;
    failed_column text;
begin
    perform private.require_staff();
    perform 1 from public.user_feedback as f where f.id = target for update;
    if not found then
        perform private.refuse('feedback_not_found');
    end if;
    delete from public.feedback_tags as g
    where g.feedback_id = target and g.tag = any (private.json_text_array(removals));
    insert into public.feedback_tags (feedback_id, tag, added_by)
    select target, n.name, (select auth.uid())
    from pg_catalog.unnest(private.requested_tags(additions)) as n (name)
    on conflict do nothing;
    return pg_catalog.json_build_object('feedback_id', target, 'tags', coalesce((
        select pg_catalog.json_agg(g.tag order by g.tag)
        from public.feedback_tags as g where g.feedback_id = target), '[]'::json));
exception
    when check_violation then
        get stacked diagnostics
            error_code = returned_sqlstate,
            failed_schema = schema_name,
            failed_table = table_name,
            failed_constraint = constraint_name,
            failed_column = column_name;
        perform private.raise_rule_violation(
            error_code, failed_schema, failed_table, failed_constraint, failed_column
        );
        return null;  -- not reached: raise_rule_violation always raises
end;
$$;

comment on function private.tag_feedback_as_staff(uuid, jsonb, jsonb) is
    'Staff only: removes then adds tags on a feedback entry (one event each); returns its tags.';
revoke all on function private.tag_feedback_as_staff(uuid, jsonb, jsonb) from public;
grant execute on function private.tag_feedback_as_staff(uuid, jsonb, jsonb) to authenticated;

-- Security definer: staff read ticket_tags only through functions that checked they are staff;
-- this one is called by them (support_ticket, support_tag_ticket) and by nothing users reach.
create function private.ticket_tags_json(ticket_id uuid)
    returns json
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    perform private.require_staff();
    return coalesce((
        select pg_catalog.json_agg(g.tag order by g.tag)
        from public.ticket_tags as g
        where g.ticket_id = ticket_tags_json.ticket_id
    ), '[]'::json);
end;
$$;

comment on function private.ticket_tags_json(uuid) is
    'Staff only: a ticket''s tags, in name order. Security definer: staff hold no privilege on '
    'ticket_tags; it checks the caller is staff and reads one ticket''s tags.';
revoke all on function private.ticket_tags_json(uuid) from public;
grant execute on function private.ticket_tags_json(uuid) to authenticated;

create function private.tag_body(body jsonb, id_field text)
    returns uuid
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    perform private.check_request_body(body, pg_catalog.jsonb_build_object(
        id_field, 'string', 'add', 'string_array', 'remove', 'string_array'));
    if pg_catalog.jsonb_typeof(body -> 'add') is distinct from 'array'
        and pg_catalog.jsonb_typeof(body -> 'remove') is distinct from 'array' then
        perform private.refuse('tags_nothing_to_do');
    end if;
    return private.uuid_param(body ->> id_field, id_field);
end;
$$;

comment on function private.tag_body(jsonb, text) is
    'Checks the body of a tagging RPC ({<id_field>, add?, remove?}) and returns the id.';
revoke all on function private.tag_body(jsonb, text) from public;
grant execute on function private.tag_body(jsonb, text) to authenticated;

create function public.support_tag_ticket(jsonb)
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
    return private.tag_ticket_as_staff(private.tag_body(body, 'ticket_id'), body -> 'add', body -> 'remove');
end;
$$;

comment on function public.support_tag_ticket(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, add?: [tags], remove?: [tags]}. Removes, then '
    'adds (a tag already there stays); one internal history event per tag added or removed. '
    'Returns {ticket_id, tags}. 400 for a tag of the wrong form, or not of the list when '
    'tag_settings.tags_from_list; 404 for a missing ticket.';
revoke all on function public.support_tag_ticket(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_tag_ticket(jsonb) to authenticated;

create function public.support_tag_feedback(jsonb)
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
    return private.tag_feedback_as_staff(private.tag_body(body, 'feedback_id'), body -> 'add', body -> 'remove');
end;
$$;

comment on function public.support_tag_feedback(jsonb) is
    'Staff only (403 otherwise). Body: {feedback_id, add?: [tags], remove?: [tags]}. As '
    'support_tag_ticket, for a feedback entry. Returns {feedback_id, tags}.';
revoke all on function public.support_tag_feedback(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.support_tag_feedback(jsonb) to authenticated;
