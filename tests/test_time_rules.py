"""Time rules between real sessions (20260203000300_create_time_rules.sql): two runs never
overlap, each (rule, ticket, state) is run once however the runs interleave, and a run reads the
waiting tickets through their partial index. The rules themselves are checked in
supabase/tests/79-time-rules.sql."""

from collections.abc import Iterator

import psycopg
import pytest

RUN = "select private.run_time_rules(1000, %s)"
# Far ahead, so that the scheduler's own runs (with now()) never find this file's tickets due.
WAITING_SINCE, RUN_AT = "2100-01-01 00:00:00+00", "2100-01-02 00:00:00+00"
RULE = "Test: remind after an hour (dry run)"


@pytest.fixture
def waiting_tickets(db, make_user) -> Iterator[list[str]]:
    """Five tickets waiting on the user since WAITING_SINCE, and a time rule in dry run (which
    records what it would do and changes nothing, so the scheduler meanwhile harms no other
    test's tickets)."""
    owner, agent = make_user(), make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name) "
               "values (%s, 'agent', 'Agent Clock')", (agent.id,))
    tickets = [str(row[0]) for row in db.execute(
        "insert into public.support_tickets (user_id, ticket_type, subject, description,"
        " created_at) select %s, 'billing', 'Waiting ' || g, 'Waiting',"
        " %s::timestamptz - interval '1 hour'"
        " from generate_series(1, 5) as g returning id", (owner.id, WAITING_SINCE)).fetchall()]
    for ticket in tickets:
        db.execute("insert into public.ticket_messages (ticket_id, author_id, author_kind, body,"
                   " created_at) values (%s, %s, 'agent', 'Which card?', %s)",
                   (ticket, agent.id, WAITING_SINCE))
    db.execute("insert into public.ticket_time_rules (name, clock, minutes, dry_run, actions)"
               " values (%s, 'waiting_on_user', 60, true,"
               " '[{\"action\": \"add_internal_note\", \"value\": \"Waiting\"}]')", (RULE,))
    try:
        yield tickets
    finally:
        db.execute("delete from public.ticket_time_rules where name = %s", (RULE,))


def runs_of(db: psycopg.Connection, tickets: list[str]) -> int:
    return db.execute("select count(*) from public.ticket_time_rule_runs as r"
                      " join public.ticket_time_rules as t on t.id = r.rule_id"
                      " where t.name = %s and r.ticket_id = any(%s::uuid[])",
                      (RULE, tickets)).fetchone()[0]


def test_two_sessions_never_run_at_once_and_each_ticket_is_run_once(stack, db, waiting_tickets):
    with psycopg.connect(stack.db_url) as first, \
            psycopg.connect(stack.db_url, autocommit=True) as second:
        assert first.execute(RUN, (RUN_AT,)).fetchone()[0] >= len(waiting_tickets)
        # The first run's transaction is open: the second returns null at once, doing nothing.
        second.execute("set statement_timeout = '3s'")
        assert second.execute(RUN, (RUN_AT,)).fetchone()[0] is None
        first.commit()
        assert runs_of(db, waiting_tickets) == len(waiting_tickets)
        # Later runs find every ticket run already in this state.
        second.execute(RUN, (RUN_AT,))
        with first.transaction():
            first.execute(RUN, (RUN_AT,))
    assert runs_of(db, waiting_tickets) == len(waiting_tickets)


def test_a_run_reads_the_waiting_tickets_through_their_partial_index(stack, waiting_tickets):
    plans: list[str] = []
    with psycopg.connect(stack.db_url) as session:
        session.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
        # A closed history much larger than the waiting tickets (rolled back with the test).
        session.execute("set local session_replication_role = replica")
        session.execute(
            "insert into public.support_tickets (user_id, ticket_type, subject, description,"
            " status) select t.user_id, 'billing', 'Old ' || g, 'Old', 'closed'"
            " from public.support_tickets as t, generate_series(1, 20000) as g where t.id = %s",
            (waiting_tickets[0],))
        session.execute("set local session_replication_role = origin")
        session.execute("analyze public.support_tickets")
        session.execute("load 'auto_explain'")
        for setting, value in (("log_min_duration", "0"), ("log_nested_statements", "on"),
                               ("log_level", "notice")):
            session.execute(f"set local auto_explain.{setting} = {value}")
        assert session.execute(RUN, (RUN_AT,)).fetchone()[0] >= len(waiting_tickets)
        session.rollback()
    scans = [plan for plan in plans if "sla_paused_at <=" in plan]
    assert scans, plans
    assert all("support_tickets_waiting_on_user_idx" in plan for plan in scans), scans
    assert all("Seq Scan on support_tickets" not in plan for plan in scans), scans
