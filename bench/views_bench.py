"""`python -m bench.views_bench`: a saved view with three conditions at two table sizes, and the
peak memory of a CSV export.

The claims (docs/views-and-export.md): a view's conditions become plain column comparisons that
the queue's indexes serve, so its first page (with its capped total) at the large size answers
within 2x of its time at the small size; and the CSV export streams in batches, so the Flask
worker's peak RSS does not grow with the number of rows.

Sizes: BENCH_VIEWS_SMALL tickets (default 10,000), then BENCH_VIEWS_LARGE in all (default
100,000; the issue's figure is 10,000,000: set it, and have the disk and the hour for it).
Tickets are loaded with generate_series, triggers off (session_replication_role = replica): a
mix of types, priorities and statuses; every seventh has the custom field plan = pro, every tenth
the tag vip. The view: ticket_type is billing, status in (open, in_progress), field.plan is pro.
Each figure is the median of BENCH_VIEWS_RUNS calls of support_queue(view => id) as an agent
(SQL, role authenticated with the agent's claims), and of support_view_counts().
Export: GET /api/staff/tickets.csv of BENCH_VIEWS_EXPORT_ROWS rows (default 100,000) through
the gateway; the client counts rows as they stream, and the peak RSS (VmHWM) of the gunicorn
workers and of this process is recorded.
With --db-url (and --api-url, --jwt-secret) it runs against a running stack (it adds tickets
there: use a throwaway one); otherwise it starts its own. The result is printed and written to
bench/results/views/<date>-<host>.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from support_dev.stack.launch import make_state_dir, start_stack, stop_stack
from support_runtime.tokens import mint_jwt

SMALL = int(os.environ.get("BENCH_VIEWS_SMALL", "10000"))
LARGE = int(os.environ.get("BENCH_VIEWS_LARGE", "100000"))
RUNS = int(os.environ.get("BENCH_VIEWS_RUNS", "15"))
EXPORT_ROWS = int(os.environ.get("BENCH_VIEWS_EXPORT_ROWS", "100000"))
RESULTS = Path(__file__).with_name("results") / "views"

LOAD = """
insert into public.support_tickets
    (id, user_id, ticket_type, subject, description, status, priority, created_at, updated_at)
select gen_random_uuid(), %(owner)s,
       (array['bug', 'technical', 'billing', 'account', 'other'])[1 + g %% 5],
       'Bench ticket ' || g, 'A ticket of the views bench, number ' || g,
       (array['open', 'in_progress', 'resolved', 'closed'])[1 + (g / 5) %% 4],
       (array['low', 'medium', 'high', 'urgent'])[1 + (g / 3) %% 4],
       timestamptz '2020-01-01' + make_interval(mins => g),
       timestamptz '2020-01-01' + make_interval(mins => g)
from generate_series(%(first)s::integer, %(last)s::integer) as g
"""
EXTRAS = """
insert into public.ticket_field_values (ticket_id, field_key, value)
select t.id, 'bench_plan', '"pro"' from public.support_tickets as t
where t.user_id = %(owner)s and t.subject like 'Bench ticket %%'
  and (substr(t.subject, 14))::int %% 7 = 0
  and (substr(t.subject, 14))::int between %(first)s::integer and %(last)s::integer;
insert into public.ticket_tags (ticket_id, tag)
select t.id, 'vip' from public.support_tickets as t
where t.user_id = %(owner)s and t.subject like 'Bench ticket %%'
  and (substr(t.subject, 14))::int %% 10 = 0
  and (substr(t.subject, 14))::int between %(first)s::integer and %(last)s::integer;
"""
VIEW = {
    "match": "all",
    "conditions": [
        {"field": "ticket_type", "op": "is", "value": "billing"},
        {"field": "status", "op": "in", "value": ["open", "in_progress"]},
        {"field": "field.bench_plan", "op": "is", "value": "pro"},
    ],
}


def load(db: psycopg.Connection, owner: str, first: int, last: int) -> None:
    with db.transaction():
        db.execute("set local session_replication_role = replica")
        db.execute(LOAD, {"owner": owner, "first": first, "last": last})
        for statement in EXTRAS.split(";"):
            if statement.strip():
                db.execute(statement, {"owner": owner, "first": first, "last": last})
    db.execute("analyze public.support_tickets")
    db.execute("analyze public.ticket_field_values")
    db.execute("analyze public.ticket_tags")


def as_agent(db: psycopg.Connection, agent: str, sql: str, params: tuple = ()) -> float:
    """Milliseconds of one statement run as the agent (role authenticated, their claims)."""
    with db.transaction():
        db.execute("set local role authenticated")
        db.execute("select set_config('request.jwt.claims', %s, true)",
                   (json.dumps({"sub": agent, "role": "authenticated"}),))
        began = time.perf_counter()
        db.execute(sql, params).fetchall()
        return (time.perf_counter() - began) * 1000


def measure(db: psycopg.Connection, agent: str, view_id: str) -> tuple[float, float]:
    page = [as_agent(db, agent, "select public.support_queue(view => %s::text)", (str(view_id),))
            for _ in range(RUNS)]
    counts = [as_agent(db, agent, "select public.support_view_counts()") for _ in range(RUNS)]
    return statistics.median(page), statistics.median(counts)


def children_peak_rss_kib(parent: int) -> int:
    """The largest VmHWM (peak resident set) among the processes whose parent is `parent`."""
    peak = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(parent) and "VmHWM" in fields:
            peak = max(peak, int(fields["VmHWM"].split()[0]))
    return peak


def export(api_url: str, token: str) -> tuple[int, float]:
    rows = 0
    began = time.perf_counter()
    with httpx.Client(timeout=600) as client, client.stream(
            "GET", f"{api_url}/staff/tickets.csv",
            params={"created_from": "2020-01-01", "created_to": "2030-01-01"},
            headers={"Authorization": f"Bearer {token}"}) as response:
        response.raise_for_status()
        for _ in response.iter_lines():
            rows += 1
            if rows > EXPORT_ROWS:
                break
    return rows - 1, time.perf_counter() - began


def run(db_url: str, api_url: str, jwt_secret: str, flask_pid: int | None) -> str:
    owner, agent = str(uuid.uuid4()), str(uuid.uuid4())
    with psycopg.connect(db_url, autocommit=True) as db:
        for user in (owner, agent):
            db.execute("insert into auth.users (id, aud, role, email, created_at, updated_at) "
                       "values (%s, 'authenticated', 'authenticated', %s, now(), now())",
                       (user, f"{user[:8]}@bench.test"))
        db.execute("insert into public.support_staff (user_id, role, display_name) "
                   "values (%s, 'agent', 'Bench Agent')", (agent,))
        db.execute("insert into public.custom_fields (key, label, field_type, options) values "
                   "('bench_plan', 'Plan', 'one_of', '[\"free\", \"pro\"]') on conflict do nothing")
        view_id = db.execute(
            "insert into public.saved_views (name, owner_id, conditions) values (%s, %s, %s) "
            "returning id", (f"Bench {agent[:8]}", agent, json.dumps(VIEW))).fetchone()[0]
        load(db, owner, 1, SMALL)
        small = measure(db, agent, view_id)
        load(db, owner, SMALL + 1, LARGE)
        large = measure(db, agent, view_id)

    token = mint_jwt(jwt_secret, sub=agent, expires_in=3600)
    before = children_peak_rss_kib(flask_pid) if flask_pid else 0
    exported, seconds = export(api_url, token)
    after = children_peak_rss_kib(flask_pid) if flask_pid else 0
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    ratio = large[0] / small[0]
    return (
        f"# Saved views: a three-condition view at {SMALL:,} and {LARGE:,} tickets; CSV export\n\n"
        f"{datetime.date.today()}, {platform.node()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, median of {RUNS} calls each\n\n"
        f"| tickets | support_queue(view) first page + total (ms) | support_view_counts (ms) |\n"
        f"|---|---|---|\n"
        f"| {SMALL:,} | {small[0]:.1f} | {small[1]:.1f} |\n"
        f"| {LARGE:,} | {large[0]:.1f} | {large[1]:.1f} |\n\n"
        f"Ratio: {ratio:.2f} (claim: at most 2)\n\n"
        f"Export: {exported:,} rows in {seconds:.1f} s; gunicorn workers' peak RSS "
        f"{before / 1024:.0f} MiB before, {after / 1024:.0f} MiB after"
        f"{' (not measured: no local Flask pid)' if not flask_pid else ''}; "
        f"this client's peak RSS {client_peak / 1024:.0f} MiB\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url")
    parser.add_argument("--api-url")
    parser.add_argument("--jwt-secret")
    parser.add_argument("--flask-pid", type=int,
                        help="the gunicorn master, to read its workers' RSS")
    args = parser.parse_args()
    if args.db_url:
        report = run(args.db_url, args.api_url, args.jwt_secret, args.flask_pid)
    else:
        folder = make_state_dir("sfa-views-bench-")
        try:
            stack = start_stack(folder / "stack")
            try:
                pids = stack.state.get("pids") or {}
                report = run(stack.db_url, stack.api_url, stack.jwt_secret, pids.get("flask"))
            finally:
                stop_stack(stack)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{datetime.date.today()}-{platform.node()}.md").write_text(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
