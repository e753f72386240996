"""`python -m bench.rules_bench`: creating and updating tickets with 50 enabled event rules, and
without any, in the same run.

The claim (docs/rules.md): the rules run in the transaction of each change, so they cost every
create and every status change something; with 50 enabled rules that match nothing (the common
case: a rule acts on a few tickets) a create and an update cost at most 1.2x what they cost
without rules. Each round creates BENCH_RULES_TICKETS tickets (one statement each, as the API
does) and moves each to in_progress; rounds alternate without and with the rules so that the
machine's load falls on both alike; the figure is the median round of each. The time-rule run's
plan (only due tickets, through a partial index) is read through auto_explain by
tests/test_time_rules.py. The result is printed and written to bench/results/rules/<date>-<host>.md.
"""

import datetime
import os
import platform
import shutil
import statistics
import time
from pathlib import Path

import psycopg

from support_dev.stack.launch import make_state_dir, start_stack, stop_stack

TICKETS = int(os.environ.get("BENCH_RULES_TICKETS", "500"))
ROUNDS = int(os.environ.get("BENCH_RULES_ROUNDS", "5"))
RULES = 50
OWNER = "00000000-0000-4000-8000-000000888888"
RESULTS = Path(__file__).with_name("results") / "rules"

# Fifty rules of the kinds admins write, none of which matches the bench's tickets: their cost
# is the evaluation each change pays.
CREATE_RULES = f"""
insert into public.ticket_rules (name, position, on_events, match, conditions, actions)
select 'Bench rule ' || g, g, '{{created,status_changed,user_replied}}',
       case when g % 2 = 0 then 'all' else 'any' end,
       jsonb_build_array(
           jsonb_build_object('field', 'text', 'op', 'contains', 'value', 'never said ' || g),
           jsonb_build_object('field', 'requester_email', 'op', 'contains',
                              'value', '@nowhere-' || g)),
       '[{{"action": "set_priority", "value": "urgent"}}]'
from generate_series(1, {RULES}) as g
"""
CREATE = ("insert into public.support_tickets (user_id, ticket_type, subject, description)"
          " values (%s, 'technical', 'Bench', 'A ticket of the rules bench') returning id")
MOVE = "update public.support_tickets set status = 'in_progress' where id = %s"


def one_round(db: psycopg.Connection) -> float:
    began = time.perf_counter()
    ids = [db.execute(CREATE, (OWNER,)).fetchone()[0] for _ in range(TICKETS)]
    for ticket in ids:
        db.execute(MOVE, (ticket,))
    return (time.perf_counter() - began) * 1000


def main() -> int:
    folder = make_state_dir("sfa-rules-bench-")
    without: list[float] = []
    with_rules: list[float] = []
    try:
        stack = start_stack(folder / "stack")
        try:
            with psycopg.connect(stack.db_url, autocommit=True) as db:
                db.execute("insert into auth.users (id, aud, role, email, created_at, updated_at)"
                           " values (%s, 'authenticated', 'authenticated', 'bench@example.test',"
                           " now(), now())", (OWNER,))
                db.execute("update public.ticket_rules set enabled = false")
                one_round(db)  # warm-up
                for _ in range(ROUNDS):
                    without.append(one_round(db))
                    db.execute(CREATE_RULES)
                    with_rules.append(one_round(db))
                    db.execute("delete from public.ticket_rules where name like 'Bench rule %'")
        finally:
            stop_stack(stack)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base, ruled = statistics.median(without), statistics.median(with_rules)
    report = (
        f"# Event rules: {TICKETS} creates and {TICKETS} status changes a round\n\n"
        f"{datetime.date.today()}, {platform.node()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, median of {ROUNDS} rounds each\n\n"
        f"| rules enabled | round (ms) |\n|---|---|\n"
        f"| none | {base:.0f} |\n| {RULES} | {ruled:.0f} |\n\n"
        f"Ratio: {ruled / base:.2f} (claim: at most 1.2)\n"
    )
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{datetime.date.today()}-{platform.node()}.md").write_text(report)
    return 0 if ruled / base <= 1.2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
