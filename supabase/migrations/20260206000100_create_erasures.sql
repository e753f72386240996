-- Erasure: a user erases their support data, an admin erases a user, and deleting the
-- auth.users row (as Supabase does when an account is removed) erases it too.
--
-- Why: GDPR art. 17. private.erase_user runs the declarations of private.table_registry
-- (20260206000000) in erasure_order, one recorded step per table (private.erasure_steps), so
-- that a run interrupted midway is taken up where it stopped; every step is idempotent (a
-- predicate on the person, a delete or an update that sets what it already set), so re-running
-- one is harmless. Tickets, feedback and ratings are anonymised rather than deleted: their
-- user_id may now be null (the person was erased), and their foreign keys to auth.users set
-- null instead of cascading, so that deleting the account keeps the figures (counts, SLA,
-- CSAT). Files in Storage are removed by support-worker through the Storage API (as the
-- attachment clean-up does) from the view public.erasure_objects; the erasure completes when
-- none is left. private.erasures is the tombstone: who asked, when, the state, and the erased
-- person only as a salted hash once it is done. private.continue_erasures, scheduled every
-- minute (pg_cron, else the stack's runner), finishes what is unfinished.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when
-- it runs. Dropping not null and re-creating the foreign keys is the point: the figures outlive
-- the person. affected counts rows of one table for one person (an int).
-- squawk-ignore-file ban-drop-not-null, ban-drop-constraint, constraint-missing-not-valid, adding-foreign-key-constraint, prefer-bigint-over-int

insert into public.support_messages (topic, status, code, message, hint) values
    ('erasure_of_unknown_user', 404, 'erasure_of_unknown_user', 'No such user to erase', null);

-- The figures outlive the person: null user_id means erased.
alter table public.support_tickets alter column user_id drop not null;
alter table public.user_feedback alter column user_id drop not null;
alter table public.ticket_ratings alter column user_id drop not null;
alter table public.support_tickets drop constraint support_tickets_user_id_fkey,
    add constraint support_tickets_user_id_fkey foreign key (user_id)
        references auth.users (id) on delete set null;
alter table public.user_feedback drop constraint user_feedback_user_id_fkey,
    add constraint user_feedback_user_id_fkey foreign key (user_id)
        references auth.users (id) on delete set null;
alter table public.ticket_ratings drop constraint ticket_ratings_user_id_fkey,
    add constraint ticket_ratings_user_id_fkey foreign key (user_id)
        references auth.users (id) on delete set null;
comment on column public.support_tickets.user_id is
    'The user who filed the ticket; null once they were erased (private.erasures).';
comment on column public.user_feedback.user_id is
    'The user who sent the feedback; null once they were erased (private.erasures).';
comment on column public.ticket_ratings.user_id is
    'The user who rated; null once they were erased (private.erasures).';

create table private.erasures (
    id bigint generated always as identity primary key,
    subject_id uuid,
    subject_hash text not null,
    salt text not null,
    requested_by uuid,
    requested_as text not null,
    requested_at timestamptz not null default now(),
    status text not null default 'running',
    completed_at timestamptz,
    constraint erasures_status_known check (status in ('running', 'removing_files', 'done')),
    constraint erasures_subject_id_cleared check ((status = 'done') = (subject_id is null)),
    constraint erasures_requested_as_known check (requested_as in ('self', 'admin', 'account_deleted', 'database'))
);

comment on table private.erasures is
    'The tombstone of every erasure: who asked (requested_as, and requested_by for an admin), when, '
    'its state, and who was erased as sha256(salt || user id): subject_id holds the id in clear only '
    'until the erasure is done.';
comment on column private.erasures.subject_hash is
    'hex sha256 of salt || the erased user id: whether a given id was erased can be checked, the id '
    'cannot be read.';
comment on column private.erasures.requested_by is
    'The admin who asked; null when the person asked themselves (requested_as self) or no user did.';
comment on constraint erasures_status_known on private.erasures is
    'status must be running, removing_files or done';
comment on constraint erasures_subject_id_cleared on private.erasures is
    'the erased user id is kept exactly until the erasure is done';
comment on constraint erasures_requested_as_known on private.erasures is
    'requested_as must be self, admin, account_deleted or database';

create unique index erasures_one_running_per_subject on private.erasures (subject_id) where subject_id is not null;

create table private.erasure_steps (
    erasure_id bigint not null references private.erasures (id) on delete cascade,
    table_name text not null,
    affected integer not null,
    done_at timestamptz not null default now(),
    primary key (erasure_id, table_name)
);

comment on table private.erasure_steps is
    'One row per table an erasure has done (private.table_registry), with how many rows it deleted '
    'or anonymised: a run taken up again skips them.';

alter table private.erasures enable row level security;
alter table private.erasure_steps enable row level security;
revoke all on table private.erasures, private.erasure_steps from anon, authenticated, service_role;

-- An erasure is a change of people's data on record: the request (who asked, when, as what) goes
-- to the audit log like a configuration change, the erased id and its salt redacted. Its later
-- state changes are not recorded there (they run after the audit log's own step, and would name
-- the person as the actor): the tombstone has them.
insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('private.erasures', true, '{subject_id,salt}', 'the tombstones of erasures (the person only as a salted hash once done)');
insert into private.table_registry (table_name, configuration, note) values
    ('private.erasure_steps', false, 'working state: the steps an erasure has done');
create trigger audit_changes after insert or update or delete on private.erasures
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on private.erasures
    for each statement execute function private.record_audit();

-- An audit entry of a row that held the person: the row's person_columns (the registry's) become
-- "erased", and the id anywhere else in it too. Entries of other rows are returned unchanged.
create function private.erase_in_audit_values(entry jsonb, table_name text, person uuid)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    erased jsonb := entry;
    person_column text;
    email text := (select pg_catalog.lower(u.email) from auth.users as u where u.id = person);
begin
    -- Their email counts as them too: a saved view or rule selects a requester by email.
    if entry is null or (pg_catalog.strpos(entry::text, person::text) = 0
        and (email is null or pg_catalog.strpos(pg_catalog.lower(entry::text), email) = 0)) then
        return entry;
    end if;
    if pg_catalog.jsonb_typeof(entry) = 'object' then
        for person_column in
            select pg_catalog.unnest(r.person_columns) from private.table_registry as r
            where r.table_name = erase_in_audit_values.table_name
        loop
            if erased ? person_column then
                erased := erased || pg_catalog.jsonb_build_object(person_column, 'erased');
            end if;
        end loop;
    end if;
    erased := pg_catalog.replace(erased::text, person::text, 'erased')::jsonb;
    if email is not null then
        erased := pg_catalog.regexp_replace(erased::text, pg_catalog.regexp_replace(email, '([^a-z0-9])', '\\\1', 'g'), 'erased', 'gi')::jsonb;
    end if;
    return erased;
end;
$$;

comment on function private.erase_in_audit_values(jsonb, text, uuid) is
    'An audit entry''s row (row_key, old_values or new_values) without the person: when it holds '
    'their id or email, its person_columns (private.table_registry) become "erased" and the id and '
    'email are replaced.';
revoke all on function private.erase_in_audit_values(jsonb, text, uuid) from public, anon, authenticated, service_role;

-- The audit log stays append-only, with one exception: during an erasure step (the transaction
-- setting support.erasing_user, which only private.erase_steps sets), an entry may lose that
-- person's id, and nothing else may change.
create or replace function private.refuse_audit_change()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    erasing text := nullif(pg_catalog.current_setting('support.erasing_user', true), '');
begin
    if tg_op = 'UPDATE' and erasing is not null and private.is_uuid(erasing)
       and new.id = old.id and new.changed_at = old.changed_at and new.actor_role = old.actor_role
       and new.table_name = old.table_name and new.action = old.action
       and new.actor_id is not distinct from nullif(old.actor_id, erasing::uuid)
       and new.row_key is not distinct from private.erase_in_audit_values(old.row_key, old.table_name, erasing::uuid)
       and new.old_values is not distinct from private.erase_in_audit_values(old.old_values, old.table_name, erasing::uuid)
       and new.new_values is not distinct from private.erase_in_audit_values(old.new_values, old.table_name, erasing::uuid)
    then
        return new;
    end if;
    perform private.refuse('audit_log_append_only');
    return null;
end;
$$;

comment on function private.refuse_audit_change() is
    'Before update, delete or truncate on private.audit_log: refuses, for every role; but lets an '
    'erasure step (support.erasing_user) take that person out of an entry '
    '(private.erase_in_audit_values), and nothing else.';

-- Security definer: the steps touch every table of the registry, which no API role may write
-- (and, with session_replication_role = replica, without firing history or rules: Supabase's
-- supautils lets its postgres role set it, by a SET statement, hence set local rather than
-- set_config). It runs only the registry's declarations, for one erasure.
create function private.erase_steps(erasure_id bigint)
    returns text
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    subject uuid;
    step record;
    affected integer;
    files integer;
begin
    select e.subject_id into subject from private.erasures as e
    where e.id = erase_steps.erasure_id for update;
    if subject is null then
        return 'done';
    end if;
    perform pg_catalog.set_config('support.erasing_user', subject::text, true);
    for step in
        select r.* from private.table_registry as r
        where r.erasure <> 'none' and pg_catalog.to_regclass(r.table_name) is not null
          and not exists (select 1 from private.erasure_steps as s
                          where s.erasure_id = erase_steps.erasure_id and s.table_name = r.table_name)
        order by r.erasure_order, r.table_name
    loop
        if step.erasure_with_triggers then
            set local session_replication_role = origin;
        else
            set local session_replication_role = replica;
        end if;
        if step.erasure = 'delete' then
            execute pg_catalog.format('delete from %s where %s', step.table_name, step.erasure_rows)
                using subject;
        else
            execute pg_catalog.format('update %s set %s where %s', step.table_name, step.erasure_set,
                                      step.erasure_rows)
                using subject;
        end if;
        get diagnostics affected = row_count;
        set local session_replication_role = origin;
        insert into private.erasure_steps (erasure_id, table_name, affected)
        values (erase_steps.erasure_id, step.table_name, affected);
    end loop;
    perform pg_catalog.set_config('support.erasing_user', '', true);
    -- The state changes below come after the audit log's step: not recorded there (see above).
    set local session_replication_role = replica;

    -- Files: support-worker removes them through the Storage API (public.erasure_objects).
    select pg_catalog.count(*) into files from storage.objects as o
    where o.bucket_id = 'support-attachments'
      and ((storage.foldername(o.name))[1] = subject::text or o.owner_id = subject::text);
    if files > 0 then
        update private.erasures as e set status = 'removing_files' where e.id = erase_steps.erasure_id;
        set local session_replication_role = origin;
        return 'removing_files';
    end if;
    update private.erasures as e
    set status = 'done', subject_id = null, completed_at = pg_catalog.now()
    where e.id = erase_steps.erasure_id;
    set local session_replication_role = origin;
    return 'done';
end;
$$;

comment on function private.erase_steps(bigint) is
    'Runs the steps of an erasure not yet done (private.table_registry in erasure_order), records '
    'each, and completes the erasure (forgetting the id) once no file of the person is left in '
    'Storage. Idempotent.';
revoke all on function private.erase_steps(bigint) from public, anon, authenticated, service_role;

-- Security definer: records the tombstone and runs the steps (private.erase_steps). Callers
-- decide who may erase whom (the public functions below, the auth.users trigger).
create function private.erase_user(subject uuid, requested_as text, requested_by uuid default null)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    erasure bigint;
    salt text := pg_catalog.gen_random_uuid()::text;
    state text;
begin
    select e.id into erasure from private.erasures as e where e.subject_id = erase_user.subject;
    if erasure is null then
        insert into private.erasures (subject_id, subject_hash, salt, requested_by, requested_as)
        values (subject, pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(salt || subject::text, 'UTF8')), 'hex'),
                salt, erase_user.requested_by, erase_user.requested_as)
        returning id into erasure;
    end if;
    state := private.erase_steps(erasure);
    return pg_catalog.json_build_object('erasure_id', erasure, 'status', state);
end;
$$;

comment on function private.erase_user(uuid, text, uuid) is
    'Erases a person''s support data (or takes up their unfinished erasure): {erasure_id, status: '
    'done, or removing_files while support-worker removes their files}.';
revoke all on function private.erase_user(uuid, text, uuid) from public, anon, authenticated, service_role;

-- Security definer: the signed-in user erases themselves, and nobody else.
create function private.erase_me()
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    uid uuid := auth.uid();
begin
    if uid is null then
        perform private.refuse('admins_only');
    end if;
    return private.erase_user(uid, 'self');
end;
$$;

comment on function private.erase_me() is 'The signed-in user erases their own support data (public.erase_my_data).';
revoke all on function private.erase_me() from public, anon, service_role;
grant execute on function private.erase_me() to authenticated;

create function public.erase_my_data()
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    return private.erase_me();
end;
$$;

comment on function public.erase_my_data() is
    'Erases everything the support API holds about the signed-in user: their feedback, ratings '
    'and tickets are kept without them (texts replaced by [erased]), their notifications, '
    'preferences, companion conversations and files are deleted. Cannot be undone. '
    '{erasure_id, status: done | removing_files (files are removed within minutes)}. '
    'Also POST /api/me/erase.';
revoke all on function public.erase_my_data() from public, anon, authenticated, service_role;
grant execute on function public.erase_my_data() to authenticated;

-- Security definer: admins erase any user; checked first.
create function private.erase_user_as_admin(user_id text)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    target uuid;
begin
    if not private.is_admin() then
        perform private.refuse('admins_only');
    end if;
    target := private.uuid_param(erase_user_as_admin.user_id, 'user_id');
    if not exists (select 1 from auth.users as u where u.id = target)
       and not exists (select 1 from private.erasures as e where e.subject_id = target)
       and not exists (select 1 from public.support_tickets as t where t.user_id = target)
       and not exists (select 1 from public.user_feedback as f where f.user_id = target)
    then
        perform private.refuse('erasure_of_unknown_user');
    end if;
    return private.erase_user(target, 'admin', auth.uid());
end;
$$;

comment on function private.erase_user_as_admin(text) is 'Admins: erase a user (public.support_erase_user).';
revoke all on function private.erase_user_as_admin(text) from public, anon, service_role;
grant execute on function private.erase_user_as_admin(text) to authenticated;

create function public.support_erase_user(user_id text)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    return private.erase_user_as_admin(support_erase_user.user_id);
end;
$$;

comment on function public.support_erase_user(text) is
    'Admins only, 403 otherwise: erases a user''s support data, as '
    'erase_my_data does for oneself; 404 erasure_of_unknown_user when nothing is known of them. '
    'Recorded in private.erasures (who asked, when). {erasure_id, status}. A server with the '
    'service_role key erases by deleting the account (Auth admin deleteUser): a trigger erases first.';
revoke all on function public.support_erase_user(text) from public, anon, authenticated, service_role;
grant execute on function public.support_erase_user(text) to authenticated;

-- Security definer: it runs as the trigger of auth.users, whose deleter may be GoTrue's role.
create function private.erase_deleted_account()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    perform private.erase_user(old.id, 'account_deleted');
    return old;
end;
$$;

comment on function private.erase_deleted_account() is
    'Before delete on auth.users: erases the account''s support data first, so that the foreign '
    'keys find nothing left to cascade or set null.';
revoke all on function private.erase_deleted_account() from public, anon, authenticated, service_role;

create trigger erase_support_data
    before delete on auth.users
    for each row execute function private.erase_deleted_account();

create function private.continue_erasures(max_erasures integer default 20)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    erasure bigint;
    taken integer := 0;
begin
    for erasure in
        select e.id from private.erasures as e where e.status <> 'done' order by e.id limit max_erasures
    loop
        perform private.erase_steps(erasure);
        taken := taken + 1;
    end loop;
    return taken;
end;
$$;

comment on function private.continue_erasures(integer) is
    'Takes up unfinished erasures (at most max_erasures): their remaining steps, and completes those '
    'whose files are gone. Scheduled every minute (pg_cron, else the stack''s runner).';
revoke all on function private.continue_erasures(integer) from public, anon, authenticated, service_role;

-- The files of people being erased, for support-worker: it removes them through the Storage
-- API with the service_role key, as the attachment clean-up does.
create view public.erasure_objects
    with (security_invoker = true)
as
select o.bucket_id, o.name
from storage.objects as o
join private.erasures as e
    on e.subject_id is not null
    and ((storage.foldername(o.name))[1] = e.subject_id::text or o.owner_id = e.subject_id::text)
where o.bucket_id = 'support-attachments';

comment on view public.erasure_objects is
    'Files of the support-attachments bucket belonging to people being erased. support-worker removes '
    'them through the Storage API (service_role only).';
revoke all on table public.erasure_objects from public, anon, authenticated, service_role;
grant select on table public.erasure_objects to service_role;
grant select on table private.erasures to service_role;
