-- The bulk loop's own role: the bulk_actions queue, and the identity of the requesting agent.
--
-- Why: support-worker's bulk loop applies each ticket of a bulk job as the agent who asked for
-- it, so that the same checks run and the history names that agent. It connects with the
-- worker's database URL and switches to `support_bulk_worker`; for each ticket it opens a
-- transaction, takes role `authenticated` (set local role) and the agent's request.jwt.claims,
-- and calls private.bulk_run_item, which applies only a pending ticket of a job of that agent.
-- So the role reaches the queue of chunks and what an agent could do by hand on the tickets of
-- their own jobs, nothing more. On hosted Supabase the postgres role it connects as is a member
-- (granted below); a separate login is `alter role support_bulk_worker login password '...'`.

do $$
begin
    if to_regrole('support_bulk_worker') is null then
        create role support_bulk_worker nologin noinherit;
    end if;
end
$$;
grant support_bulk_worker to postgres;
grant authenticated to support_bulk_worker;
alter role support_bulk_worker set statement_timeout = '30s';

comment on role support_bulk_worker is
    'support-worker''s bulk loop: the bulk_actions queue; per ticket, role authenticated as the '
    'requesting agent (private.bulk_run_item).';

grant usage on schema pgmq to support_bulk_worker;
grant select, update, delete on table pgmq.q_bulk_actions to support_bulk_worker;
grant select, insert on table pgmq.a_bulk_actions to support_bulk_worker;
grant select on table pgmq.meta to support_bulk_worker;
grant execute on function pgmq.read(text, integer, integer, jsonb), pgmq.archive(text, bigint[])
    to support_bulk_worker;
