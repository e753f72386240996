-- One-line fields hold no control characters, defined once.
--
-- Why: a subject with a CR/LF was stored, and every email of that ticket then failed to build
-- (an email header cannot hold a line break), silently and for good. A field shown on one line
-- (a subject, a version, a device, a feature name, a name or a label that reaches a header or a
-- list row) refuses the C0 and C1 controls, DEL and the Unicode line and paragraph separators;
-- multi-line texts (descriptions, replies, resolutions) keep their line breaks. Each rule is a
-- named CHECK whose comment is the message, so the RPCs, a direct insert through PostgREST and
-- the Flask routes refuse the same way (400 naming the field). A bug report's subject is derived
-- from its description with every such character already folded into a space.

-- squawk: First release: nothing is deployed yet, so the tables this file alters are empty when it runs.
-- squawk-ignore-file constraint-missing-not-valid

create function private.is_one_line(value text)
    returns boolean
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
begin
    return value !~ '[\u0001-\u001F\u007F-\u009F\u2028\u2029]';
end;
$$;

comment on function private.is_one_line(text) is
    'True when the text holds no control character (C0, DEL, C1) nor a Unicode line or paragraph '
    'separator; null for null. Used by every one-line rule.';

revoke all on function private.is_one_line(text) from public;
grant execute on function private.is_one_line(text) to authenticated, service_role;

alter table public.support_tickets
    add constraint support_tickets_subject_one_line check (private.is_one_line(subject)),
    add constraint support_tickets_device_info_one_line check (private.is_one_line(device_info)),
    add constraint support_tickets_app_version_one_line check (private.is_one_line(app_version)),
    add constraint support_tickets_assigned_to_one_line check (private.is_one_line(assigned_to));
comment on constraint support_tickets_subject_one_line on public.support_tickets is
    'subject must be one line, without control characters';
comment on constraint support_tickets_device_info_one_line on public.support_tickets is
    'device_info must be one line, without control characters';
comment on constraint support_tickets_app_version_one_line on public.support_tickets is
    'app_version must be one line, without control characters';
comment on constraint support_tickets_assigned_to_one_line on public.support_tickets is
    'assigned_to must be one line, without control characters';

alter table public.user_feedback
    add constraint user_feedback_feature_name_one_line check (private.is_one_line(feature_name));
comment on constraint user_feedback_feature_name_one_line on public.user_feedback is
    'feature_name must be one line, without control characters';
