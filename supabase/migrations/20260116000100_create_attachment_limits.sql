-- Per-ticket limits on attachments: how many files and how many bytes a user may put on one
-- ticket, and how long an upload may stay unlinked before the clean-up removes it.
--
-- Why: the bucket limits one file (25 MiB); without a per-ticket limit a user could fill the
-- project's storage through one ticket. The limits are a row that admins change without a
-- migration (public.rate_limits does the same for requests). A trigger on storage.objects
-- (20260116000200) enforces them on every upload into a user's folder of a ticket; support's
-- own files (staff/{ticket_id}/...) are not counted.

-- squawk: max_files_per_ticket is a small count (sizes are bigint bytes).
-- squawk-ignore-file prefer-bigint-over-int

create table public.attachment_limits (
    id boolean primary key default true,
    max_files_per_ticket integer not null,
    max_bytes_per_ticket bigint not null,
    unlinked_after interval not null,
    constraint attachment_limits_id_single_row check (id),
    constraint attachment_limits_max_files_per_ticket_positive check (max_files_per_ticket > 0),
    constraint attachment_limits_max_bytes_per_ticket_positive check (max_bytes_per_ticket > 0),
    constraint attachment_limits_unlinked_after_positive check (unlinked_after > interval '0')
);

comment on table public.attachment_limits is
    'Limits on the files users attach to a ticket (one row). Change the values here; they take '
    'effect on the next upload. Support''s own files are not counted.';
comment on column public.attachment_limits.max_files_per_ticket is
    'At most this many files in the ticket owner''s folder of one ticket.';
comment on column public.attachment_limits.max_bytes_per_ticket is
    'At most this many bytes, all the owner''s files of one ticket together.';
comment on column public.attachment_limits.unlinked_after is
    'An upload not linked to its ticket (public.ticket_attachments) this long after it was '
    'uploaded is listed by public.unlinked_attachment_objects and removed by the worker.';
comment on constraint attachment_limits_id_single_row on public.attachment_limits is
    'attachment_limits holds one row';
comment on constraint attachment_limits_max_files_per_ticket_positive on public.attachment_limits is
    'max_files_per_ticket must be greater than 0';
comment on constraint attachment_limits_max_bytes_per_ticket_positive on public.attachment_limits is
    'max_bytes_per_ticket must be greater than 0';
comment on constraint attachment_limits_unlinked_after_positive on public.attachment_limits is
    'unlinked_after must be a positive interval';

insert into public.attachment_limits (id, max_files_per_ticket, max_bytes_per_ticket, unlinked_after)
values (true, 10, 104857600, interval '24 hours');

alter table public.attachment_limits enable row level security;
revoke all on table public.attachment_limits from anon, authenticated, service_role;
grant select on table public.attachment_limits to authenticated;
grant update (max_files_per_ticket, max_bytes_per_ticket, unlinked_after)
    on table public.attachment_limits to authenticated;
grant select, update on table public.attachment_limits to service_role;

create policy "signed-in users read the attachment limits"
    on public.attachment_limits
    for select
    to authenticated
    using (true);

create policy "admins change the attachment limits"
    on public.attachment_limits
    for update
    to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));
