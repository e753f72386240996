-- Where a file of the support-attachments bucket may be, and how much a ticket may hold.
--
-- Why: a path names its ticket, so that policies decide with the path alone, as Supabase's
-- Storage access-control guide does with storage.foldername(): a user's file is
-- {user_id}/{ticket_id}/{file name}, a file of support's is staff/{ticket_id}/{file name}.
-- A trigger on storage.objects refuses, for every role (the Storage API writes the final row as
-- service_role), a path of another shape, a ticket that does not exist, a user folder that is
-- not the ticket owner's, and an upload into a user's folder past the ticket's limits
-- (public.attachment_limits). A refusal is SQLSTATE 42501, which the Storage API answers as a
-- 403 with this message. It runs after the row passed the policies, so a user learns nothing
-- from it about tickets that are not theirs. It fires only for this bucket.
-- Every segment of a path is a plain name: not `.` or `..` (nor their %2e spellings, which some
-- tools decode), no backslash (a separator elsewhere), no control or bidirectional-text
-- characters (which hide or reorder what a reader sees), no leading or trailing space. A
-- download names the file by its path, and a store on disk resolves it: such a name could reach
-- another folder or pass for another file.

insert into public.support_messages (topic, message) values
    ('attachment_name.dot_segment', 'No part of an attachment''s path may be . or ..'),
    ('attachment_name.characters', 'An attachment''s path must not contain backslashes, control '
        'characters or bidirectional text controls'),
    ('attachment_name.spaces', 'No part of an attachment''s path may begin or end with a space');

create function private.attachment_name_refusal(name text)
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
declare
    segment text;
begin
    if name ~ '[\\\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]' then
        return 'attachment_name.characters';
    end if;
    foreach segment in array pg_catalog.string_to_array(name, '/') loop
        if segment ~* '^(\.|%2e){1,2}$' then
            return 'attachment_name.dot_segment';
        end if;
        if segment ~ '^[[:space:]]|[[:space:]]$' then
            return 'attachment_name.spaces';
        end if;
    end loop;
    return null;
end;
$$;

comment on function private.attachment_name_refusal(text) is
    'Why a path of the support-attachments bucket is refused whatever its shape, as a '
    'support_messages topic (attachment_name.*): a . or .. segment (or %2e), a backslash, a control '
    'or bidirectional-text character, a segment beginning or ending with a space; null when none.';

create function private.attachment_ticket_id(name text)
    returns uuid
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
declare
    parts text[] := pg_catalog.string_to_array(name, '/');
begin
    -- Lower-case UUIDs only: they are compared as text with auth.uid()::text in policies. The
    -- file name's length is checked apart: a bounded repetition of 255 in a regular expression
    -- makes PostgreSQL's matcher slow.
    if pg_catalog.array_length(parts, 1) = 3
        and private.attachment_name_refusal(name) is null
        and (parts[1] = 'staff' or (private.is_uuid(parts[1]) and parts[1] = pg_catalog.lower(parts[1])))
        and private.is_uuid(parts[2]) and parts[2] = pg_catalog.lower(parts[2])
        and pg_catalog.char_length(parts[3]) between 1 and 255 then
        return parts[2]::uuid;
    end if;
    return null;
end;
$$;

comment on function private.attachment_ticket_id(text) is
    'The ticket of a path in the support-attachments bucket ({user_id}/{ticket_id}/{file name} '
    'or staff/{ticket_id}/{file name}, lower-case UUIDs, a file name of 1 to 255 characters '
    'without / that private.attachment_name_refusal accepts); null for any other path.';

create function private.attachment_size(metadata jsonb)
    returns bigint
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
declare
    -- The Storage API records `size` once the file is stored; its permission check before the
    -- upload carries the size the client declared (`contentLength`).
    bytes text := coalesce(metadata ->> 'size', metadata ->> 'contentLength');
begin
    if bytes ~ '^[0-9]{1,18}$' then
        return bytes::bigint;
    end if;
    return 0;
end;
$$;

comment on function private.attachment_size(jsonb) is
    'The size in bytes of a storage object from its metadata (size, or the declared '
    'contentLength before the upload); 0 when unknown.';

revoke all on function private.attachment_ticket_id(text), private.attachment_size(jsonb),
    private.attachment_name_refusal(text) from public;
grant execute on function private.attachment_ticket_id(text), private.attachment_size(jsonb),
    private.attachment_name_refusal(text) to authenticated, service_role;

-- Security definer: the limits count every file of the ticket owner's folder, and the caller
-- (the user, or service_role when the Storage API records the stored file) may not see the
-- ticket or every file under RLS. It reads the ticket and the folder named by the row being
-- written and changes nothing.
create function private.enforce_attachment_rules()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    ticket_id uuid := private.attachment_ticket_id(new.name);
    folder text := pg_catalog.split_part(new.name, '/', 1);
    ticket_owner uuid;
    ticket_found boolean;
    limits public.attachment_limits;
    file_count integer;
    total_bytes bigint;
    refusal text := private.attachment_name_refusal(new.name);
begin
    if refusal is not null then
        raise exception '%', private.support_message(refusal) using errcode = 'insufficient_privilege';
    end if;
    if ticket_id is null then
        raise exception 'An attachment''s path must be {user_id}/{ticket_id}/{file name} or staff/{ticket_id}/{file name}'
            using errcode = 'insufficient_privilege';
    end if;
    select t.user_id into ticket_owner from public.support_tickets as t where t.id = ticket_id;
    ticket_found := found;
    if not ticket_found or folder not in ('staff', ticket_owner::text) then
        raise exception 'Ticket not found' using errcode = 'insufficient_privilege';
    end if;
    if folder = 'staff' then
        return null;
    end if;

    -- Simultaneous uploads to one ticket queue here, so that each counts the others.
    perform pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended('support_api.attachments:' || ticket_id::text, 0)
    );
    select l.* into limits from public.attachment_limits as l;
    -- The folder's files as a range of names ('0' follows '/'), which the Storage server's
    -- index on name (text_pattern_ops) serves whatever the plan.
    select count(*), coalesce(sum(private.attachment_size(o.metadata)), 0)
    into file_count, total_bytes
    from storage.objects as o
    where o.bucket_id = new.bucket_id
        and o.name operator(pg_catalog.~>=~) (folder || '/' || ticket_id::text || '/')
        and o.name operator(pg_catalog.~<~) (folder || '/' || ticket_id::text || '0')
        -- This statement's own row is visible to an after trigger; it is counted below.
        and o.id <> new.id;

    if file_count + 1 > limits.max_files_per_ticket then
        raise exception 'A ticket can hold at most % files', limits.max_files_per_ticket
            using errcode = 'insufficient_privilege';
    end if;
    if total_bytes + private.attachment_size(new.metadata) > limits.max_bytes_per_ticket then
        raise exception 'A ticket''s files can take at most % bytes together', limits.max_bytes_per_ticket
            using errcode = 'insufficient_privilege';
    end if;
    return null;
end;
$$;

comment on function private.enforce_attachment_rules() is
    'After insert or update on storage.objects, support-attachments bucket only: the path names '
    'an existing ticket (and its owner''s folder, or staff); a user folder stays within '
    'public.attachment_limits. Refuses with SQLSTATE 42501 (a 403 from the Storage API).';
revoke all on function private.enforce_attachment_rules() from public;

create trigger support_attachments_enforce_rules
    after insert or update on storage.objects
    for each row
    when (new.bucket_id = 'support-attachments')
    execute function private.enforce_attachment_rules();
