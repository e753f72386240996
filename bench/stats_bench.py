"""`python -m bench.stats_bench`: support_stats over a 30-day window, at 10k and at 10M tickets.

The claim (docs/service-levels.md): every part of support_stats reads an index range of the
window (or the backlog's status index), so a 30-day window costs what the window holds, not
what the table holds; at 10M tickets it answers within 2x of its time at 10k.
The data: the same 30 days of recent tickets at both sizes (5,000 tickets with the usual mix of
statuses, SLA clocks, replies, ratings and 1,000 feedback entries), and a history before the
window, closed, that grows the table to each size, as a real helpdesk's does. The time is
the median of 15 calls of the function as an agent (in the database: PostgREST adds the same
constant to both sizes). BENCH_SCALE=0 measures 10k and 200k instead of 10k and 10M;
BENCH_STATS_ROWS=<n> sets the large size (on a machine where the 10M load takes too long).
The result is printed and written to bench/results/stats/<date>-<host>.md.
"""

import datetime
import os
import platform
import shutil
import statistics
import time
from pathlib import Path

import psycopg

from bench import dataset
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack

SCALE = os.environ.get("BENCH_SCALE", "1") != "0"
LARGE = int(os.environ.get("BENCH_STATS_ROWS", 10_000_000 if SCALE else 200_000))
SIZES = (10_000, LARGE)
WINDOW_TICKETS = 5_000
USERS = 1_000
CALLS = 15
AGENT = "00000000-0000-4000-8000-000000999999"
# A folder of its own: the README's figures are those of the latest run in results/.
RESULTS = Path(__file__).with_name("results") / "stats"

WINDOW_LOAD = f"""
insert into public.support_tickets
    (user_id, ticket_type, subject, description, status, priority, resolution,
     created_at, updated_at, first_responded_at, resolved_at)
select ('00000000-0000-4000-8000-' || lpad((1 + g % {USERS})::text, 12, '0'))::uuid,
       {dataset.TYPES.replace("%%", "%")}, 'Recent ' || g, 'A recent ticket ' || g,
       {dataset.STATUS_SPREAD.replace("%%", "%")},
       (array['low', 'medium', 'high', 'urgent'])[1 + g % 4],
       case when g % 10 >= 2 then 'Done' end,
       now() - (g % 43200) * interval '1 minute', now(),
       case when g % 3 <> 0
            then least(now(), now() - (g % 43200 - g % 600) * interval '1 minute') end,
       case when g % 10 >= 2
            then least(now(), now() - (g % 43200 - g % 5000) * interval '1 minute') end
from generate_series(0, {WINDOW_TICKETS - 1}) as g
"""

WINDOW_EXTRAS = f"""
insert into public.ticket_ratings (ticket_id, user_id, rating, created_at)
select t.id, t.user_id, 1 + (abs(hashtext(t.id::text)) % 5), t.resolved_at
from public.support_tickets as t
where t.subject like 'Recent %' and t.resolved_at > now() - interval '13 days'
    and abs(hashtext(t.id::text)) % 8 = 0;
insert into public.user_feedback (user_id, category, description, rating, feature_name, created_at)
select ('00000000-0000-4000-8000-' || lpad((1 + g % {USERS})::text, 12, '0'))::uuid,
       (array['feature_request', 'improvement', 'complaint', 'praise', 'other'])[1 + g % 5],
       'Feedback ' || g, 1 + g % 5, 'feature_' || (g % 20),
       now() - (g % 43200) * interval '1 minute'
from generate_series(0, 999) as g;
"""

# History before the window, closed: bulk-loaded as support loads an archive (triggers off, so
# the clocks of these rows are not computed; they are outside every window measured).
HISTORY_LOAD = f"""
insert into public.support_tickets
    (user_id, ticket_type, subject, description, status, priority, priority_order, resolution,
     created_at, updated_at, resolved_at)
select ('00000000-0000-4000-8000-' || lpad((1 + g %% {USERS})::text, 12, '0'))::uuid,
       {dataset.TYPES}, 'Old ' || g, 'An old ticket ' || g, 'closed',
       p.code, p.rank, 'Done',
       now() - interval '31 days' - (g %% 2628000) * interval '1 minute',
       now() - interval '31 days', now() - interval '31 days'
from generate_series(%s::bigint, %s::bigint - 1) as g
join public.ticket_priorities as p
    on p.code = (array['low', 'medium', 'high', 'urgent'])[1 + g %% 4]
"""

CALL = """
begin;
set local role authenticated;
select set_config('request.jwt.claims', '{"sub": "%s", "role": "authenticated"}', true);
select public.support_stats();
rollback;
"""


def median_call_ms(db: psycopg.Connection) -> float:
    timings = []
    for n in range(CALLS + 3):
        began = time.perf_counter()
        db.execute(CALL % AGENT)
        if n >= 3:
            timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def main() -> int:
    folder = make_state_dir("sfa-stats-bench-")
    figures: list[tuple[int, float, float]] = []
    try:
        stack = start_stack(folder / "stack")
        try:
            with psycopg.connect(stack.db_url, autocommit=True) as db:
                dataset.create_users(db, 1, USERS)
                db.execute(
                    "insert into auth.users (id, aud, role, email, created_at, updated_at) "
                    "values (%s, 'authenticated', 'authenticated', 'agent@example.test', "
                    "now(), now())",
                    (AGENT,),
                )
                db.execute(
                    "insert into public.support_staff (user_id, role, display_name) "
                    "values (%s, 'agent', 'Bench Agent')",
                    (AGENT,),
                )
                db.execute(WINDOW_LOAD)
                db.execute(WINDOW_EXTRAS)
                rows = dataset.ticket_count(db)
                for size in SIZES:
                    dataset.grow_history(db, HISTORY_LOAD, rows, size)
                    rows = max(rows, size)
                    figures.append((dataset.ticket_count(db), median_call_ms(db),
                                    os.getloadavg()[0]))
                    print(
                        f"{figures[-1][0]:>12,} tickets: support_stats (30 days) "
                        f"{figures[-1][1]:.1f} ms",
                        flush=True,
                    )
        finally:
            stop_stack(stack)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    (small_rows, small_ms, small_load), (big_rows, big_ms, big_load) = figures
    ratio = big_ms / small_ms
    report = "\n".join(
        [
            f"# support_stats, 30-day window ({datetime.date.today()}, {platform.node()})",
            "",
            f"{WINDOW_TICKETS:,} tickets in the window at both sizes; "
            f"median of {CALLS} calls as an agent.",
            "",
            "| tickets | median ms | load average (1 min) while measured |",
            "|---|---|---|",
            f"| {small_rows:,} | {small_ms:.1f} | {small_load:.1f} |",
            f"| {big_rows:,} | {big_ms:.1f} | {big_load:.1f} |",
            "",
            f"Ratio {ratio:.2f} (target at most 2).",
            "" if LARGE == 10_000_000 else f"\nThe large size is {LARGE:,} tickets, not 10M.\n",
        ]
    )
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{datetime.date.today()}-{platform.node()}.md").write_text(report)
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
