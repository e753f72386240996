"""The support loop end to end through the gateway, with supabase-py as apps and staff tools use it.

User files → agent replies publicly and adds a note → user sees the reply, not the note → user
replies → agent resolves → user reopens by replying → agent resolves → the system closes the
ticket after 7 days (time passed to the scheduler's function, not slept). Then each operation's
refusals from the wrong actor, with their HTTP statuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from postgrest.exceptions import APIError

from support_runtime.tokens import mint_jwt

NOTE = "Card issuer flagged it; do not tell the user yet."


@pytest.fixture(scope="module")
def make_staff(stack, db, make_user) -> Callable[[str], Any]:
    def make(role: str) -> Any:
        user = make_user()
        db.execute(
            "insert into public.support_staff (user_id, role, display_name) values (%s, %s, %s)",
            (user.id, role, f"{role.title()} {user.id[:4]}"),
        )
        return user

    return make


@pytest.fixture(scope="module")
def http(stack) -> Iterator[Callable[..., httpx.Response]]:
    with httpx.Client(timeout=30) as client:
        def call(name: str, body: Any, token: str | None) -> httpx.Response:
            bearer = token or stack.anon_key
            headers = {"apikey": stack.anon_key, "Authorization": f"Bearer {bearer}"}
            return client.post(f"{stack.rest_url}/rpc/{name}", json=body, headers=headers)

        yield call


def rpc(client: Any, name: str, body: dict[str, Any]) -> Any:
    return client.rpc(name, body).execute().data


def test_the_support_loop(make_user, make_staff, user_client, db):
    user, agent = make_user(), make_staff("agent")
    app, desk = user_client(user), user_client(agent)

    ticket_id = rpc(app, "create_support_ticket", {
        "ticket_type": "billing", "subject": "Charged twice", "description": "Twice on the 5th.",
    })["ticket_id"]

    queue = rpc(desk, "support_queue", {"status": "open", "assignee": "unassigned", "q": "charged"})
    assert ticket_id in [t["ticket_id"] for t in queue["tickets"]]
    seen = rpc(desk, "support_ticket", {"ticket_id": ticket_id})
    assert seen["requester"] == {"id": user.id, "email": user.email}
    taken = rpc(desk, "support_update_ticket", {
        "ticket_id": ticket_id, "status": "in_progress", "assignee_id": agent.id,
        "expected_updated_at": seen["updated_at"],
    })
    assert taken["status"] == "in_progress" and taken["assignee_id"] == agent.id
    reply = rpc(desk, "support_reply", {"ticket_id": ticket_id, "body": "We are refunding you."})
    assert reply["internal"] is False and reply["status"] == "in_progress"
    note = rpc(desk, "support_reply", {"ticket_id": ticket_id, "body": NOTE, "internal": True})
    assert note["internal"] is True

    # The user sees the reply, never the note: not in the RPC, not in the table, not embedded.
    detail = rpc(app, "get_ticket", {"ticket_id": ticket_id})
    thread = [(m["author_kind"], m["body"]) for m in detail["messages"]]
    assert thread == [("agent", "We are refunding you.")]
    assert [e["kind"] for e in detail["events"]] == ["created", "status", "public_reply"]
    assert NOTE not in str(detail)
    rows = app.table("ticket_messages").select("body").eq("ticket_id", ticket_id).execute().data
    assert rows == [{"body": "We are refunding you."}]
    embedded = (
        app.table("support_tickets")
        .select("id, ticket_messages(body), ticket_events(kind)")
        .eq("id", ticket_id)
        .execute()
        .data
    )
    assert NOTE not in str(embedded) and "internal_note" not in str(embedded)
    listed = rpc(app, "list_my_tickets", {})["tickets"][0]
    assert listed["waiting_on"] == "user" and listed["last_message_at"] == reply["created_at"]

    answered = rpc(app, "reply_to_ticket", {"ticket_id": ticket_id, "body": "Thanks, waiting."})
    assert answered["status"] == "in_progress"
    assert rpc(app, "list_my_tickets", {})["tickets"][0]["waiting_on"] == "support"

    resolved = rpc(desk, "support_update_ticket", {
        "ticket_id": ticket_id, "status": "resolved", "resolution": "Refund processed.",
    })
    assert resolved["status"] == "resolved" and resolved["resolved_at"]

    reopened = rpc(app, "reply_to_ticket", {"ticket_id": ticket_id, "body": "Not on my statement."})
    assert reopened["status"] == "open"
    assert rpc(app, "get_ticket", {"ticket_id": ticket_id})["resolved_at"] is None

    rpc(desk, "support_update_ticket", {"ticket_id": ticket_id, "status": "resolved",
                                        "resolution": "Refund reissued."})
    week_later = "select private.close_resolved_tickets(now() + interval '7 days')"
    assert db.execute(week_later).fetchone()[0] >= 1
    final = rpc(app, "get_ticket", {"ticket_id": ticket_id})
    assert final["status"] == "closed"
    statuses = [e for e in final["events"] if e["kind"] == "status"]
    moves = [(e["actor_kind"], e["from"], e["to"]) for e in statuses]
    assert moves == [
        ("agent", "open", "in_progress"),
        ("agent", "in_progress", "resolved"),
        ("user", "resolved", "open"),
        ("agent", "open", "resolved"),
        ("system", "resolved", "closed"),
    ]
    history = rpc(desk, "support_ticket", {"ticket_id": ticket_id})
    assert [m["internal"] for m in history["messages"]].count(True) == 1
    assert "internal_note" in [e["kind"] for e in history["events"]]

    # Closed is final: a reply is refused, a follow-up is the way on.
    with pytest.raises(APIError) as refused:
        rpc(app, "reply_to_ticket", {"ticket_id": ticket_id, "body": "One more thing"})
    assert refused.value.code == "ticket_closed"
    follow_up = rpc(app, "create_support_ticket", {
        "ticket_type": "billing", "subject": "Still charged", "description": "Again.",
        "follow_up_of": ticket_id,
    })
    follow_up_detail = rpc(app, "get_ticket", {"ticket_id": follow_up["ticket_id"]})
    assert follow_up_detail["follow_up_of"] == ticket_id


def test_the_user_closes_their_ticket(make_user, user_client):
    user = make_user()
    app = user_client(user)
    ticket_id = rpc(app, "create_support_ticket", {
        "ticket_type": "other", "subject": "Never mind", "description": "Found it.",
    })["ticket_id"]
    assert rpc(app, "close_ticket", {"ticket_id": ticket_id})["status"] == "closed"
    assert rpc(app, "list_my_tickets", {})["tickets"][0]["waiting_on"] is None


def test_two_agents_never_overwrite_each_other(make_user, make_staff, user_client, http):
    user, first, second = make_user(), make_staff("agent"), make_staff("agent")
    ticket_id = rpc(user_client(user), "create_support_ticket", {
        "ticket_type": "account", "subject": "Locked out", "description": "Help.",
    })["ticket_id"]
    read = rpc(user_client(first), "support_ticket", {"ticket_id": ticket_id})["updated_at"]
    also_read = rpc(user_client(second), "support_ticket", {"ticket_id": ticket_id})["updated_at"]
    assert also_read == read

    won = http("support_update_ticket", {"ticket_id": ticket_id, "priority": "urgent",
                                         "expected_updated_at": read}, first.jwt)
    lost = http("support_update_ticket", {"ticket_id": ticket_id, "priority": "low",
                                          "expected_updated_at": read}, second.jwt)
    assert won.status_code == 200 and won.json()["priority"] == "urgent"
    assert lost.status_code == 409
    assert lost.json()["message"] == "The ticket was changed by someone else since you read it"


@pytest.fixture(scope="module")
def actors(stack, make_user, make_staff, user_client) -> dict[str, Any]:
    owner, other, agent = make_user(), make_user(), make_staff("agent")
    ticket_id = rpc(user_client(owner), "create_support_ticket", {
        "ticket_type": "billing", "subject": "Refusals", "description": "Who may do what.",
    })["ticket_id"]
    return {
        "ticket_id": ticket_id,
        "owner": owner.jwt,
        "other": other.jwt,
        "agent": agent.jwt,
        "anon": None,
        "service_role": stack.service_role_key,
        "jwt_secret": stack.jwt_secret,
    }


STAFF_CALLS = {
    "support_queue": lambda t: {},
    "support_ticket": lambda t: {"ticket_id": t},
    "support_update_ticket": lambda t: {"ticket_id": t, "priority": "low"},
    "support_reply": lambda t: {"ticket_id": t, "body": "x", "internal": True},
}
USER_CALLS = {
    "reply_to_ticket": lambda t: {"ticket_id": t, "body": "x"},
    "close_ticket": lambda t: {"ticket_id": t},
}


@pytest.mark.parametrize("name", STAFF_CALLS)
@pytest.mark.parametrize(("actor", "status", "code"), [
    ("owner", 403, "42501"), ("other", 403, "42501"), ("anon", 401, "42501"),
    ("service_role", 403, "42501"),
])
def test_staff_operations_refuse_everyone_else(http, actors, name, actor, status, code):
    response = http(name, STAFF_CALLS[name](actors["ticket_id"]), actors[actor])
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert "Refusals" not in response.text


@pytest.mark.parametrize("name", USER_CALLS)
@pytest.mark.parametrize(("actor", "status", "code"), [
    ("other", 404, "P0002"), ("agent", 404, "P0002"), ("anon", 401, "42501"),
    ("service_role", 403, "42501"),
])
def test_user_operations_refuse_everyone_but_the_owner(http, actors, name, actor, status, code):
    response = http(name, USER_CALLS[name](actors["ticket_id"]), actors[actor])
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_removed_agent_is_refused_at_once(http, db, make_staff, actors):
    agent = make_staff("agent")
    assert http("support_queue", {}, agent.jwt).status_code == 200
    db.execute("delete from public.support_staff where user_id = %s", (agent.id,))
    # The same token, still valid, even carrying the claim the hook would add.
    claimed = mint_jwt(actors["jwt_secret"], sub=agent.id, staff_role="agent")
    assert http("support_queue", {}, agent.jwt).status_code == 403
    assert http("support_queue", {}, claimed).status_code == 403


def test_bad_input_is_a_clear_400(http, actors):
    answers = {
        "reply_to_ticket": http("reply_to_ticket", {"ticket_id": actors["ticket_id"], "body": " "},
                                actors["owner"]),
        "support_reply": http("support_reply", {"ticket_id": "nope", "body": "x"}, actors["agent"]),
        "support_queue": http("support_queue", {"sort": "name"}, actors["agent"]),
    }
    assert {name: (r.status_code, r.json()["message"]) for name, r in answers.items()} == {
        "reply_to_ticket": (400, "body must not be blank"),
        "support_reply": (400, "ticket_id must be a UUID"),
        "support_queue": (400, "sort must be one of created, updated, priority"),
    }
