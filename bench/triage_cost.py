"""`python -m bench.triage_cost`: what support-triage costs, idle and per create (issue 28,
"Triage idle cost"; docs/triage.md).

The stack starts without its worker (--no-triage); a week of tickets, every one already scored
(two suggestions each), goes in first (TRIAGE_WEEK, default 50,000), so an idle poll has a
week to walk if it walks one. Then, on the same stack:
- creates without the worker: CREATES report_bug calls in the database, one user each, and the
  database's CPU over them;
- the worker (`support-triage run`, as the stack runs it) started and trained; the CPU of its
  process and of the database per week's ticket while it embeds them (its backlog: they were
  scored before embeddings); then idle for IDLE_SECONDS: the CPU of both per minute;
- creates with the worker: the same number of calls, and the CPU of the worker and of the
  database until every new ticket is scored, per create;
- where the queue's insert trigger exists (after issue 28), report_bug with and without it,
  alternating blocks of 50 (worker stopped): the median call and the database's CPU per call.
CPU is read from /proc (bench/cpu.py), each process tree whole. The result is printed and
written to bench/results/triage/<date>-cost-<host>.json with the machine and the load, under
the run's label (TRIAGE_COST_LABEL, "after" by default; "before" for a run from a checkout
of the previous code, e.g. `git archive` of it with PYTHONPATH pointing there).
"""

import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import time
from pathlib import Path

import psycopg

from bench import cpu, dataset
from bench.similar_bench import CREATE_BUG, start_worker, timed_ms
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack
from support_triage.embedding import MODEL_ID

WEEK = int(os.environ.get("TRIAGE_WEEK", "50000"))
CREATES = int(os.environ.get("TRIAGE_CREATES", "300"))
IDLE_SECONDS = float(os.environ.get("TRIAGE_IDLE_SECONDS", "60"))
USERS = 4 * CREATES + 100
RESULTS = Path(__file__).with_name("results") / "triage"

WEEK_LOAD = f"""
insert into public.support_tickets (user_id, ticket_type, subject, description, status, created_at)
select ('00000000-0000-4000-8000-' || lpad((1 + g % 100)::text, 12, '0'))::uuid,
       'bug', 'Crash ' || g, 'The widget crashes ' || g, 'open',
       now() - (g % 10000) * interval '1 minute'
from generate_series(1, {WEEK}) as g
"""
# Scored as either version of the worker knows it: suggestions for both fields, no queue row.
WEEK_SCORED = """
insert into public.triage_suggestions (ticket_id, field, value, confidence, model_version)
select t.id, f.field, f.value, 0.5, 'bench'
from public.support_tickets as t,
     (values ('ticket_type', 'bug'), ('priority', 'low')) as f (field, value)
"""
# What the worker embeds when nothing is pending: here the week's tickets, scored but without
# a vector (a deployment meets this once, when embeddings arrive, and after a change of model).
BACKLOG = f"select count(*) from private.embedding_backlog('{MODEL_ID}', 1)"
UNSCORED = """
select count(*) from public.support_tickets as t
where not exists (select 1 from public.triage_suggestions as s where s.ticket_id = t.id)
"""


def create_bugs(db: psycopg.Connection, first_user: int, count: int = CREATES) -> list[float]:
    return [timed_ms(db, dataset.user_id(n), CREATE_BUG, keep=True)
            for n in range(first_user, first_user + count)]


def trigger_cost(db: psycopg.Connection, database: dict[str, int], first_user: int,
                 figures: dict[str, float]) -> None:
    """report_bug with and without the queue's trigger, alternating blocks, same stack."""
    timings: dict[str, list[float]] = {"with": [], "without": []}
    cpu_s: dict[str, float] = {"with": 0.0, "without": 0.0}
    for block in range(2 * CREATES // 50):
        state = ("with", "without")[block % 2]
        if state == "without":
            db.execute("alter table public.support_tickets disable trigger enqueue_for_triage")
        before = cpu.snapshot(database)["database"]
        timings[state] += create_bugs(db, first_user + 50 * block, 50)
        cpu_s[state] += cpu.snapshot(database)["database"] - before
        if state == "without":
            db.execute("alter table public.support_tickets enable trigger enqueue_for_triage")
    for state in timings:
        figures[f"report_bug_median_ms_{state}_queue_trigger"] = round(
            statistics.median(timings[state]), 2)
        figures[f"database_ms_per_create_{state}_queue_trigger"] = round(
            cpu_s[state] * 1000 / len(timings[state]), 2)


def main() -> int:
    folder = make_state_dir("sfa-triage-cost-")
    figures: dict[str, float] = {}
    try:
        stack = start_stack(folder / "stack", extra_args=("--no-triage",))
        database = {"database": stack.pids["postgres"]}
        try:
            with psycopg.connect(stack.db_url, autocommit=True) as db:
                dataset.create_users(db, 1, USERS)
                with db.transaction():
                    db.execute("set local session_replication_role = replica")
                    db.execute(WEEK_LOAD)
                    db.execute(WEEK_SCORED)
                db.execute("vacuum analyze")

                before = cpu.snapshot(database)
                create_bugs(db, 101)
                figures["database_ms_per_create_without_worker"] = cpu.per_request_ms(
                    before, cpu.snapshot(database), CREATES)["database"]

                worker = start_worker(db, stack.db_url)
                try:
                    parts = {**database, "triage": worker.pid}
                    before = cpu.snapshot(parts)
                    while db.execute(UNSCORED).fetchone()[0] or db.execute(BACKLOG).fetchone()[0]:
                        time.sleep(0.5)
                    backlog = cpu.per_request_ms(before, cpu.snapshot(parts), WEEK)
                    for name, ms in backlog.items():
                        figures[f"{name}_ms_per_backlog_item"] = ms
                    before = cpu.snapshot(parts)
                    time.sleep(IDLE_SECONDS)
                    idle = cpu.per_request_ms(before, cpu.snapshot(parts), 1)
                    for name, ms in idle.items():
                        figures[f"{name}_ms_per_idle_minute"] = round(ms * 60 / IDLE_SECONDS, 1)

                    before = cpu.snapshot(parts)
                    create_bugs(db, 101 + CREATES)
                    while db.execute(UNSCORED).fetchone()[0]:
                        time.sleep(0.2)
                    busy = cpu.per_request_ms(before, cpu.snapshot(parts), CREATES)
                    figures["database_ms_per_create_with_worker"] = busy["database"]
                    figures["triage_ms_per_create"] = busy["triage"]
                finally:
                    worker.send_signal(signal.SIGTERM)
                    worker.wait(60)
                if db.execute("select 1 from pg_trigger where tgname = 'enqueue_for_triage'"
                              ).fetchone():
                    trigger_cost(db, database, 101 + 2 * CREATES, figures)
        finally:
            stop_stack(stack)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    result = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"host": platform.node(), "cpus": os.cpu_count(),
                    "processor": platform.processor() or platform.machine(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "week_tickets": WEEK, "creates": CREATES, "idle_seconds": IDLE_SECONDS,
        "figures": figures,
    }
    print(json.dumps(result, indent=2))
    # One file per day and machine, a run per label (TRIAGE_COST_LABEL: "before" from a
    # checkout of the previous code, "after" by default), so before and after sit side by side.
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{datetime.date.today()}-cost-{platform.node()}.json"
    runs = json.loads(path.read_text()) if path.exists() else {}
    runs[os.environ.get("TRIAGE_COST_LABEL", "after")] = result
    path.write_text(json.dumps(runs, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
