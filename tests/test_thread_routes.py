"""The thread through the Flask layer and the companion: reply and close routes, "reply: ...",
and support's latest answer in "ticket status". Real stack, real JWTs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from support_api.companion.vocabulary import IntentKind, parse_intent


@pytest.fixture(scope="module")
def http(stack) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def agent(db, make_user) -> Any:
    staff = make_user()
    db.execute(
        "insert into public.support_staff (user_id, role, display_name) values (%s, %s, %s)",
        (staff.id, "agent", "Ana"),
    )
    return staff


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def file_ticket(stack, http, user, subject: str = "Charged twice") -> str:
    response = http.post(
        f"{stack.api_url}/support/tickets",
        json={"ticket_type": "billing", "subject": subject, "description": "Twice."},
        headers=bearer(user.jwt),
    )
    assert response.status_code == 200, response.text
    return response.json()["ticket_id"]


def support_says(stack, http, agent, ticket_id: str, body: str, internal: bool = False) -> None:
    response = http.post(
        f"{stack.rest_url}/rpc/support_reply",
        json={"ticket_id": ticket_id, "body": body, "internal": internal},
        headers={"apikey": stack.anon_key, **bearer(agent.jwt)},
    )
    assert response.status_code == 200, response.text


def test_reply_and_close_routes_relay_the_rpcs(stack, http, make_user):
    owner, other = make_user(), make_user()
    ticket_id = file_ticket(stack, http, owner)
    url = f"{stack.api_url}/support/tickets/{ticket_id}"

    replied = http.post(f"{url}/messages", json={"body": "Any news?"}, headers=bearer(owner.jwt))
    assert replied.status_code == 200
    assert list(replied.json()) == ["message_id", "status", "created_at"]
    assert replied.json()["status"] == "open"

    # The path names the ticket, whatever the body says.
    elsewhere = http.post(f"{url}/messages", json={"body": "x", "ticket_id": "nope"},
                          headers=bearer(owner.jwt))
    assert elsewhere.status_code == 200

    direct_array = http.post(f"{stack.rest_url}/rpc/reply_to_ticket", json=["x"],
                             headers={"apikey": stack.anon_key, **bearer(owner.jwt)})
    assert direct_array.status_code == 400
    refused = {
        "other user": http.post(f"{url}/messages", json={"body": "x"}, headers=bearer(other.jwt)),
        "blank": http.post(f"{url}/messages", json={"body": " "}, headers=bearer(owner.jwt)),
        "not an object": http.post(f"{url}/messages", json=["x"], headers=bearer(owner.jwt)),
        "no token": http.post(f"{url}/messages", json={"body": "x"}),
        "other closes": http.post(f"{url}/close", headers=bearer(other.jwt)),
    }
    assert {name: (r.status_code, r.json()["message"]) for name, r in refused.items()} == {
        "other user": (404, "Ticket not found"),
        "blank": (400, "body must not be blank"),
        # What PostgREST answers for the same body sent to the RPC itself.
        "not an object": (400, direct_array.json()["message"]),
        "no token": (401, refused["no token"].json()["message"]),
        "other closes": (404, "Ticket not found"),
    }

    closed = http.post(f"{url}/close", headers=bearer(owner.jwt))
    assert closed.status_code == 200
    assert closed.json()["ticket_id"] == ticket_id and closed.json()["status"] == "closed"

    late = http.post(f"{url}/messages", json={"body": "One more"}, headers=bearer(owner.jwt))
    assert late.status_code == 409
    assert late.json()["message"] == "This ticket is closed. Please open a follow-up ticket."


@pytest.mark.parametrize(("text", "details"), [
    ("reply: the refund arrived, thanks", "the refund arrived, thanks"),
    ("Reply : still nothing", "still nothing"),
    ("reply:", ""),
])
def test_reply_phrase_is_parsed(text, details):
    intent = parse_intent(text)
    assert intent is not None and intent.kind is IntentKind.REPLY
    assert intent.details == details


def test_please_reply_is_no_reply_intent():
    assert parse_intent("please reply soon") is None


def bot(stack, http, user_id: str, text: str) -> dict[str, Any]:
    response = http.post(
        f"{stack.api_url}/companion/messages",
        json={"user_id": user_id, "text": text},
        headers=bearer(stack.service_role_key),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_companion_replies_on_the_latest_open_ticket_and_shows_supports_answer(
    stack, http, db, make_user, agent
):
    user = make_user()
    assert bot(stack, http, user.id, "reply: hello?")["reply"].startswith("You have no open ticket")

    older = file_ticket(stack, http, user, "Older matter")
    newer = file_ticket(stack, http, user, "Newer matter")
    support_says(stack, http, agent, older, "We refunded you.")
    support_says(stack, http, agent, older, "NOTE-FOR-STAFF", internal=True)

    status = bot(stack, http, user.id, "ticket status")
    assert status["reply"].endswith('Latest reply from support on "Older matter": We refunded you.')
    assert "NOTE-FOR-STAFF" not in str(status)

    answer = bot(stack, http, user.id, "reply: it arrived, thank you")
    assert answer["result"]["action"] == "replied"
    assert answer["reply"] == 'Sent to support on "Newer matter".'
    bodies = db.execute(
        "select ticket_id::text, body from public.ticket_messages where author_id = %s",
        (user.id,),
    ).fetchall()
    assert bodies == [(newer, "it arrived, thank you")]

    assert bot(stack, http, user.id, "reply:")["reply"].startswith("What should I send")
