"""`python -m bench.post_fanout_bench`: a public post with 10,000 voters moves; how long the
move's transaction takes, and until every voter's notification is delivered.

A post gets N voters (default 10,000, `--voters`), each a user with an address, loaded in bulk
(triggers off, the vote count set once); a second post gets 10 (the baseline). Then, as an agent
(request.jwt.claims, role authenticated, as PostgREST sets them), `support_update_post` moves
each post from under review to planned, timed from the call to its commit: the trigger writes N
notices and N queue messages in one statement. The bench checks that exactly N messages were
queued and then times, from the commit, until support-worker (the stack's, `--workers`, default
1) has archived them all (each an email to MailDev; no webhook endpoint is registered), and
MailDev's count of received emails. Last, the same post moves on to in progress within the
day's window: that move tells nobody, and its time is the grouping's cost (the anti-join on N
notices). A throwaway stack of its own; printed, and written to
bench/results/fanout/<date>-<host>-post-fanout[-w<workers>].md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from bench.machine import describe
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack

RESULTS = Path(__file__).with_name("results") / "fanout"


def load_post(db: psycopg.Connection, voters: int, tag: str) -> str:
    """A post under review with `voters` voters, each a new user with an address."""
    with db.transaction():
        post = str(db.execute(
            "insert into public.feedback_posts (title, description, category) "
            "values (%s, 'A bench post', 'feature_request') returning id",
            (f"Bench post {tag}",)).fetchone()[0])
        db.execute("set local session_replication_role = replica")
        db.execute(
            "create temporary table bench_users on commit drop as "
            "select gen_random_uuid() as id, n from generate_series(1, %s) as n", (voters,))
        db.execute(
            "insert into auth.users (id, aud, role, email, created_at, updated_at) "
            "select id, 'authenticated', 'authenticated', "
            "'fanout-' || %s || '-' || n || '@example.test', now(), now() from bench_users",
            (tag,))
        db.execute("insert into public.post_votes (post_id, user_id) "
                   "select %s, id from bench_users", (post,))
        db.execute("update public.feedback_posts set vote_count = %s where id = %s",
                   (voters, post))
    db.execute("analyze public.post_votes")
    return post


def new_agent(db: psycopg.Connection) -> str:
    agent = str(uuid.uuid4())
    db.execute("insert into auth.users (id, aud, role, email, created_at, updated_at) "
               "values (%s, 'authenticated', 'authenticated', %s, now(), now())",
               (agent, f"agent-{agent[:8]}@example.test"))
    db.execute("insert into public.support_staff (user_id, role, display_name) "
               "values (%s, 'agent', 'Bench agent')", (agent,))
    return agent


def move(db_url: str, agent: str, post: str, status: str) -> float:
    """Seconds from the call to the commit of one support_update_post, as the agent."""
    with psycopg.connect(db_url) as connection:
        began = time.perf_counter()
        connection.execute("select set_config('request.jwt.claims', %s, true)",
                           (json.dumps({"sub": agent, "role": "authenticated"}),))
        connection.execute("set local role authenticated")
        connection.execute("select public.support_update_post(%s)",
                           (json.dumps({"post_id": post, "status": status}),))
        connection.commit()
        return time.perf_counter() - began


def counts(db: psycopg.Connection, post: str) -> tuple[int, int]:
    """(messages still queued, messages archived) of the post."""
    row = db.execute(
        "select (select count(*) from pgmq.q_notifications where message ->> 'post_id' = %s), "
        "(select count(*) from pgmq.a_notifications where message ->> 'post_id' = %s)",
        (post, post)).fetchone()
    return int(row[0]), int(row[1])


def run(db_url: str, mail_url: str, voters: int, timeout: float) -> dict[str, object]:
    figures: dict[str, object] = {"voters": voters}
    with psycopg.connect(db_url, autocommit=True) as db:
        db.execute("update public.notification_settings set post_status_window = '1 day'")
        agent = new_agent(db)
        baseline = load_post(db, 10, "ten")
        big = load_post(db, voters, "big")

        figures["move_10_voters_s"] = round(move(db_url, agent, baseline, "planned"), 3)
        began = time.perf_counter()
        took = move(db_url, agent, big, "planned")
        committed = time.perf_counter()
        figures["move_transaction_s"] = round(took, 3)
        queued, archived = counts(db, big)
        figures["messages_after_commit"] = queued + archived
        assert queued + archived == voters, (queued, archived)

        while True:
            queued, archived = counts(db, big)
            if archived >= voters or time.perf_counter() - committed > timeout:
                break
            time.sleep(0.5)
        delivered = time.perf_counter()
        figures["delivered"] = archived
        figures["from_commit_to_all_delivered_s"] = round(delivered - committed, 1)
        figures["from_call_to_all_delivered_s"] = round(delivered - began, 1)
        figures["deliveries_per_s"] = round(archived / max(delivered - committed, 1e-9), 1)
        dead = db.execute("select count(*) from public.dead_notifications "
                          "where message ->> 'post_id' = %s", (big,)).fetchone()[0]
        figures["dead"] = int(dead)
        time.sleep(2)  # MailDev's listing lags its SMTP answers a little
        figures["emails_received_by_maildev"] = sum(
            1 for mail in httpx.get(f"{mail_url}/api/email", timeout=120).json()
            if any(to["address"].startswith("fanout-big-") for to in mail["to"]))

        figures["move_again_same_day_s"] = round(move(db_url, agent, big, "in_progress"), 3)
        queued, archived = counts(db, big)
        figures["messages_after_second_move"] = queued + archived
    return figures


def report(figures: dict[str, object], machine: dict[str, str], workers: int) -> str:
    lines = [f"# Post fan-out bench, {datetime.date.today()} on {platform.node()}", "",
             f"support-worker processes: {workers}; machine load average at the end of the "
             f"run: {os.getloadavg()[0]:.1f}", "",
             "| figure | value |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in figures.items()]
    lines += ["", "Machine:", ""] + [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for delivery")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    running = start_stack(make_state_dir("sfa-fanout-bench-") / "stack",
                          extra_args=("--workers", str(args.workers), "--no-triage"))
    try:
        figures = run(running.db_url, running.state["mail_url"], args.voters, args.timeout)
    finally:
        stop_stack(running)
    figures = {"load_average_before": round(load, 1), **figures}
    text = report(figures, describe(), args.workers)
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        suffix = "" if args.workers == 1 else f"-w{args.workers}"
        name = f"{datetime.date.today()}-{platform.node()}-post-fanout{suffix}.md"
        (RESULTS / name).write_text(text)


if __name__ == "__main__":
    main()
