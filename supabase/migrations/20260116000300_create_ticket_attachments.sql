-- Attachments as data: which stored file belongs to which ticket, and to which message.
--
-- Why: a file in the bucket is only an upload until it is linked here; the link decides who
-- sees it. A file linked to a message is visible to whoever may read that message, so a file
-- on an internal note is never readable by the ticket's owner (RLS on this table, and through
-- it the policies on storage.objects). A user links their own uploads ({user_id}/{ticket_id}/
-- ...) to their own ticket that is not closed, or to a reply of theirs on it; staff link their
-- uploads (staff/{ticket_id}/...) to a message they wrote on that ticket. Clients link with
-- POST /rest/v1/ticket_attachments {ticket_id, object_name, message_id?}; get_ticket and
-- support_ticket return the links. Uploads never linked are cleaned up after
-- public.attachment_limits.unlinked_after.
-- No foreign key to storage.objects: that table belongs to the Storage server, whose
-- migrations may change its keys; a link names its object by bucket and path instead.

create table public.ticket_attachments (
    id uuid primary key default gen_random_uuid(),
    ticket_id uuid not null references public.support_tickets (id) on delete cascade,
    message_id uuid references public.ticket_messages (id) on delete cascade,
    bucket_id text not null default 'support-attachments',
    object_name text not null,
    linked_by uuid default auth.uid() references auth.users (id) on delete set null,
    created_at timestamptz not null default now(),
    constraint ticket_attachments_bucket_id_valid check (bucket_id = 'support-attachments'),
    constraint ticket_attachments_object_name_in_ticket
        check (private.attachment_ticket_id(object_name) = ticket_id),
    constraint ticket_attachments_message_id_for_staff_files
        check (message_id is not null or object_name !~ '^staff/'),
    constraint ticket_attachments_object_name_unique unique (bucket_id, object_name)
);

comment on table public.ticket_attachments is
    'Files of the support-attachments bucket linked to a ticket or to one of its messages. The '
    'message''s visibility is the file''s: files on internal notes are staff only.';
comment on column public.ticket_attachments.message_id is
    'The message the file belongs to; null for a file on the ticket itself (the owner''s only).';
comment on column public.ticket_attachments.object_name is
    'The path in the bucket: {user_id}/{ticket_id}/{file name} or staff/{ticket_id}/{file name}. '
    'Clients make a signed URL of it with storage-js (createSignedUrl).';
comment on column public.ticket_attachments.linked_by is 'Who linked it (set from the JWT, not from input).';
comment on constraint ticket_attachments_bucket_id_valid on public.ticket_attachments is
    'bucket_id must be support-attachments';
comment on constraint ticket_attachments_object_name_in_ticket on public.ticket_attachments is
    'object_name must be {user_id}/{ticket_id}/{file name} or staff/{ticket_id}/{file name} of this ticket';
comment on constraint ticket_attachments_message_id_for_staff_files on public.ticket_attachments is
    'a file of support must be attached to a message';
comment on constraint ticket_attachments_object_name_unique on public.ticket_attachments is
    'this file is already attached';

create index ticket_attachments_ticket_id_created_at_idx
    on public.ticket_attachments (ticket_id, created_at, id);
create index ticket_attachments_message_id_idx
    on public.ticket_attachments (message_id) where message_id is not null;
create index ticket_attachments_linked_by_idx on public.ticket_attachments (linked_by);

alter table public.ticket_attachments enable row level security;
revoke all on table public.ticket_attachments from anon, authenticated, service_role;
grant select on table public.ticket_attachments to authenticated;
grant insert (ticket_id, message_id, object_name) on table public.ticket_attachments to authenticated;
grant select, insert, delete on table public.ticket_attachments to service_role;

-- One permissive policy per action, both audiences in it: PostgreSQL evaluates every permissive
-- policy of a role and action for each row (Supabase's Advisor, multiple_permissive_policies),
-- so staff's condition comes first and, being an initplan, costs one call per query.
create policy "users read files of their tickets, not of notes; staff all"
    on public.ticket_attachments
    for select
    to authenticated
    using (
        (select private.is_staff())
        or (
            exists (
                select 1
                from public.support_tickets as t
                where t.id = ticket_attachments.ticket_id
                    and t.user_id = (select auth.uid())
            )
            and (
                message_id is null
                or exists (
                    select 1
                    from public.ticket_messages as m
                    where m.id = ticket_attachments.message_id
                        and not m.internal
                )
            )
        )
    );

-- Security definer: the policies of storage.objects read this table (a file's link decides who
-- sees it), so this table's policies may not read storage.objects in turn (PostgreSQL refuses
-- the recursion). It answers one question about one object, for the caller (auth.uid()): did
-- they upload it? It returns nothing else.
create function private.is_own_upload(bucket_id text, object_name text)
    returns boolean
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return exists (
        select 1
        from storage.objects as o
        where o.bucket_id = is_own_upload.bucket_id
            and o.name = is_own_upload.object_name
            and o.owner_id = (select auth.uid()::text)
    );
end;
$$;

comment on function private.is_own_upload(text, text) is
    'True when the caller uploaded this object of the bucket (storage.objects.owner_id is their id).';
revoke all on function private.is_own_upload(text, text) from public;
grant execute on function private.is_own_upload(text, text) to authenticated;

-- Security definer: staff do not necessarily read messages under RLS (the staff operations of
-- 20260110* may read them through definer functions instead), users may not read author_id
-- (20260116000800), and a link must name a message its linker wrote. It answers that one
-- question for the caller (auth.uid()).
create function private.is_own_message(message_id uuid, ticket_id uuid)
    returns boolean
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return exists (
        select 1
        from public.ticket_messages as m
        where m.id = is_own_message.message_id
            and m.ticket_id = is_own_message.ticket_id
            and m.author_id = (select auth.uid())
    );
end;
$$;

comment on function private.is_own_message(uuid, uuid) is
    'True when the caller wrote this message of this ticket.';
revoke all on function private.is_own_message(uuid, uuid) from public;
grant execute on function private.is_own_message(uuid, uuid) to authenticated;

create policy "users link own uploads to open tickets; staff to own messages"
    on public.ticket_attachments
    for insert
    to authenticated
    with check (
        linked_by = (select auth.uid())
        and private.is_own_upload(bucket_id, object_name)
        and (
            (
                pg_catalog.split_part(object_name, '/', 1) = (select auth.uid()::text)
                and exists (
                    select 1
                    from public.support_tickets as t
                    where t.id = ticket_attachments.ticket_id
                        and t.user_id = (select auth.uid())
                        and t.status <> 'closed'
                )
                and (message_id is null or private.is_own_message(message_id, ticket_id))
            )
            or (
                (select private.is_staff())
                and pg_catalog.split_part(object_name, '/', 1) = 'staff'
                and private.is_own_message(message_id, ticket_id)
            )
        )
    );
