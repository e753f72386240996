"""`python -m bench.board_bench`: the board and the roadmap read with a post of 10 votes, then
with the same post at 100,000 votes.

The claim (docs/feedback-board.md): a post's vote_count is kept by the votes' trigger, so
reading the board (board_posts, with the reader's own "voted" flag) and the roadmap costs the
same whatever the count; the target is within 2x. The bench files BENCH_BOARD_POSTS public posts
(default 200, a mix of statuses), gives one planned post 10 votes, measures, then adds votes by
new accounts until that post holds BENCH_BOARD_VOTES (default 100,000), through the real insert
path (post_votes' counting trigger on), and measures again. Each figure is the median of
BENCH_BOARD_RUNS calls as a signed-in voter (SQL, role authenticated with their claims).
With --db-url it runs against a running stack (it adds users, posts and votes there: use a
throwaway one); otherwise it starts its own. The result is printed and written to
bench/results/board/<date>-<host>.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import time
import uuid
from pathlib import Path

import psycopg

from bench.machine import describe
from bench.views_bench import as_agent as as_user
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack

POSTS = int(os.environ.get("BENCH_BOARD_POSTS", "200"))
VOTES = int(os.environ.get("BENCH_BOARD_VOTES", "100000"))
RUNS = int(os.environ.get("BENCH_BOARD_RUNS", "25"))
RESULTS = Path(__file__).with_name("results") / "board"

POSTS_SQL = """
insert into public.feedback_posts
    (title, description, category, status, created_at, status_changed_at)
select 'Bench post ' || g, 'A post of the board bench, number ' || g,
       (array['feature_request', 'improvement', 'complaint', 'praise', 'other'])[1 + g %% 5],
       (array['under_review', 'planned', 'in_progress', 'shipped', 'declined'])[1 + g %% 5],
       now() - make_interval(hours => g), now() - make_interval(hours => g)
from generate_series(1, %(posts)s::integer) as g
"""
USERS_SQL = """
insert into auth.users (id, aud, role, email, created_at, updated_at)
select gen_random_uuid(), 'authenticated', 'authenticated',
       'voter-' || %(run)s || '-' || g || '@bench.test', now(), now()
from generate_series(%(first)s::integer, %(last)s::integer) as g
returning id
"""
VOTES_SQL = """
insert into public.post_votes (post_id, user_id)
select %(post)s, u.id from auth.users as u
where u.email like 'voter-' || %(run)s || '-%%'
on conflict do nothing
"""
READS = {
    "board_posts (first page, most voted first)": "select public.board_posts()",
    "board_posts (planned)": "select public.board_posts(status => 'planned')",
    "roadmap": "select public.roadmap()",
}


def add_voters(db: psycopg.Connection, run: str, post: str, first: int, last: int) -> str:
    """Accounts first..last of this run vote for the post; returns one of them (the reader)."""
    with db.transaction():
        reader = db.execute(USERS_SQL, {"run": run, "first": first, "last": last}).fetchone()[0]
        db.execute(VOTES_SQL, {"run": run, "post": post})
    db.execute("analyze public.post_votes")
    return str(reader)


def measure(db: psycopg.Connection, reader: str) -> dict[str, float]:
    return {name: statistics.median(as_user(db, reader, sql) for _ in range(RUNS))
            for name, sql in READS.items()}


def run(db_url: str) -> str:
    tag = uuid.uuid4().hex[:8]
    with psycopg.connect(db_url, autocommit=True) as db:
        db.execute(POSTS_SQL, {"posts": POSTS})
        post = str(db.execute("select id from public.feedback_posts where title = 'Bench post 1'"
                              " order by created_at desc limit 1").fetchone()[0])
        db.execute("update public.feedback_posts set status = 'planned' where id = %s", (post,))
        db.execute("analyze public.feedback_posts")
        reader = add_voters(db, tag, post, 1, 10)
        few = measure(db, reader)
        began = time.perf_counter()
        add_voters(db, tag, post, 11, VOTES)
        load_s = time.perf_counter() - began
        count = db.execute("select vote_count from public.feedback_posts where id = %s",
                           (post,)).fetchone()[0]
        many = measure(db, reader)

    machine = describe()
    rows = "\n".join(
        f"| {name} | {few[name]:.2f} | {many[name]:.2f} | {many[name] / few[name]:.2f} |"
        for name in READS)
    return (
        f"# Board: reads with a post of 10 votes, then of {count:,}\n\n"
        f"{datetime.date.today()}, {machine['host']}: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory']}; {machine['postgresql']}; load {os.getloadavg()[0]:.1f}. "
        f"{POSTS} posts; median of {RUNS} calls as a voter of that post.\n\n"
        f"| read | 10 votes (ms) | {count:,} votes (ms) | ratio |\n|---|---|---|---|\n{rows}\n\n"
        f"Target: each ratio at most 2. Casting the {VOTES - 10:,} further votes in one statement "
        f"(the counting trigger on): {load_s:.1f} s.\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url")
    args = parser.parse_args()
    if args.db_url:
        report = run(args.db_url)
    else:
        folder = make_state_dir("sfa-board-bench-")
        try:
            stack = start_stack(folder / "stack")
            try:
                report = run(stack.db_url)
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
