-- Uploads never linked to their ticket, for the clean-up.
--
-- Why: an app uploads first and links after (public.ticket_attachments); an upload whose link
-- never came (the app crashed, the user gave up) would hold storage and count against the
-- ticket's limits for ever. This view lists the files of the support-attachments bucket
-- without a link, uploaded longer ago than public.attachment_limits.unlinked_after (24 hours).
-- The worker removes them through the Storage API with the service_role key
-- (DELETE /storage/v1/object/support-attachments with {"prefixes": [name, ...]}), never by
-- deleting rows of storage.objects: that would leave the files behind in the object store, and
-- Supabase refuses such deletes anyway (storage.protect_delete). service_role only; PostgREST
-- serves it as GET /rest/v1/unlinked_attachment_objects.

create view public.unlinked_attachment_objects
    with (security_invoker = true)
as
select
    o.bucket_id,
    o.name,
    o.owner_id,
    o.created_at
from storage.objects as o
cross join public.attachment_limits as l
where o.bucket_id = 'support-attachments'
    and o.created_at < pg_catalog.now() - l.unlinked_after
    and not exists (
        select 1
        from public.ticket_attachments as a
        where a.bucket_id = o.bucket_id
            and a.object_name = o.name
    );

comment on view public.unlinked_attachment_objects is
    'Files of the support-attachments bucket never linked to their ticket, older than '
    'attachment_limits.unlinked_after. The worker removes them through the Storage API '
    '(service_role only).';

revoke all on table public.unlinked_attachment_objects from public, anon, authenticated, service_role;
grant select on table public.unlinked_attachment_objects to service_role;
