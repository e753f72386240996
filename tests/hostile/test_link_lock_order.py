"""Two staff linking two tickets to each other at once never deadlock.

support_link_problem locks the report and the problem. Locked report first, then problem, two
agents linking A to B and B to A can each hold their report and wait for the other's: PostgreSQL
kills one with a deadlock error (a 500). The interleaving is forced with two real sessions: the
first agent's transaction holds the lower id (what locking its report first does), the second
agent's link (report = the higher id) starts and waits, then the first links the lower id to the
higher. Locked in id order, the second waits holding nothing and then meets the rule (409).
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import psycopg
import pytest


def _act_as(connection: psycopg.Connection, user_id: str) -> None:
    connection.execute("set local role authenticated")
    connection.execute(
        "select set_config('request.jwt.claims', %s, true)",
        (json.dumps({"sub": user_id, "role": "authenticated"}),),
    )


def _link(report: str, problem: str) -> str:
    return (
        "select public.support_link_problem(jsonb_build_object("
        f"'ticket_id', '{report}', 'problem_id', '{problem}'))"
    )


def _wait_until_blocked(db: psycopg.Connection, pid: int) -> None:
    for _ in range(200):
        row = db.execute("select wait_event_type from pg_stat_activity where pid = %s",
                         (pid,)).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.05)
    pytest.fail("the second link never waited for the first agent's lock")


def test_two_agents_linking_two_tickets_to_each_other_do_not_deadlock(stack, db, make_user):
    owner, first_agent, second_agent = make_user(), make_user(), make_user()
    for agent in (first_agent, second_agent):
        db.execute(
            "insert into public.support_staff (user_id, role, display_name) "
            "values (%s, 'agent', 'A')",
            (agent.id,),
        )
    low, high = sorted(str(uuid.uuid4()) for _ in range(2))
    for ticket in (low, high):
        db.execute(
            "insert into public.support_tickets (id, user_id, ticket_type, subject, description) "
            "values (%s, %s, 'bug', 'Crash', 'It crashes')",
            (ticket, owner.id),
        )

    outcome: dict[str, BaseException | str] = {}
    with psycopg.connect(stack.db_url) as first, psycopg.connect(stack.db_url) as second:
        first.execute("select 1 from public.support_tickets where id = %s for update", (low,))
        _act_as(first, first_agent.id)
        _act_as(second, second_agent.id)

        def second_links() -> None:
            try:
                outcome["second"] = json.dumps(second.execute(_link(high, low)).fetchone()[0])
                second.commit()
            except psycopg.Error as error:
                outcome["second"] = error
                second.rollback()

        thread = threading.Thread(target=second_links)
        thread.start()
        _wait_until_blocked(db, second.info.backend_pid)
        try:
            linked = first.execute(_link(low, high)).fetchone()[0]
            first.commit()
        except psycopg.Error as error:
            first.rollback()
            thread.join(timeout=30)
            pytest.fail(f"the first link failed: {type(error).__name__} {error.sqlstate}")
        thread.join(timeout=30)

    assert linked["problem_id"] == high
    second_outcome = outcome["second"]
    assert isinstance(second_outcome, psycopg.Error), second_outcome
    assert second_outcome.sqlstate == "PGRST", type(second_outcome).__name__
    refusal = json.loads(second_outcome.diag.message_primary or "{}")
    assert refusal["message"] == "A report cannot be a problem"
