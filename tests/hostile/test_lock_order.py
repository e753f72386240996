"""Two multi-row inserts by one user that mix ticket kinds in opposite orders never deadlock.

Each row of a direct insert into support_tickets passes the rate-limit trigger, which locks the
user's rate-limit counter. With a lock per (user, kind), a request inserting [bug, billing] and
one inserting [billing, bug], fired together, could each hold one kind and wait for the other:
PostgreSQL then kills one with a deadlock error (a 500 naming backend processes). 100 rounds,
each with a fresh user and both orders released together by a barrier: every answer is a 201.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

ROUNDS = 100
BUG = {"ticket_type": "bug", "description": "The calendar is a day off."}
BILLING = {"ticket_type": "billing", "subject": "Charged twice", "description": "Twice in May."}
ORDERS = ([BUG, BILLING, BUG], [BILLING, BUG, BILLING])


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[ThreadPoolExecutor, list[httpx.Client]]]:
    clients = [httpx.Client(timeout=15) for _ in ORDERS]
    with ThreadPoolExecutor(max_workers=len(ORDERS)) as pool:
        yield pool, clients
    for client in clients:
        client.close()


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_opposite_kind_orders_by_one_user_never_deadlock(stack, db, make_user, pair, round_):
    pool, clients = pair
    user = make_user()
    headers = {"Authorization": f"Bearer {user.jwt}", "apikey": stack.anon_key,
               "Prefer": "return=minimal"}
    barrier = threading.Barrier(len(ORDERS), timeout=15)

    def insert(index: int) -> httpx.Response:
        barrier.wait()
        # `columns` lets rows differ in their keys (a bug report's subject is derived).
        return clients[index].post(
            f"{stack.rest_url}/support_tickets?columns=ticket_type,subject,description",
            json=ORDERS[index], headers=headers,
        )

    answers = list(pool.map(insert, range(len(ORDERS))))

    assert [answer.status_code for answer in answers] == [201, 201], [a.text for a in answers]
    stored = db.execute(
        "select count(*) filter (where ticket_type = 'bug'), count(*) "
        "from public.support_tickets where user_id = %s", (user.id,)
    ).fetchone()
    assert stored == (3, 6)
