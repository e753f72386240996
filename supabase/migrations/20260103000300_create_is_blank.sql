-- "Blank" means blank to a person, in every not-blank rule, defined once.
--
-- Why: the not-blank CHECKs tested `[[:space:]]`, which lets through text made only of
-- characters a person cannot see: zero-width space and joiners, the no-break and other Unicode
-- spaces, direction marks, the byte-order mark, the Hangul fillers (U+115F, U+1160, U+3164,
-- U+FFA0), the Braille blank (U+2800), variation selectors and tags. A subject or description
-- of those renders as nothing. private.is_blank() is the one definition; every not-blank
-- constraint and the derived subject of a bug report use it. Constraint names and messages are
-- unchanged. The constraints are added `not valid`: they hold for every row written from now
-- on, and rows users already filed (which may hold such text) are kept as they are instead of
-- failing the migration on a project with data.

-- squawk: Each dropped constraint is added again at once, under the same name, stricter.
-- squawk-ignore-file ban-drop-constraint

create function private.blank_characters()
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
begin
    -- A regular-expression bracket expression: white space, controls, format characters (Cf),
    -- separators (Zs, Zl, Zp), default-ignorable marks and the fillers that render as nothing.
    return '[[:space:]\u0001-\u001F\u007F-\u00A0\u00AD\u034F\u061C\u115F\u1160\u1680'
        '\u17B4\u17B5\u180B-\u180F\u2000-\u200F\u2028-\u202F\u205F-\u206F\u2800\u3000\u3164'
        '\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFFB\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A'
        '\U000E0000-\U000E0FFF]';
end;
$$;

comment on function private.blank_characters() is
    'The characters that count as blank (a regular-expression bracket expression): white '
    'space, controls, format characters, Unicode spaces and separators, invisible fillers.';

create function private.is_blank(value text)
    returns boolean
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
begin
    return value ~ ('^' || private.blank_characters() || '*$');
end;
$$;

comment on function private.is_blank(text) is
    'True when the text has no character a person can see (see private.blank_characters()); '
    'null for null. Used by every not-blank rule.';

revoke all on function private.blank_characters(), private.is_blank(text) from public;
grant execute on function private.blank_characters(), private.is_blank(text)
    to authenticated, service_role;

-- The first line that is not blank, runs of blank characters as single spaces, cut to 255.
create or replace function private.bug_subject(description text)
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
declare
    blank text := private.blank_characters();
    first_line text;
begin
    select pg_catalog.regexp_replace(
        pg_catalog.regexp_replace(l.line, blank || '+', ' ', 'g'), '^ | $', '', 'g')
    into first_line
    from pg_catalog.regexp_split_to_table(description, '\r\n|\r|\n') with ordinality as l(line, n)
    where not private.is_blank(l.line)
    order by l.n
    limit 1;
    if pg_catalog.char_length(first_line) > 255 then
        return pg_catalog.left(first_line, 254) || '…';
    end if;
    return first_line;
end;
$$;

alter table public.support_tickets
    drop constraint support_tickets_subject_not_blank,
    add constraint support_tickets_subject_not_blank check (not private.is_blank(subject)) not valid,
    drop constraint support_tickets_description_not_blank,
    add constraint support_tickets_description_not_blank check (not private.is_blank(description)) not valid;
comment on constraint support_tickets_subject_not_blank on public.support_tickets is
    'subject must not be blank';
comment on constraint support_tickets_description_not_blank on public.support_tickets is
    'description must not be blank';

alter table public.user_feedback
    drop constraint user_feedback_description_not_blank,
    add constraint user_feedback_description_not_blank check (not private.is_blank(description)) not valid;
comment on constraint user_feedback_description_not_blank on public.user_feedback is
    'description must not be blank';

alter table public.support_messages
    drop constraint support_messages_message_not_blank,
    add constraint support_messages_message_not_blank check (not private.is_blank(message)) not valid;
comment on constraint support_messages_message_not_blank on public.support_messages is
    'message must not be blank';
