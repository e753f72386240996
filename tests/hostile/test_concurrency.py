"""One user's simultaneous creates, across PostgREST and the Flask layer, stop at the limit.

100 rounds; in each a fresh user fires 8 to 20 creates of one kind at once (released together
by a barrier), half straight to PostgREST, half through the Flask routes. The rate-limit
trigger must let exactly the limit through whatever the interleaving, answer every other
request 429 with Retry-After, and never deadlock or fail with a 500.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from contract import KINDS, rows_of
from hostile_support import CREATES, PATHS, Create, headers_for, raised_request_limits

ROUNDS = 100
MOST = 20
# The same sizes and kinds on every run, so a failing round can be run again alone.
PLAN = [(random.Random(round_).randint(8, MOST), CREATES[round_ % len(CREATES)])
        for round_ in range(ROUNDS)]


class Firing:
    """MOST threads, each with its own connection, that fire together when told."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=MOST)
        self.local = threading.local()
        self.clients: list[httpx.Client] = []

    def client(self) -> httpx.Client:
        if not hasattr(self.local, "client"):
            # Short enough that a deadlock fails the round instead of hanging the suite.
            self.local.client = httpx.Client(timeout=15)
            self.clients.append(self.local.client)
        return self.local.client

    def fire(
        self, requests: list[tuple[str, dict[str, str], dict[str, Any]]]
    ) -> list[httpx.Response]:
        barrier = threading.Barrier(len(requests), timeout=15)

        def send(request: tuple[str, dict[str, str], dict[str, Any]]) -> httpx.Response:
            url, headers, body = request
            client = self.client()
            barrier.wait()
            return client.post(url, json=body, headers=headers)

        return list(self.pool.map(send, requests))

    def close(self) -> None:
        self.pool.shutdown()
        for client in self.clients:
            client.close()


@pytest.fixture(scope="module", autouse=True)
def burst_allowed(db: Any) -> Iterator[None]:
    """Up to 20 requests of one user at once: more than their fair share of slots, lifted
    here so that the rate limit alone decides."""
    with raised_request_limits(db):
        yield


@pytest.fixture(scope="module")
def firing() -> Iterator[Firing]:
    firing = Firing()
    yield firing
    firing.close()


def limit_of(db: Any, create: Create) -> int:
    return db.execute(
        "select max_per_hour from public.rate_limits where kind = %s", (create.kind,)
    ).fetchone()[0]


@pytest.mark.parametrize(("size", "create"), PLAN, ids=[f"{s}x{c.rpc}" for s, c in PLAN])
def test_simultaneous_creates_by_one_user_stop_exactly_at_the_limit(
    stack, db, make_user, firing, size, create
):
    limit = limit_of(db, create)
    assert limit == KINDS[create.rpc], "the admin's limits were not restored"
    user = make_user()
    requests = [
        (stack.gateway_url + create.path(via), headers_for(stack, user.jwt, via), create.body)
        for via in (PATHS[i % 2] for i in range(size))
    ]

    answers = firing.fire(requests)

    statuses = Counter(answer.status_code for answer in answers)
    unexpected = [(a.status_code, a.text) for a in answers if a.status_code not in (200, 429)]
    assert statuses == Counter({200: min(size, limit), 429: max(0, size - limit)}), unexpected
    for answer in answers:
        if answer.status_code == 429:
            seconds = int(answer.headers["Retry-After"])
            assert 0 < seconds <= 3600
            assert answer.json()["code"] == "P0429"
            assert answer.json()["details"] == f"Try again in {seconds} seconds."
    created = {answer.json()[create.id_key] for answer in answers if answer.status_code == 200}
    assert rows_of(db, user.id, create.table) == len(created) == min(size, limit)
