"""`python -m bench.time_rules_bench`: one time-rule run at 10k tickets and at 10M, the same
number of tickets due in both.

The claim (docs/rules.md, "Time rules"): a run reads the due tickets through a partial index,
not the table, so it costs what the due tickets cost whatever the history holds: at 10M tickets
within 2x of its time at 10k. Each round makes DUE open tickets wait on the user for four days
(triggers off, as a bulk load) and times `private.run_time_rules()` with one enabled rule
("waiting three days: add an internal note"), which acts on exactly those; the figure is the
median round. The plan of the due-ticket scan is read once per size through auto_explain (in a
transaction rolled back): the index it uses and the rows it reads. BENCH_SCALE=0 grows to 200k
instead of 10M. Printed and written to bench/results/rules/<date>-<host>-time-rules.md.
"""

import datetime
import json
import os
import platform
import re
import shutil
import statistics
import time
from pathlib import Path

import psycopg

from bench import dataset, machine
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack

DUE = int(os.environ.get("BENCH_TIME_RULES_DUE", "200"))
ROUNDS = int(os.environ.get("BENCH_TIME_RULES_ROUNDS", "5"))
TARGET = 10_000_000 if os.environ.get("BENCH_SCALE", "1") != "0" else 200_000
RESULTS = Path(__file__).with_name("results") / "rules"
RULE = ("insert into public.ticket_time_rules (name, clock, minutes, actions) values"
        " ('Bench: waiting three days', 'waiting_on_user', 4320,"
        " '[{\"action\": \"add_internal_note\", \"value\": \"Still waiting.\"}]')")
MAKE_DUE = """
    update public.support_tickets as t
    set sla_paused_at = now() - interval '4 days', status = 'open'
    where t.id in (select s.id from public.support_tickets as s
                   where s.status = 'resolved' and s.sla_paused_at is null limit %s)
"""
RUN = "select private.run_time_rules(%s)"


def make_due(db: psycopg.Connection) -> None:
    with db.transaction():
        db.execute("set local session_replication_role = replica")
        db.execute(MAKE_DUE, (DUE,))


def timed_runs(db: psycopg.Connection) -> float:
    times = []
    for _ in range(ROUNDS):
        make_due(db)
        began = time.perf_counter()
        acted = db.execute(RUN, (DUE * 2,)).fetchone()[0]
        times.append((time.perf_counter() - began) * 1000)
        assert acted == DUE, f"the run acted on {acted} tickets, not the {DUE} due"
    return statistics.median(times)


def due_scan_plan(db: psycopg.Connection) -> dict[str, object]:
    """How a run reads support_tickets, from auto_explain (in a transaction rolled back): the
    scan of the due tickets (its index, the rows it returned, the buffers it touched), and the
    statements the run spent most time in."""
    plans: list[str] = []
    db.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
    with db.transaction(force_rollback=True):
        make_due(db)
        db.execute("load 'auto_explain'")
        for setting, value in (("log_min_duration", "0"), ("log_nested_statements", "on"),
                               ("log_analyze", "on"), ("log_buffers", "on"),
                               ("log_format", "json"), ("log_level", "notice")):
            db.execute(f"set local auto_explain.{setting} = {value}")
        db.execute(RUN, (DUE * 2,))
    scan: dict[str, object] | None = None
    costs: dict[str, float] = {}
    jit_ms = 0.0
    for text in plans:
        if "{" not in text:
            continue
        explained = json.loads(text[text.index("{"):])
        query = " ".join(explained.get("Query Text", "").split())[:90]
        costs[query] = costs.get(query, 0.0) + explained["Plan"].get("Actual Total Time", 0.0)
        jit_ms += explained.get("JIT", {}).get("Timing", {}).get("Total", 0.0)
        nodes = [explained["Plan"]]
        while nodes and scan is None:
            node = nodes.pop()
            conditions = " ".join(str(node.get(key, "")) for key in
                                  ("Index Cond", "Recheck Cond", "Filter"))
            if node.get("Relation Name") == "support_tickets" and "sla_paused_at" in conditions:
                index = node.get("Index Name") or next(
                    (child.get("Index Name") for child in node.get("Plans", [])), None)
                scan = {"node": node["Node Type"], "index": index,
                        "rows": node.get("Actual Rows"),
                        "buffers": node.get("Shared Hit Blocks", 0)
                        + node.get("Shared Read Blocks", 0)}
            nodes.extend(node.get("Plans", []))
    assert scan is not None, "no plan of the due-ticket scan"
    scan["jit_ms"] = jit_ms
    scan["slowest"] = sorted(costs.items(), key=lambda item: -item[1])[:4]
    return scan


def main() -> int:
    folder = make_state_dir("sfa-time-rules-bench-")
    figures: dict[str, dict[str, object]] = {}
    try:
        stack = start_stack(folder / "stack")
        try:
            with psycopg.connect(stack.db_url, autocommit=True) as db:
                db.execute("update public.ticket_time_rules set enabled = false")
                db.execute(RULE)
                dataset.create_users(db, 1, 500)
                dataset.add_tickets(db, 1, 500, 20)
                for size in (10_000, TARGET):
                    missing = size - dataset.ticket_count(db)
                    if missing > 0:
                        started = time.monotonic()
                        users = missing // 20
                        dataset.create_users(db, 1000, users)
                        dataset.add_tickets(db, 1000, users, 20, indexes_afterwards=True)
                        print(f"loaded {dataset.ticket_count(db):,} tickets in "
                              f"{time.monotonic() - started:.0f}s", flush=True)
                    plan = due_scan_plan(db)
                    figures[f"{size:,}"] = {"run_ms": timed_runs(db), "scan": plan}
                    print(size, figures[f"{size:,}"], flush=True)
        finally:
            stop_stack(stack)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    small, large = figures.values()
    ratio = large["run_ms"] / small["run_ms"]
    described = machine.describe()
    lines = [f"# A time-rule run acting on {DUE} due tickets, at 10k and {TARGET:,} tickets", "",
             f"{datetime.date.today()}, {described['host']}, {described['cpu']}, "
             f"{described['cores']} cores, median of {ROUNDS} runs each", "",
             "| tickets | run (ms) | due-ticket scan | rows read | buffers | JIT (ms) |",
             "|---|---|---|---|---|---|"]
    for size, figure in figures.items():
        scan = figure["scan"]
        lines.append(f"| {size} | {figure['run_ms']:.1f} | {scan['node']} on {scan['index']} "
                     f"| {scan['rows']} | {scan['buffers']} | {scan['jit_ms']:.1f} |")
    lines += ["", f"Ratio: {ratio:.2f} (claim: at most 2)", ""]
    report = "\n".join(lines)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", platform.node())
    (RESULTS / f"{datetime.date.today()}-{name}-time-rules.md").write_text(report)
    return 0 if ratio <= 2 and all(f["scan"]["index"] for f in figures.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
