"""Bulk actions end to end: a job of 200 tickets through PostgREST, pgmq and support-worker's
bulk loop (support_worker.bulk), with its report; each ticket's history; a refused ticket with
its reason; and agents working the same tickets meanwhile without a deadlock.

The stack's own support-worker runs the same bulk loop, so a job may be finished by it or by the
loop these tests run: either way the report is the database's.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from support_worker import bulk


@pytest.fixture(scope="module")
def http() -> httpx.Client:
    with httpx.Client(timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def agent(db, make_user) -> Any:
    user = make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name) "
               "values (%s, 'agent', 'Bulk Agent')", (user.id,))
    return user


def rpc(stack, http: httpx.Client, user, function: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(f"{stack.rest_url}/rpc/{function}", json=body,
                     headers={"Authorization": f"Bearer {user.jwt}", "apikey": stack.anon_key})


def file_tickets(db, owner, count: int, status: str, word: str) -> list[str]:
    rows = db.execute(
        "insert into public.support_tickets "
        "(user_id, ticket_type, subject, description, status, resolution) "
        "select %s, 'billing', %s || ' ' || g, 'bulk test', %s, "
        "case when %s = 'resolved' then 'Done' end from generate_series(1, %s) as g returning id",
        (owner.id, word, status, status, count)).fetchall()
    return [str(row[0]) for row in rows]


def wait_for_job(stack, http, user, job_id: str, seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        bulk.run_until_empty(stack.db_url)
        report = rpc(stack, http, user, "support_bulk_job", {"job_id": job_id})
        assert report.status_code == 200, report.text
        if report.json()["status"] == "done" or time.monotonic() > deadline:
            return report.json()
        time.sleep(0.2)


def test_a_bulk_close_of_200_tickets_runs_as_a_job_and_reports_each_refusal(
        stack, db, http, make_user, agent):
    owner = make_user()
    word = f"bulk{uuid.uuid4().hex[:8]}"
    resolved = file_tickets(db, owner, 199, "resolved", word)
    still_open = file_tickets(db, owner, 1, "open", word)[0]

    answer = rpc(stack, http, agent, "support_bulk_update",
                 {"filters": {"q": word}, "changes": {"status": "closed"}})
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["status"] == "queued" and job["total"] == 200

    report = wait_for_job(stack, http, agent, job["job_id"])
    assert report["status"] == "done", report
    assert report["changed"] == 199 and report["refused_count"] == 1
    assert report["refused"] == [{
        "ticket_id": still_open, "code": "ticket_move_refused",
        "message": "A ticket cannot move from open to closed",
    }]
    statuses = dict(db.execute(
        "select status, count(*) from public.support_tickets "
        "where id = any(%s::uuid[]) group by status", ([*resolved, still_open],)).fetchall())
    assert statuses == {"closed": 199, "open": 1}
    # Each changed ticket has its own status event, with the agent as the actor.
    events = db.execute(
        "select count(*), count(distinct ticket_id) from public.ticket_events "
        "where ticket_id = any(%s::uuid[]) and kind = 'status' and to_value = 'closed' "
        "and actor_id = %s and actor_kind = 'agent'", (resolved, agent.id)).fetchone()
    assert events == (199, 199)
    assert db.execute("select count(*) from public.ticket_events "
                      "where ticket_id = %s and kind = 'status'", (still_open,)).fetchone() == (0,)


def test_a_small_selection_is_applied_in_the_request(stack, db, http, make_user, agent):
    owner = make_user()
    tickets = file_tickets(db, owner, 3, "open", f"small{uuid.uuid4().hex[:8]}")
    answer = rpc(stack, http, agent, "support_bulk_update",
                 {"ticket_ids": tickets,
                  "changes": {"priority": "urgent", "add_tags": ["bulk-test"]}})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"job_id": None, "status": "done", "total": 3, "changed": 3,
                             "refused": []}


def test_users_cannot_bulk(stack, http, make_user):
    user = make_user()
    answer = rpc(stack, http, user, "support_bulk_update",
                 {"ticket_ids": [str(uuid.uuid4())], "changes": {"priority": "low"}})
    assert answer.status_code == 403, answer.text


def test_agents_working_the_tickets_of_a_running_job_are_not_blocked_and_nothing_deadlocks(
        stack, db, http, make_user, agent):
    owner = make_user()
    other = make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name) "
               "values (%s, 'agent', 'Busy Agent')", (other.id,))
    word = f"busy{uuid.uuid4().hex[:8]}"
    tickets = file_tickets(db, owner, 120, "open", word)
    answer = rpc(stack, http, agent, "support_bulk_update",
                 {"ticket_ids": tickets, "changes": {"priority": "high", "add_tags": ["busy"]}})
    assert answer.status_code == 202, answer.text

    failures: list[str] = []
    durations: list[float] = []

    def work(chosen: list[str]) -> None:
        with httpx.Client(timeout=60) as client:
            for ticket_id in chosen:
                started = time.monotonic()
                reply = rpc(stack, client, other, "support_update_ticket",
                            {"ticket_id": ticket_id, "status": "in_progress",
                             "assignee_id": other.id})
                durations.append(time.monotonic() - started)
                if reply.status_code != 200:
                    failures.append(reply.text)

    workers = [threading.Thread(target=bulk.run_until_empty, args=(stack.db_url,))]
    workers += [threading.Thread(target=work, args=(tickets[i::4][:10],)) for i in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(120)
    assert not any(thread.is_alive() for thread in workers)
    assert failures == []
    # One ticket's change at most waits for another ticket's: well under the 30 s timeout.
    assert max(durations) < 10

    report = wait_for_job(stack, http, agent, answer.json()["job_id"])
    assert report["status"] == "done" and report["changed"] == 120, report
    both = db.execute(
        "select count(*) from public.support_tickets where id = any(%s::uuid[]) "
        "and status = 'in_progress' and priority = 'high'", (tickets[0::4][:10],)).fetchone()
    assert both == (10,)


