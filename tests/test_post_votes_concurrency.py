"""Votes on public posts counted exactly under concurrency (issue 29), on real connections.

100 users voting for one post at once count 100; one user voting 100 times at once counts 1.
Each vote is a signed-in user's own transaction on its own PostgreSQL connection (as PostgREST
runs it: role authenticated, the JWT's claims in request.jwt.claims), released together by a
barrier, so the votes really race for the post's row and the (post_id, user_id) key.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

CONNECTIONS = 20
VOTES = 100


@pytest.fixture
def post_id(db: psycopg.Connection) -> Iterator[str]:
    post = str(uuid.uuid4())
    db.execute(
        "insert into public.feedback_posts (id, title, description, category) "
        "values (%s, 'Concurrency test', 'Votes racing', 'feature_request')",
        (post,),
    )
    yield post
    db.execute("delete from public.feedback_posts where id = %s", (post,))


def vote_concurrently(db_url: str, post: str, voters: list[str]) -> list[str]:
    """Each voter's vote_for_post, spread over CONNECTIONS connections started together."""
    barrier = threading.Barrier(CONNECTIONS)
    shares = [voters[i::CONNECTIONS] for i in range(CONNECTIONS)]

    def run(share: list[str]) -> list[str]:
        outcomes = []
        with psycopg.connect(db_url, autocommit=True) as connection:
            barrier.wait(timeout=30)
            for voter in share:
                try:
                    with connection.transaction():
                        connection.execute(
                            "select set_config('request.jwt.claims', %s, true), "
                            "set_config('role', 'authenticated', true)",
                            (json.dumps({"sub": voter, "role": "authenticated"}),),
                        )
                        connection.execute(
                            "select public.vote_for_post(%s)", (json.dumps({"post_id": post}),)
                        )
                    outcomes.append("ok")
                except psycopg.Error as error:
                    outcomes.append(error.sqlstate or "error")
        return outcomes

    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        return [outcome for outcomes in pool.map(run, shares) for outcome in outcomes]


def counts(db: psycopg.Connection, post: str) -> tuple[int, int]:
    stored = db.execute(
        "select vote_count from public.feedback_posts where id = %s", (post,)
    ).fetchone()
    rows = db.execute(
        "select count(*) from public.post_votes where post_id = %s", (post,)
    ).fetchone()
    assert stored is not None and rows is not None
    return stored[0], rows[0]


def test_100_users_voting_at_once_count_100(stack, db, make_user: Callable, post_id: str) -> None:
    voters = [make_user().id for _ in range(VOTES)]
    outcomes = vote_concurrently(stack.db_url, post_id, voters)
    assert outcomes.count("ok") == VOTES
    assert counts(db, post_id) == (VOTES, VOTES)


def test_one_user_voting_100_times_at_once_counts_1(
    stack, db, make_user: Callable, post_id: str
) -> None:
    voter = make_user().id
    outcomes = vote_concurrently(stack.db_url, post_id, [voter] * VOTES)
    assert outcomes.count("ok") == VOTES  # voting again is not an error, and not counted
    assert counts(db, post_id) == (1, 1)
    ledger = db.execute(
        "select count(*) from private.vote_ledger where user_id = %s", (voter,)
    ).fetchone()
    assert ledger == (1,)  # one vote cast: one row against the rate limit


def test_votes_and_withdrawals_through_postgrest(
    stack, db, make_user: Callable, post_id: str
) -> None:
    users = [make_user() for _ in range(10)]

    def call(name: str, user) -> httpx.Response:
        return httpx.post(
            f"{stack.gateway_url}/rest/v1/rpc/{name}",
            json={"post_id": post_id},
            headers={"apikey": stack.anon_key, "Authorization": f"Bearer {user.jwt}"},
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        voted = pool.map(lambda u: call("vote_for_post", u), users)
        assert {r.status_code for r in voted} == {200}
        assert counts(db, post_id) == (10, 10)
        withdrawn = pool.map(lambda u: call("withdraw_vote", u), users[:4])
        assert {r.status_code for r in withdrawn} == {200}
    assert counts(db, post_id) == (6, 6)
    mine = httpx.get(
        f"{stack.gateway_url}/rest/v1/post_votes",
        params={"select": "post_id,user_id"},
        headers={"apikey": stack.anon_key, "Authorization": f"Bearer {users[9].jwt}"},
        timeout=30,
    ).json()
    assert mine == [{"post_id": post_id, "user_id": users[9].id}]
