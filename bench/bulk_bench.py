"""`python -m bench.bulk_bench`: a bulk action on N tickets while 16 agents work the queue; their
p99 with the bulk job running against their p99 idle, in the same run.

The claim (docs/bulk-and-collisions.md): a bulk job holds no lock across tickets (each ticket is
its own transaction in support-worker's bulk loop), so agents working the queue meanwhile are
not blocked: their p99 stays within 2x of what it is without the job. Each agent is a thread
with its own JWT that reads a page of the open queue (support_queue through the gateway and
PostgREST) and changes the priority of one ticket of it (support_update_ticket), again and
again. First BENCH_BULK_SECONDS of that without a job (idle), then the same while the job runs
(the bulk closes nothing: it sets a tag and a priority on BENCH_BULK_TICKETS open tickets, the
same tickets the agents work). The stack is started for the run and its support-worker applies
the job. Printed and written to bench/results/bulk/<date>-<host>.md.

BENCH_BULK_TICKETS (default 2,000; the issue's figure is 10,000), BENCH_BULK_AGENTS (16),
BENCH_BULK_SECONDS (10: the idle phase; the busy phase lasts until the job is done, at least as
long).
"""

from __future__ import annotations

import datetime
import os
import platform
import random
import shutil
import statistics
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from support_dev.stack.launch import make_state_dir, start_stack, stop_stack
from support_runtime.tokens import mint_jwt

TICKETS = int(os.environ.get("BENCH_BULK_TICKETS", "2000"))
AGENTS = int(os.environ.get("BENCH_BULK_AGENTS", "16"))
SECONDS = float(os.environ.get("BENCH_BULK_SECONDS", "10"))
RESULTS = Path(__file__).with_name("results") / "bulk"
OWNER = "00000000-0000-4000-8000-000000777777"
REQUESTER = "00000000-0000-4000-8000-000000777700"
PRIORITIES = ("low", "medium", "high")


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


def work(rest: str, anon: str, jwt: str, until: threading.Event, samples: list[float]) -> None:
    """One agent: a page of the open queue, then one ticket of it changed, until told to stop."""
    headers = {"Authorization": f"Bearer {jwt}", "apikey": anon}
    with httpx.Client(timeout=60, headers=headers) as client:
        while not until.is_set():
            began = time.perf_counter()
            page = client.post(f"{rest}/rpc/support_queue",
                               json={"status": "open", "page_size": "20"})
            samples.append((time.perf_counter() - began) * 1000)
            tickets = page.json().get("tickets") or []
            if not tickets:
                continue
            began = time.perf_counter()
            client.post(f"{rest}/rpc/support_update_ticket", json={
                "ticket_id": random.choice(tickets)["ticket_id"],
                "priority": random.choice(PRIORITIES)})
            samples.append((time.perf_counter() - began) * 1000)


def phase(rest: str, anon: str, jwts: list[str], done: threading.Event) -> list[float]:
    samples: list[float] = []
    agents = [threading.Thread(target=work, args=(rest, anon, jwt, done, samples)) for jwt in jwts]
    for agent in agents:
        agent.start()
    for agent in agents:
        agent.join()
    return samples


def main() -> int:
    folder = make_state_dir("sfa-bulk-bench-")
    try:
        stack = start_stack(folder / "stack")
        try:
            rest = f"{stack.gateway_url}/rest/v1"
            staff = [REQUESTER] + [str(uuid.uuid4()) for _ in range(AGENTS)]
            with psycopg.connect(stack.db_url, autocommit=True) as db:
                for user in [OWNER, *staff]:
                    db.execute("insert into auth.users (id, aud, role, email, created_at, "
                               "updated_at) values (%s, 'authenticated', 'authenticated', %s, "
                               "now(), now())",
                               (user, f"{user[-8:]}@bench.test"))
                for user in staff:
                    db.execute("insert into public.support_staff (user_id, role, display_name) "
                               "values (%s, 'agent', %s)", (user, f"Bench {user[-6:]}"))
                ids = [str(row[0]) for row in db.execute(
                    "insert into public.support_tickets "
                    "(user_id, ticket_type, subject, description) "
                    "select %s, 'billing', 'Bench ' || g, 'bulk bench' "
                    "from generate_series(1, %s) as g returning id", (OWNER, TICKETS)).fetchall()]
                db.execute("vacuum analyze public.support_tickets")
            jwts = [mint_jwt(stack.jwt_secret, sub=user) for user in staff[1:]]

            idle_done = threading.Event()
            threading.Timer(SECONDS, idle_done.set).start()
            idle = phase(rest, stack.anon_key, jwts, idle_done)

            requester = mint_jwt(stack.jwt_secret, sub=REQUESTER)
            headers = {"Authorization": f"Bearer {requester}", "apikey": stack.anon_key}
            busy_done = threading.Event()
            started = time.perf_counter()
            job = httpx.post(f"{rest}/rpc/support_bulk_update", headers=headers, timeout=120, json={
                "ticket_ids": ids, "changes": {"priority": "urgent", "add_tags": ["bench"]}}).json()
            report: dict = {}
            finished: list[float] = []

            def watch() -> None:
                nonlocal report
                while True:
                    report = httpx.post(f"{rest}/rpc/support_bulk_job", headers=headers,
                                        timeout=60, json={"job_id": job["job_id"]}).json()
                    if report.get("status") == "done" and not finished:
                        finished.append(time.perf_counter() - started)
                    if finished and time.perf_counter() - started >= SECONDS:
                        break
                    time.sleep(0.5)
                busy_done.set()

            watcher = threading.Thread(target=watch)
            watcher.start()
            busy = phase(rest, stack.anon_key, jwts, busy_done)
            watcher.join()
            job_seconds = finished[0]
        finally:
            stop_stack(stack)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    idle_p99, busy_p99 = p99(idle), p99(busy)
    lines = [
        f"# Bulk action while {AGENTS} agents work the queue "
        f"({datetime.date.today()}, {platform.node()})",
        "",
        f"A bulk change of {TICKETS:,} tickets (priority and a tag), applied by support-worker's",
        f"bulk loop, while {AGENTS} agents read the open queue and change tickets of it.",
        "",
        "| | requests | median ms | p99 ms |",
        "|---|---:|---:|---:|",
        f"| agents, idle | {len(idle):,} | {statistics.median(idle):.1f} | {idle_p99:.1f} |",
        f"| agents, during the bulk job | {len(busy):,} | {statistics.median(busy):.1f} "
        f"| {busy_p99:.1f} |",
        "",
        f"p99 during / idle: **{busy_p99 / idle_p99:.2f}x** (target: at most 2x).",
        f"The job: {report.get('changed', 0):,} changed, "
        f"{report.get('refused_count', 0):,} refused, done within {job_seconds:.1f} s "
        f"({TICKETS / job_seconds:.0f} tickets/s).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{datetime.date.today()}-{platform.node()}.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
