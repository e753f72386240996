"""Notification figures: events delivered per second by one and by two workers, and what the
enqueue trigger costs a status change (the same run, with the trigger and without).

    .venv/bin/python -m bench.notifications      (NOTIFY_EVENTS=1000, NOTIFY_CHANGES=2000)

Brings up a stack of its own without a supervised worker; deliveries go by email to its MailDev.
Writes bench/results/<date>-notifications.json and prints a short table.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

from bench import machine
from support_dev.stack.launch import RunningStack, make_state_dir, start_stack, stop_stack

EVENTS = int(os.environ.get("NOTIFY_EVENTS", "1000"))
CHANGES = int(os.environ.get("NOTIFY_CHANGES", "2000"))
RESULTS = Path(__file__).with_name("results")
WORKER = Path(sys.executable).with_name("support-worker")


def as_agent(db_url: str, agent: str) -> psycopg.Connection:
    connection = psycopg.connect(db_url, autocommit=True)
    connection.execute("select set_config('request.jwt.claims', %s, false)",
                       (json.dumps({"sub": agent, "role": "authenticated"}),))
    connection.execute("set role authenticated")
    return connection


def setup(db: psycopg.Connection, tickets: int) -> tuple[str, list[str]]:
    agent = str(uuid.uuid4())
    db.execute("insert into auth.users (id, email) values (%s, %s)", (agent, f"{agent}@bench.test"))
    db.execute("insert into public.support_staff values (%s, 'agent', 'Bench', now())", (agent,))
    ids = []
    for _ in range(tickets):
        owner, ticket = str(uuid.uuid4()), str(uuid.uuid4())
        db.execute("insert into auth.users (id, email) values (%s, %s)",
                   (owner, f"{owner}@bench.test"))
        db.execute("insert into public.support_tickets (id, user_id, ticket_type, subject, "
                   "description) values (%s, %s, 'billing', 'Bench', 'Bench')", (ticket, owner))
        ids.append(ticket)
    return agent, ids


def status_change_ms(agent_db: psycopg.Connection, tickets: list[str], count: int) -> float:
    """Median milliseconds of one status change (open <-> in_progress) by an agent."""
    timings = []
    for number in range(count):
        ticket = tickets[number % len(tickets)]
        # Each ticket's own status decides the next one: every update is a real change.
        status = agent_db.execute("select status from public.support_tickets where id = %s",
                                  (ticket,)).fetchone()[0]
        status = "open" if status == "in_progress" else "in_progress"
        began = time.perf_counter()
        agent_db.execute("select public.support_update_ticket(%s)",
                         (json.dumps({"ticket_id": ticket, "status": status}),))
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def trigger_cost(db: psycopg.Connection, agent_db: psycopg.Connection, tickets: list[str]
                 ) -> dict[str, float]:
    """ABBA: with, without, without, with; each half of CHANGES / 4 changes."""
    runs: dict[str, list[float]] = {"with": [], "without": []}
    for label in ("with", "without", "without", "with"):
        verb = "enable" if label == "with" else "disable"
        db.execute(f"alter table public.ticket_events {verb} trigger ticket_events_notify")
        runs[label].append(status_change_ms(agent_db, tickets, CHANGES // 4))
    db.execute("alter table public.ticket_events enable trigger ticket_events_notify")
    with_ms, without_ms = min(runs["with"]), min(runs["without"])
    return {"with_trigger_ms": round(with_ms, 3), "without_trigger_ms": round(without_ms, 3),
            "trigger_cost_ms": round(with_ms - without_ms, 3)}


def delivery_rate(stack: RunningStack, db: psycopg.Connection, agent_db: psycopg.Connection,
                  tickets: list[str], workers: int) -> float:
    db.execute("select pgmq.purge_queue('notifications')")
    for number in range(EVENTS):
        agent_db.execute("select public.support_reply(%s)", (json.dumps(
            {"ticket_id": tickets[number % len(tickets)], "body": f"Bench reply {number}"}),))
    env = {**os.environ, "SUPPORT_API_ENV": "local", "SUPPORT_WORKER_DB_URL": stack.db_url,
           "SUPABASE_URL": stack.gateway_url, "SUPABASE_JWT_SECRET": stack.jwt_secret,
           "SUPPORT_APP_URL": "http://127.0.0.1:3000", "SMTP_PORT": str(stack.smtp_port),
           "SUPPORT_WORKER_POLL_INTERVAL": "0.1"}
    began = time.perf_counter()
    processes = [subprocess.Popen([str(WORKER)], env=env, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
    try:
        while db.execute("select count(*) from pgmq.q_notifications").fetchone()[0]:
            time.sleep(0.05)
        elapsed = time.perf_counter() - began
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait()
    return round(EVENTS / elapsed, 1)


def main() -> int:
    stack = start_stack(make_state_dir("sfa-bench-notify-") / "stack",
                        extra_args=("--workers", "0"))
    try:
        with psycopg.connect(stack.db_url, autocommit=True) as db:
            db.execute("update public.notification_settings set batch_window = '0'")
            agent, tickets = setup(db, 50)
            with as_agent(stack.db_url, agent) as agent_db:
                cost = trigger_cost(db, agent_db, tickets)
                rates = {f"events_per_second_{n}_worker{'s' if n > 1 else ''}":
                         delivery_rate(stack, db, agent_db, tickets, n) for n in (1, 2)}
    finally:
        stop_stack(stack)
    result = {"date": datetime.date.today().isoformat(), "machine": machine.describe(),
              "load_average_after": [round(load, 1) for load in os.getloadavg()],
              "events": EVENTS, "status_changes": CHANGES, **cost, **rates}
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"{result['date']}-notifications.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    for name, value in result.items():
        if name != "machine":
            print(f"{name:>32}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
