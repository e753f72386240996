"""`python -m bench.similar_bench`: the likely-duplicate lookup at 10k and 10M tickets, and the
create path's cost with and without what triage adds to it.

The claim (docs/triage.md): support_similar_tickets reads the open reports of its window (the
duplicate-candidate types, through a partial index on type and created_at) and the open
problems, so one lookup costs what the window holds, not what the table holds; at 10M tickets
it stays within 2x of its time at 10k.
The data: the same 30 days of recent tickets at both sizes (5,000 tickets, a fifth of them bug
reports, a tenth open; 20 open problems with reports), and a closed history before the window
that grows the table to each size. The time is the median of 15 lookups as an agent, in the
database (PostgREST adds the same constant to both sizes).
The create path: what a new ticket meets more is an entry in the partial index above (open
tickets only), its row in the triage queue (measured apart by bench.triage_cost) and the
support-triage worker suggesting beside it. The
bench times report_bug as 450 users, one call each, in alternating blocks of 50 of three
states: "without" (the index dropped, no worker), "index" (the index, no worker) and
"index+worker" (the index, and a worker running and suggesting for the window's recent tickets
and the new ones), in the same run on the same stack (started with --no-triage; the bench runs
the worker itself for the blocks that need it).
BENCH_SCALE=0 measures 10k and 200k instead of 10k and 10M; BENCH_SIZES=10000,2000000 chooses
the sizes. The result is printed and written to bench/results/triage/<date>-similar-<host>.md.
"""

import datetime
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench import dataset
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack

SCALE = os.environ.get("BENCH_SCALE", "1") != "0"
SIZES = tuple(int(n) for n in os.environ["BENCH_SIZES"].split(",")) if os.environ.get(
    "BENCH_SIZES") else (10_000, 10_000_000) if SCALE else (10_000, 200_000)
TRIAGE = Path(sys.executable).with_name("support-triage")
CREATE_BUG = "select public.report_bug('{\"description\": \"The widget crashes on start\"}')"
WINDOW_TICKETS = 5_000
USERS = 1_000
CREATE_USERS = 450
CALLS = 15
AGENT = "00000000-0000-4000-8000-000000999999"
# Beside, not among, the load benchmark's results: the README shows the latest of those.
RESULTS = Path(__file__).with_name("results") / "triage"
WORDS = ["reminder", "calendar", "sync", "crash", "login", "widget", "companion", "event",
         "notification", "subscription", "week", "view", "update", "iphone", "android", "dark"]

WINDOW_LOAD = f"""
insert into public.support_tickets (user_id, ticket_type, subject, description, status, created_at)
select ('00000000-0000-4000-8000-' || lpad((1 + g % {USERS})::text, 12, '0'))::uuid,
       {dataset.TYPES.replace("%%", "%")}, s.text, s.text || ' since yesterday',
       {dataset.STATUS_SPREAD.replace("%%", "%")},
       now() - (g % 43200) * interval '1 minute'
from generate_series(0, {WINDOW_TICKETS - 1}) as g,
     lateral (select w[1 + g % 16] || ' ' || w[1 + (g / 16) % 16] || ' broken after '
                     || w[1 + (g / 256) % 16] as text
              from (select array[{", ".join(f"'{w}'" for w in WORDS)}] as w) as x) as s
"""

# A vector for every open ticket (random directions: a cosine costs the same whatever the
# vectors say), so each lookup scores its candidates on meaning as well as on words, as in use.
VECTORS = """
insert into private.ticket_embeddings (ticket_id, model, embedding)
select t.id, 'bench', v.embedding
from public.support_tickets as t,
     lateral (select array_agg(random() - 0.5)::extensions.vector as embedding
              from generate_series(1, 384) where t.id is not null) as v
where t.status in ('open', 'in_progress')
"""

PROBLEMS = """
update public.support_tickets as t set problem_id = p.id
from (select id, row_number() over (order by id) as n from public.support_tickets
      where ticket_type = 'bug' and status = 'in_progress' limit 20) as p,
     (select id, row_number() over (order by id) as n from public.support_tickets
      where ticket_type = 'bug' and status = 'open' limit 100) as r
where t.id = r.id and p.n = 1 + r.n % 20
"""

HISTORY_LOAD = f"""
insert into public.support_tickets
    (user_id, ticket_type, subject, description, status, resolution, created_at, updated_at,
     resolved_at)
select ('00000000-0000-4000-8000-' || lpad((1 + g %% {USERS})::text, 12, '0'))::uuid,
       {dataset.TYPES}, 'Old crash in the calendar ' || g, 'An old report ' || g, 'closed',
       'Done', now() - interval '31 days' - (g %% 2628000) * interval '1 minute',
       now() - interval '31 days', now() - interval '31 days'
from generate_series(%s::bigint, %s::bigint - 1) as g
"""

AS_USER = """
set local role authenticated;
select set_config('request.jwt.claims', '{"sub": "%s", "role": "authenticated"}', true);
"""


def timed_ms(db: psycopg.Connection, user: str, statement: str, keep: bool = False) -> float:
    with db.transaction(force_rollback=not keep):
        db.execute(AS_USER % user)
        began = time.perf_counter()
        db.execute(statement)
        return (time.perf_counter() - began) * 1000


def median_lookup_ms(db: psycopg.Connection, targets: list[str]) -> float:
    timings = [
        timed_ms(db, AGENT, f"select public.support_similar_tickets('{target}')")
        for target in (targets * 2)[: CALLS + 3]
    ]
    return statistics.median(timings[3:])


def start_worker(db: psycopg.Connection, db_url: str) -> subprocess.Popen:
    """support-triage run, as the stack runs it; returns once it has trained."""
    runs = "select count(*) from public.triage_model_runs"
    before = db.execute(runs).fetchone()[0]
    worker = subprocess.Popen([str(TRIAGE), "run"],
                              env={**os.environ, "SUPPORT_API_ENV": "local",
                                   "SUPABASE_DB_URL": db_url},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while db.execute(runs).fetchone()[0] == before:
            if worker.poll() is not None:
                raise RuntimeError("support-triage exited before it trained")
            time.sleep(0.2)
    except BaseException:
        worker.kill()
        raise
    return worker


# The create path's three states, in turn: nothing of triage, its index only, its index and
# the worker running beside the creates.
MODES = ("without", "index", "index+worker")
CREATE_INDEX = (
    "create index support_tickets_open_type_created_at_idx on public.support_tickets "
    "(ticket_type, created_at) where status in ('open', 'in_progress')"
)


def create_path_ms(db: psycopg.Connection, db_url: str) -> dict[str, float]:
    """Median report_bug time in each mode (alternating blocks of 50 calls, one user each)."""
    dataset.create_users(db, 2 * USERS, CREATE_USERS)
    timings: dict[str, list[float]] = {mode: [] for mode in MODES}
    for block in range(CREATE_USERS // 50):
        mode = MODES[block % len(MODES)]
        worker = start_worker(db, db_url) if mode == "index+worker" else None
        if mode == "without":
            db.execute("drop index public.support_tickets_open_type_created_at_idx")
        try:
            for n in range(2 * USERS + block * 50, 2 * USERS + block * 50 + 50):
                timings[mode].append(timed_ms(db, dataset.user_id(n), CREATE_BUG, keep=True))
        finally:
            if worker:
                worker.send_signal(signal.SIGTERM)
                worker.wait(60)
        if mode == "without":
            db.execute(CREATE_INDEX)
    return {mode: statistics.median(values) for mode, values in timings.items()}


def main() -> int:
    folder = make_state_dir("sfa-similar-bench-")
    figures: list[tuple[int, float, float]] = []
    try:
        stack = start_stack(folder / "stack", extra_args=("--no-triage",))
        try:
            with psycopg.connect(stack.db_url, autocommit=True) as db:
                dataset.create_users(db, 1, USERS)
                dataset.create_users(db, 999_999, 1)
                db.execute(
                    "insert into public.support_staff (user_id, role, display_name) "
                    "values (%s, 'agent', 'Bench Agent')",
                    (AGENT,),
                )
                db.execute(WINDOW_LOAD)
                db.execute(PROBLEMS)
                db.execute(VECTORS)
                targets = [str(r[0]) for r in db.execute(
                    "select id from public.support_tickets where ticket_type = 'bug' "
                    "and status = 'open' and problem_id is null order by id limit 10")]
                creates = create_path_ms(db, stack.db_url)
                print("report_bug: " + ", ".join(
                    f"{ms:.2f} ms {mode}" for mode, ms in creates.items()), flush=True)
                rows = dataset.ticket_count(db)
                for size in SIZES:
                    dataset.grow_history(db, HISTORY_LOAD, rows, size)
                    rows = max(rows, size)
                    figures.append((dataset.ticket_count(db), median_lookup_ms(db, targets),
                                    os.getloadavg()[0]))
                    print(f"{figures[-1][0]:>12,} tickets: support_similar_tickets "
                          f"{figures[-1][1]:.1f} ms", flush=True)
        finally:
            stop_stack(stack)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    (small_rows, small_ms, small_load), (big_rows, big_ms, big_load) = figures
    ratio = big_ms / small_ms
    report = "\n".join([
        f"# support_similar_tickets and the create path ({datetime.date.today()}, "
        f"{platform.node()})",
        "",
        f"{WINDOW_TICKETS:,} tickets in the 30-day window at both sizes, each open one with "
        f"a 384-dimension vector; median of {CALLS} lookups as an agent.",
        "",
        "| tickets | median ms | load average (1 min) while measured |",
        "|---|---|---|",
        f"| {small_rows:,} | {small_ms:.1f} | {small_load:.1f} |",
        f"| {big_rows:,} | {big_ms:.1f} | {big_load:.1f} |",
        "",
        f"Ratio {ratio:.2f} (target at most 2).",
        "",
        f"report_bug in the database, median of {CREATE_USERS // len(MODES)} calls each, "
        "alternating blocks of 50, same run: "
        + "; ".join(f"{mode} {ms:.2f} ms" for mode, ms in creates.items())
        + " (without: no triage index, no worker; index: the partial index triage adds; "
        "index+worker: and support-triage running and suggesting beside the creates, on the "
        "same machine).",
        "",
    ])
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{datetime.date.today()}-similar-{platform.node()}.md").write_text(report)
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
