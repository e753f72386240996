-- Known problems: staff link bug reports to a problem ticket; resolving the problem resolves
-- its open reports.
--
-- Why: one fix closes the fifty identical reports it caused, and each reporter hears of it in
-- their own ticket. POST /rest/v1/rpc/support_link_problem {ticket_id, problem_id} and
-- support_unlink_problem {ticket_id}, staff only (403 otherwise). A problem is an ordinary
-- ticket with reports linked to it; a report cannot itself be a problem (no chains), and
-- closed tickets are neither linked nor linked to (409).
-- When a problem becomes resolved, an AFTER UPDATE trigger resolves every linked report that
-- is open or in progress with the problem's resolution, in the same transaction and as the
-- same actor, so each report goes through the lifecycle check and gets its own status event;
-- each reporter sees their own ticket resolved and nothing of the problem or the other
-- reports (RLS). Staff write the problem's resolution knowing every reporter reads it.
-- private.problem_report_count answers a problem's number of linked reports (through
-- support_tickets_problem_id_status_idx); the queue (20260111001100) and support_ticket show it.

-- Security definer: staff change tickets only through definer functions and no role inserts
-- history events directly. It checks that the caller is staff, locks the report and the
-- problem (in id order), and sets only the report's problem_id.
create function private.link_problem_as_staff(report_id uuid, new_problem_id uuid)
    returns public.support_tickets
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    report public.support_tickets;
    problem public.support_tickets;
    old_problem uuid;
begin
    perform private.require_staff();
    if report_id = new_problem_id then
        perform private.refuse('link_to_itself');
    end if;
    -- Both rows locked in id order, as the merge does: two staff linking two tickets to each
    -- other at once would otherwise each hold their report and wait for the other's.
    perform 1 from public.support_tickets as t
    where t.id in (report_id, new_problem_id)
    order by t.id
    for update;
    select t.* into report from public.support_tickets as t where t.id = report_id;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    old_problem := report.problem_id;
    if new_problem_id is not null then
        select t.* into problem from public.support_tickets as t where t.id = new_problem_id;
        if not found then
            perform private.raise_ticket_not_found();
        end if;
        if problem.problem_id is not null then
            perform private.refuse('link_report_as_problem');
        end if;
        if exists (select 1 from public.support_tickets as r where r.problem_id = report.id) then
            perform private.refuse('link_problem_as_report');
        end if;
        if report.status = 'closed' or problem.status = 'closed' then
            perform private.refuse('link_closed_ticket');
        end if;
    end if;
    if old_problem is not distinct from new_problem_id then
        return report;
    end if;

    update public.support_tickets as t
    set problem_id = new_problem_id
    where t.id = report.id
    returning t.* into report;

    insert into public.ticket_events (ticket_id, kind, internal, actor_id, actor_kind, from_value, to_value)
    select e.ticket_id, 'problem', true, (select auth.uid()), 'agent', e.before, e.after
    from (values
        (report.id, old_problem::text, new_problem_id::text),
        (old_problem, report.id::text, null),
        (new_problem_id, null, report.id::text)
    ) as e(ticket_id, before, after)
    where e.ticket_id is not null;
    return report;
end;
$$;

comment on function private.link_problem_as_staff(uuid, uuid) is
    'Staff only: links a report to a problem (null unlinks), recording an internal problem event '
    'on the report and on each problem concerned.';

-- Security definer: the reports belong to other users and staff hold no update on tickets; it
-- changes only the status and resolution of the open reports of the problem that fired it.
create function private.resolve_problem_reports()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    update public.support_tickets as t
    set status = 'resolved', resolution = new.resolution
    where t.problem_id = new.id and t.status in ('open', 'in_progress');
    return null;
end;
$$;

comment on function private.resolve_problem_reports() is
    'After a ticket becomes resolved: resolves its linked open reports with its resolution (each '
    'checked by the lifecycle and recorded in its own history).';
revoke all on function private.link_problem_as_staff(uuid, uuid), private.resolve_problem_reports() from public;
grant execute on function private.link_problem_as_staff(uuid, uuid) to authenticated;

-- Security definer: staff hold no read policy on the tickets (20260110000800), and the reports
-- belong to other users. It checks that the caller is staff and answers only a count.
create function private.problem_report_count(problem uuid)
    returns bigint
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    perform private.require_staff();
    return (select pg_catalog.count(*) from public.support_tickets as r where r.problem_id = problem_report_count.problem);
end;
$$;

comment on function private.problem_report_count(uuid) is
    'Staff only: how many reports are linked to the problem.';
revoke all on function private.problem_report_count(uuid) from public;
grant execute on function private.problem_report_count(uuid) to authenticated;

create trigger support_tickets_resolve_reports
    after update of status on public.support_tickets
    for each row
    when (new.status = 'resolved' and old.status is distinct from 'resolved')
    execute function private.resolve_problem_reports();

create function public.support_link_problem(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    problem uuid;
    report public.support_tickets;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"ticket_id": "string", "problem_id": "string"}');
    problem := private.uuid_param(body ->> 'problem_id', 'problem_id');
    report := private.link_problem_as_staff(private.uuid_param(body ->> 'ticket_id', 'ticket_id'), problem);
    return pg_catalog.json_build_object(
        'ticket_id', report.id,
        'problem_id', report.problem_id,
        'reports', private.problem_report_count(report.problem_id)
    );
end;
$$;

comment on function public.support_link_problem(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id, problem_id}: links the report to the problem; '
    'resolving the problem resolves the report. Returns {ticket_id, problem_id, reports (the '
    'problem''s count)}. 404 for a missing ticket, 409 when the problem is itself a report, the '
    'report is a problem, or either is closed.';

create function public.support_unlink_problem(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    report public.support_tickets;
begin
    perform private.require_staff();
    perform private.check_request_body(body, '{"ticket_id": "string"}');
    report := private.link_problem_as_staff(private.uuid_param(body ->> 'ticket_id', 'ticket_id'), null);
    return pg_catalog.json_build_object('ticket_id', report.id, 'problem_id', report.problem_id);
end;
$$;

comment on function public.support_unlink_problem(jsonb) is
    'Staff only (403 otherwise). Body: {ticket_id}: unlinks the report from its problem. Returns '
    '{ticket_id, problem_id: null}. 404 for a missing ticket.';

revoke all on function public.support_link_problem(jsonb), public.support_unlink_problem(jsonb)
    from public, anon, authenticated, service_role;
grant execute on function public.support_link_problem(jsonb), public.support_unlink_problem(jsonb) to authenticated;
