-- Who may upload, read, replace and delete which files of the support-attachments bucket.
--
-- Why: the Storage API acts as the caller: it inserts, selects, updates and deletes rows of
-- storage.objects with the caller's role and JWT claims, so these policies are the rules of
-- every upload, download, signed URL, listing, move and removal (Supabase's Storage
-- access-control guide). Each policy names the bucket, so other buckets are untouched.
--   users: upload into {their id}/{ticket_id}/ of their own ticket that is not closed; read
--          the files of their own tickets and support's files linked to what they may read
--          (public replies: public.ticket_attachments' policies); never another user's, so a
--          listing of someone else's folder is empty; replace or delete only their own files,
--          and only until they are linked (a linked file is part of the ticket's record).
--   staff: read every file of the bucket; upload into staff/{ticket_id}/ of any ticket;
--          replace or delete only their own files, until linked.
--   anon:  nothing. service_role (the Storage API's own writes, the clean-up) bypasses RLS.
-- An upsert (storage-js upload with upsert: true) is an insert that becomes an update on a
-- conflict: it needs the insert, select and update policies, which a user has for their own
-- unlinked files only; a plain upload of an existing path is refused as a duplicate.
-- The path rule and the per-ticket limits are the trigger of 20260116000200.
-- Cost: a download or signed URL selects one row by (bucket_id, name); a listing filters by a
-- prefix, which under RLS PostgreSQL cannot push into an index (LIKE is not leakproof), so the
-- read policies are evaluated for each row of the bucket: they are kept to string functions and
-- hashed sets built once per query, no function call and no correlated subquery per row
-- (measured: 100,000 files, a user's listing 6 s with a correlated EXISTS on the links, 0.5 s so).
-- The write policies (one row each) share their path rule through private.own_attachment_in and
-- private.is_own_open_ticket.

-- Security definer: staff do not necessarily read tickets under RLS (the staff operations of
-- 20260110* may read them through definer functions instead). It tells staff, and only staff,
-- whether a ticket exists; everyone else gets false.
create function private.staff_see_ticket(ticket_id uuid)
    returns boolean
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return private.is_staff()
        and exists (select 1 from public.support_tickets as t where t.id = staff_see_ticket.ticket_id);
end;
$$;

comment on function private.staff_see_ticket(uuid) is
    'True when the caller is staff and the ticket exists; false for everyone else.';
revoke all on function private.staff_see_ticket(uuid) from public;
grant execute on function private.staff_see_ticket(uuid) to authenticated;

-- The rule every write policy shares besides the bucket (which each policy names itself): a file
-- that the caller uploaded, in the top folder given (their own id for users, staff for staff).
create function private.own_attachment_in(folder text, owner_id text, name text)
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return own_attachment_in.owner_id = (select auth.uid()::text)
        and pg_catalog.split_part(own_attachment_in.name, '/', 1) = own_attachment_in.folder;
end;
$$;

comment on function private.own_attachment_in(text, text, text) is
    'True for an object (owner_id, name) that the caller uploaded, in the top folder given.';

-- Under the caller's own RLS, as the policies read tickets.
create function private.is_own_open_ticket(ticket_id uuid)
    returns boolean
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    return exists (
        select 1
        from public.support_tickets as t
        where t.id = is_own_open_ticket.ticket_id
            and t.user_id = (select auth.uid())
            and t.status <> 'closed'
    );
end;
$$;

comment on function private.is_own_open_ticket(uuid) is
    'True when the ticket is the caller''s own and not closed.';
revoke all on function private.own_attachment_in(text, text, text), private.is_own_open_ticket(uuid) from public;
grant execute on function private.own_attachment_in(text, text, text), private.is_own_open_ticket(uuid)
    to authenticated;

create policy "users upload to their own open tickets"
    on storage.objects
    for insert
    to authenticated
    with check (
        bucket_id = 'support-attachments'
        and private.own_attachment_in((select auth.uid()::text), owner_id, name)
        and private.is_own_open_ticket(private.attachment_ticket_id(name))
    );

create policy "staff upload to the staff folder of any ticket"
    on storage.objects
    for insert
    to authenticated
    with check (
        bucket_id = 'support-attachments'
        and (select private.is_staff())
        and private.own_attachment_in('staff', owner_id, name)
        and private.staff_see_ticket(private.attachment_ticket_id(name))
    );

create policy "users read the files of their own tickets"
    on storage.objects
    for select
    to authenticated
    using (
        bucket_id = 'support-attachments'
        and (
            (
                pg_catalog.split_part(name, '/', 1) = (select auth.uid()::text)
                -- As text: a listing evaluates this for every row of the bucket, and the path's
                -- shape was checked when the row was written (20260116000200).
                and pg_catalog.split_part(name, '/', 2) in (
                    select t.id::text
                    from public.support_tickets as t
                    where t.user_id = (select auth.uid())
                )
            )
            -- The links the caller may read (their RLS: not on internal notes). Uncorrelated,
            -- so it is one hashed set per query instead of a look-up per row.
            or name in (select a.object_name from public.ticket_attachments as a)
        )
    );

create policy "staff read every file of the bucket"
    on storage.objects
    for select
    to authenticated
    using (
        bucket_id = 'support-attachments'
        and (select private.is_staff())
    );

create policy "users replace their own files until linked"
    on storage.objects
    for update
    to authenticated
    using (
        bucket_id = 'support-attachments'
        and private.own_attachment_in((select auth.uid()::text), owner_id, name)
        and name not in (select a.object_name from public.ticket_attachments as a)
    )
    with check (
        bucket_id = 'support-attachments'
        and private.own_attachment_in((select auth.uid()::text), owner_id, name)
        and private.is_own_open_ticket(private.attachment_ticket_id(name))
    );

create policy "staff replace their own files until linked"
    on storage.objects
    for update
    to authenticated
    using (
        bucket_id = 'support-attachments'
        and (select private.is_staff())
        and private.own_attachment_in('staff', owner_id, name)
        and name not in (select a.object_name from public.ticket_attachments as a)
    )
    with check (
        bucket_id = 'support-attachments'
        and (select private.is_staff())
        and private.own_attachment_in('staff', owner_id, name)
        and private.staff_see_ticket(private.attachment_ticket_id(name))
    );

create policy "users delete their own files until linked"
    on storage.objects
    for delete
    to authenticated
    using (
        bucket_id = 'support-attachments'
        and private.own_attachment_in((select auth.uid()::text), owner_id, name)
        and name not in (select a.object_name from public.ticket_attachments as a)
    );

create policy "staff delete their own files until linked"
    on storage.objects
    for delete
    to authenticated
    using (
        bucket_id = 'support-attachments'
        and (select private.is_staff())
        and private.own_attachment_in('staff', owner_id, name)
        and name not in (select a.object_name from public.ticket_attachments as a)
    );
