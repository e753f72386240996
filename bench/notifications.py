"""Notification figures: events delivered per second by one and by two workers, by email to
MailDev and by webhook to a local receiver; MailDev's own rate (one SMTP connection, no worker);
and what the enqueue trigger costs a status change (the same run, with the trigger and without).

    .venv/bin/python -m bench.notifications      (NOTIFY_EVENTS=1000, NOTIFY_CHANGES=2000,
                                                   NOTIFY_PROBLEM_REPORTS=10000,
                                                   NOTIFY_LABEL=<suffix of the result file>)

NOTIFY_EVENTS=0 or NOTIFY_PROBLEM_REPORTS=0 leaves out the delivery rates or the problem.

Brings up a stack of its own without a supervised worker. Writes
bench/results/<date>-notifications[-<label>].json and prints a short table.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import smtplib
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

from bench import machine
from support_dev.stack.launch import RunningStack, make_state_dir, start_stack, stop_stack

EVENTS = int(os.environ.get("NOTIFY_EVENTS", "1000"))
CHANGES = int(os.environ.get("NOTIFY_CHANGES", "2000"))
LABEL = os.environ.get("NOTIFY_LABEL", "")
REPORTS = int(os.environ.get("NOTIFY_PROBLEM_REPORTS", "10000"))
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


def status_change_ms(db: psycopg.Connection, agent_db: psycopg.Connection, tickets: list[str],
                     count: int) -> float:
    """Median milliseconds of one status change (open <-> in_progress) by an agent."""
    timings = []
    for number in range(count):
        ticket = tickets[number % len(tickets)]
        # Each ticket's own status decides the next one: every update is a real change.
        status = db.execute("select status from public.support_tickets where id = %s",
                                  (ticket,)).fetchone()[0]
        status = "open" if status == "in_progress" else "in_progress"
        began = time.perf_counter()
        agent_db.execute("select public.support_update_ticket(%s)",
                         (json.dumps({"ticket_id": ticket, "status": status}),))
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def trigger_cost(db: psycopg.Connection, agent_db: psycopg.Connection, tickets: list[str]
                 ) -> dict[str, float]:
    """Rounds of 50 changes alternating with and without the trigger (ABBA within each pair of
    rounds), CHANGES in all: the machine's load drifts alike on both sides. The median of the
    rounds' medians on each side."""
    runs: dict[str, list[float]] = {"with": [], "without": []}
    rounds = max(4, CHANGES // 50)
    for number in range(rounds):
        label = ("with", "without", "without", "with")[number % 4]
        verb = "enable" if label == "with" else "disable"
        db.execute(f"alter table public.ticket_events {verb} trigger ticket_events_notify")
        runs[label].append(status_change_ms(db, agent_db, tickets, CHANGES // rounds))
    db.execute("alter table public.ticket_events enable trigger ticket_events_notify")
    with_ms, without_ms = (statistics.median(runs[label]) for label in ("with", "without"))
    return {"with_trigger_ms": round(with_ms, 3), "without_trigger_ms": round(without_ms, 3),
            "trigger_cost_ms": round(with_ms - without_ms, 3),
            "trigger_cost_ratio": round(with_ms / without_ms, 3)}


@contextmanager
def webhook_receiver() -> Iterator[str]:
    """A loopback receiver that answers 204 at once: the worker's rate, not a receiver's."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def maildev_rate(stack: RunningStack, count: int) -> float:
    """Emails a second MailDev accepts over one SMTP connection, with no worker in between.
    The message is flattened once (since 2026-12-05; before, each send_message flattened it
    again, ~3 ms of this process's CPU an email counted against MailDev)."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "bench@sage.local", "to@bench.test", "Bench"
    mail.set_content("Bench " * 200)
    mail.add_alternative("<p>" + "Bench " * 200 + "</p>", subtype="html")
    data = mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as client:
        for _ in range(count):
            client.sendmail("bench@sage.local", ["to@bench.test"], data)
    return round(count / (time.perf_counter() - began), 1)


def delivery_rate(stack: RunningStack, db: psycopg.Connection, agent_db: psycopg.Connection,
                  tickets: list[str], workers: int) -> float:
    db.execute("select pgmq.purge_queue('notifications')")
    for number in range(EVENTS):
        agent_db.execute("select public.support_reply(%s)", (json.dumps(
            {"ticket_id": tickets[number % len(tickets)], "body": f"Bench reply {number}"}),))
    env = worker_env(stack)
    processes = [subprocess.Popen([str(WORKER)], env=env, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
    try:
        # The clock starts when every worker has its connection: Python's start-up is not
        # delivery (it was counted before 2026-12-04, which weighed on short runs).
        while db.execute("select count(*) from pg_stat_activity "
                         "where application_name = 'support-worker'").fetchone()[0] < workers:
            time.sleep(0.01)
        began = time.perf_counter()
        while db.execute("select count(*) from pgmq.q_notifications").fetchone()[0]:
            time.sleep(0.05)
        elapsed = time.perf_counter() - began
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait()
    return round(EVENTS / elapsed, 1)


def delivery_rates(stack: RunningStack, db: psycopg.Connection, agent_db: psycopg.Connection,
                   tickets: list[str]) -> dict[str, float]:
    rates = {"maildev_alone_emails_per_second": maildev_rate(stack, EVENTS)}
    plural = {1: "worker", 2: "workers"}
    for n in (1, 2):
        rates[f"email_events_per_second_{n}_{plural[n]}"] = delivery_rate(
            stack, db, agent_db, tickets, n)
    # Webhooks alone: the owners have no address, so no email goes out.
    db.execute("update auth.users set email = null where id in (select user_id "
               "from public.support_tickets where id = any(%s))", (tickets,))
    with webhook_receiver() as url:
        db.execute("insert into public.webhook_endpoints (url, kind) values (%s, 'reply')",
                   (url,))
        for n in (1, 2):
            rates[f"webhook_events_per_second_{n}_{plural[n]}"] = delivery_rate(
                stack, db, agent_db, tickets, n)
    return rates


def worker_env(stack: RunningStack) -> dict[str, str]:
    return {**os.environ, "SUPPORT_API_ENV": "local", "SUPPORT_WORKER_DB_URL": stack.db_url,
            "SUPABASE_URL": stack.gateway_url, "SUPABASE_JWT_SECRET": stack.jwt_secret,
            "SUPPORT_APP_URL": "http://127.0.0.1:3000", "SMTP_PORT": str(stack.smtp_port),
            "SUPPORT_WORKER_POLL_INTERVAL": "0.1",
            "SUPPORT_WORKER_WEBHOOK_ALLOW_LOOPBACK": "true"}


def problem_resolution(stack: RunningStack, db: psycopg.Connection, agent: str
                       ) -> dict[str, float]:
    """One problem with REPORTS linked reports of as many users, resolved by an agent while
    two workers run: seconds from the commit to the last email in MailDev's hands."""
    db.execute("select pgmq.purge_queue('notifications')")
    db.execute("delete from public.webhook_endpoints")
    problem = db.execute(
        "insert into public.support_tickets (user_id, ticket_type, subject, description) "
        "select id, 'billing', 'Bench problem', 'Bench' from auth.users where id = %s "
        "returning id", (agent,)).fetchone()[0]
    db.execute(
        "with reporters as (insert into auth.users (id, email) select gen_random_uuid(), "
        "'reporter-' || n || '@bench.test' from generate_series(1, %s) as n returning id) "
        "insert into public.support_tickets (user_id, ticket_type, subject, description, "
        "problem_id) select id, 'billing', 'Bench report', 'Bench', %s from reporters",
        (REPORTS, problem))
    processes = [subprocess.Popen([str(WORKER)], env=worker_env(stack),
                                  stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        with as_agent(stack.db_url, agent) as agent_db:
            began = time.perf_counter()
            agent_db.execute("select public.support_update_ticket(%s)", (json.dumps(
                {"ticket_id": str(problem), "status": "resolved", "resolution": "Fixed"}),))
            committed = time.perf_counter() - began
        queued = db.execute("select count(*) from pgmq.q_notifications").fetchone()[0]
        while db.execute("select count(*) from pgmq.q_notifications").fetchone()[0]:
            time.sleep(0.1)
        delivered = time.perf_counter() - began
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait()
    return {"problem_reports": REPORTS, "problem_notifications_queued": queued,
            "problem_resolution_commit_s": round(committed, 1),
            "problem_resolution_to_last_email_2_workers_s": round(delivered, 1)}


def main() -> int:
    stack = start_stack(make_state_dir("sfa-bench-notify-") / "stack",
                        extra_args=("--workers", "0"))
    try:
        with psycopg.connect(stack.db_url, autocommit=True) as db:
            db.execute("update public.notification_settings set batch_window = '0'")
            agent, tickets = setup(db, 50)
            with as_agent(stack.db_url, agent) as agent_db:
                cost = trigger_cost(db, agent_db, tickets)
                rates = delivery_rates(stack, db, agent_db, tickets) if EVENTS else {}
            if REPORTS:
                rates.update(problem_resolution(stack, db, agent))
    finally:
        stop_stack(stack)
    result = {"date": datetime.date.today().isoformat(), "machine": machine.describe(),
              "load_average_after": [round(load, 1) for load in os.getloadavg()],
              "events": EVENTS, "status_changes": CHANGES, **cost, **rates}
    RESULTS.mkdir(exist_ok=True)
    suffix = f"-{LABEL}" if LABEL else ""
    target = RESULTS / f"{result['date']}-notifications{suffix}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    for name, value in result.items():
        if name != "machine":
            print(f"{name:>32}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
