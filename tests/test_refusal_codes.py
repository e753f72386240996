"""Refusals through PostgREST: each reason has its own stable code, which survives rewording.

Clients (the dashboard first) tell refusals apart by code, so two different 409s must not share
one, and support rewording a message in public.support_messages must leave the code alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest


@pytest.fixture(scope="module")
def call(stack) -> Iterator[Callable[..., httpx.Response]]:
    with httpx.Client(timeout=30) as client:
        def post(name: str, body: dict[str, Any], token: str) -> httpx.Response:
            headers = {"apikey": stack.anon_key, "Authorization": f"Bearer {token}"}
            return client.post(f"{stack.rest_url}/rpc/{name}", json=body, headers=headers)

        yield post


@pytest.fixture
def agent(db, make_user) -> Any:
    user = make_user()
    db.execute(
        "insert into public.support_staff (user_id, role, display_name) "
        "values (%s, 'agent', 'Codes')",
        (user.id,),
    )
    return user


def _ticket(call, user) -> str:
    answer = call("create_support_ticket",
                  {"ticket_type": "other", "subject": "Codes", "description": "d"}, user.jwt)
    return answer.json()["ticket_id"]


def _stale_update(call, agent, ticket_id: str) -> httpx.Response:
    read = call("support_ticket", {"ticket_id": ticket_id}, agent.jwt).json()["updated_at"]
    call("support_update_ticket",
         {"ticket_id": ticket_id, "priority": "high", "expected_updated_at": read}, agent.jwt)
    return call("support_update_ticket",
                {"ticket_id": ticket_id, "priority": "low", "expected_updated_at": read}, agent.jwt)


def test_each_conflict_has_its_own_code(call, make_user, agent):
    user = make_user()
    stale = _stale_update(call, agent, _ticket(call, user))
    closed = _ticket(call, user)
    call("close_ticket", {"ticket_id": closed}, user.jwt)
    reply = call("reply_to_ticket", {"ticket_id": closed, "body": "More"}, user.jwt)
    merge = call("support_merge_ticket",
                 {"ticket_id": closed, "into_ticket_id": _ticket(call, user)}, agent.jwt)
    answers = {"stale": stale, "reply": reply, "merge": merge}
    assert {a.status_code for a in answers.values()} == {409}
    assert {k: a.json()["code"] for k, a in answers.items()} == {
        "stale": "ticket_changed",
        "reply": "ticket_closed",
        "merge": "merge_closed_source",
    }


def test_a_reworded_refusal_keeps_its_code(call, db, make_user, agent):
    db.execute("update public.support_messages set message = 'Someone else saved it first', "
               "hint = null where topic = 'ticket_changed'")
    try:
        stale = _stale_update(call, agent, _ticket(call, make_user()))
    finally:
        db.execute(
            "update public.support_messages set message = "
            "'The ticket was changed by someone else since you read it', hint = "
            "'Read it again (support_ticket) and send its updated_at as expected_updated_at.' "
            "where topic = 'ticket_changed'"
        )
    assert stale.status_code == 409
    assert stale.json() == {"code": "ticket_changed", "message": "Someone else saved it first",
                            "details": None, "hint": None}


@pytest.mark.parametrize(
    ("name", "params", "code", "message"),
    [
        ("support_ticket", {"ticket_id": "nope"}, "invalid_uuid", "ticket_id must be a UUID"),
        ("support_queue", {"page_size": "0"}, "integer_out_of_range",
         "page_size must be an integer from 1 to 100"),
        ("support_feedback_queue", {"offset": "-1"}, "integer_too_small",
         "offset must be an integer of at least 0"),
        ("support_stats", {"since": "soon"}, "invalid_time",
         "since must be a date or time (RFC 3339)"),
    ],
)
def test_staff_parameters_are_refused_by_the_shared_helpers(
    call, agent, name, params, code, message
):
    answer = call(name, params, agent.jwt)
    assert answer.status_code == 400
    assert answer.json() == {"code": code, "message": message, "details": None, "hint": None}
