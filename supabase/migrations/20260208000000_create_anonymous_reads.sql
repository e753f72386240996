-- What anonymous callers may read, declared as data.
--
-- Why: until the help center, anon could read and execute nothing, and two house rules
-- (01-house-rules.sql) said so over the whole catalog. Published help articles are meant for
-- everyone, signed in or not (the public /help/ pages, the app before sign-in), so a few
-- objects must be readable by anon. Rather than loosen the rules, each such object is a row
-- here with its reason; the rules then list every anon privilege on an object that is NOT a
-- row, so the next table or RPC is still closed to anon unless its migration declares it.
-- Anonymous reads stay read-only: no table here is writable by anon, and an RPC here must not
-- write (the house rule checks provolatile).

create table private.anonymous_reads (
    object_name text primary key,
    kind text not null,
    reason text not null,
    constraint anonymous_reads_kind_known check (kind in ('table', 'function')),
    constraint anonymous_reads_reason_not_blank check (not private.is_blank(reason))
);

comment on table private.anonymous_reads is
    'The tables and RPCs anonymous callers (the anon key, no sign-in) may read or call, each with '
    'its reason. The house rules refuse an anon privilege on anything not listed here, and any '
    'anon write. object_name is regclass''s spelling for a table, regprocedure''s for a function.';
comment on column private.anonymous_reads.object_name is
    'schema.table (as regclass prints it) or schema.function(argument types) (as regprocedure prints it).';
comment on column private.anonymous_reads.reason is 'Why anon needs it.';
comment on constraint anonymous_reads_kind_known on private.anonymous_reads is
    'kind must be table or function';
comment on constraint anonymous_reads_reason_not_blank on private.anonymous_reads is
    'reason must not be blank';

alter table private.anonymous_reads enable row level security;
revoke all on table private.anonymous_reads from anon, authenticated;
grant select on table private.anonymous_reads to service_role;

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('private.anonymous_reads', true, '{}', 'what anonymous callers may read');

create trigger audit_changes after insert or update or delete on private.anonymous_reads
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on private.anonymous_reads
    for each statement execute function private.record_audit();
