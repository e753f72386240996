"""End to end through the gateway: rating a ticket and listing one's feedback (Flask routes
and PostgREST alike), and the staff numbers over PostgREST (docs/service-levels.md)."""

import uuid

import httpx
import psycopg
import pytest

from support_runtime.tokens import mint_jwt


@pytest.fixture(scope="module")
def http():
    with httpx.Client(timeout=30) as client:
        yield client


def _auth(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.jwt}"}


def _resolved_ticket(stack, http, db: psycopg.Connection, user) -> str:
    created = http.post(
        f"{stack.api_url}/support/tickets",
        json={"ticket_type": "billing", "subject": "Charged twice", "description": "Twice"},
        headers=_auth(user),
    )
    assert created.status_code == 200, created.text
    ticket_id = created.json()["ticket_id"]
    # Support resolves it (postgres acts as support's tools; the lifecycle still applies).
    db.execute(
        "update public.support_tickets set status = 'resolved', resolution = 'Refunded' "
        "where id = %s",
        (ticket_id,),
    )
    return ticket_id


def _rate(stack, http, path: str, user, ticket_id: str, body: dict) -> httpx.Response:
    if path == "flask":
        return http.post(
            f"{stack.api_url}/support/tickets/{ticket_id}/rating", json=body, headers=_auth(user)
        )
    return http.post(
        f"{stack.rest_url}/rpc/rate_ticket",
        json={**body, "ticket_id": ticket_id},
        headers={**_auth(user), "apikey": stack.anon_key},
    )


@pytest.mark.parametrize("path", ["flask", "postgrest"])
def test_the_owner_rates_a_resolved_ticket_once(stack, http, db, make_user, path):
    owner = make_user()
    ticket_id = _resolved_ticket(stack, http, db, owner)

    first = _rate(stack, http, path, owner, ticket_id, {"rating": 5, "comment": "Quick"})
    assert first.status_code == 200, first.text
    assert {k: v for k, v in first.json().items() if k != "created_at"} == {
        "ticket_id": ticket_id,
        "subject": "Charged twice",
        "rating": 5,
        "comment": "Quick",
    }
    assert first.json()["created_at"].endswith("Z")

    second = _rate(stack, http, path, owner, ticket_id, {"rating": 1})
    assert second.status_code == 409
    assert second.json()["message"] == "This ticket has already been rated"

    detail = http.get(f"{stack.api_url}/support/tickets/{ticket_id}", headers=_auth(owner)).json()
    assert [e["to"] for e in detail["events"] if e["kind"] == "rating"] == ["5"]


@pytest.mark.parametrize("path", ["flask", "postgrest"])
def test_ratings_refused_with_a_clear_4xx(stack, http, db, make_user, path):
    owner, other = make_user(), make_user()
    resolved = _resolved_ticket(stack, http, db, owner)
    still_open = http.post(
        f"{stack.api_url}/support/tickets",
        json={"ticket_type": "account", "subject": "Locked out", "description": "Help"},
        headers=_auth(owner),
    ).json()["ticket_id"]

    cases = [
        (other, resolved, {"rating": 4}, 404, "Ticket not found"),
        (owner, still_open, {"rating": 4}, 409, "Only a resolved or closed ticket can be rated"),
        (owner, resolved, {"rating": 6}, 400, "rating must be an integer from 1 to 5"),
        (owner, resolved, {"rating": 4, "stars": 4}, 400, 'unknown field "stars"'),
        (owner, str(uuid.uuid4()), {"rating": 4}, 404, "Ticket not found"),
    ]
    for user, ticket_id, body, status, message in cases:
        response = _rate(stack, http, path, user, ticket_id, body)
        assert (response.status_code, response.json()["message"]) == (status, message), body
    assert (
        db.execute(
            "select count(*) from public.ticket_ratings where ticket_id = %s", (resolved,)
        ).fetchone()[0]
        == 0
    )


def test_rating_route_needs_a_user_token(stack, http, make_user):
    ticket_id = str(uuid.uuid4())
    missing = http.post(f"{stack.api_url}/support/tickets/{ticket_id}/rating", json={"rating": 5})
    assert missing.status_code == 401
    service = http.post(
        f"{stack.api_url}/support/tickets/{ticket_id}/rating",
        json={"rating": 5},
        headers={"Authorization": f"Bearer {stack.service_role_key}"},
    )
    assert service.status_code == 403
    assert service.json()["code"] == "42501"


def test_my_feedback_shows_status_and_response(stack, http, db, make_user):
    owner, other = make_user(), make_user()
    submitted = http.post(
        f"{stack.api_url}/support/feedback",
        json={
            "category": "feature_request",
            "description": "Dark mode",
            "feature_name": "dark_mode_e2e",
        },
        headers=_auth(owner),
    ).json()["feedback_id"]
    http.post(
        f"{stack.api_url}/support/feedback",
        json={"category": "praise", "description": "Lovely"},
        headers=_auth(owner),
    )
    for status in ("planned", "in_progress", "shipped"):
        db.execute("update public.user_feedback set status = %s where id = %s", (status, submitted))

    shipped = http.get(
        f"{stack.api_url}/support/feedback", params={"status": "shipped"}, headers=_auth(owner)
    )
    assert shipped.status_code == 200, shipped.text
    body = shipped.json()
    assert body["total"] == 1
    assert [(f["feedback_id"], f["status"], f["admin_response"]) for f in body["feedback"]] == [
        (submitted, "shipped", "Good news: what you asked for has shipped. Thank you for the idea!")
    ]

    paged = http.get(
        f"{stack.api_url}/support/feedback", params={"limit": "1"}, headers=_auth(owner)
    )
    assert (len(paged.json()["feedback"]), paged.json()["total"]) == (1, 2)
    assert http.get(f"{stack.api_url}/support/feedback", headers=_auth(other)).json() == {
        "feedback": [],
        "total": 0,
    }

    rest = http.post(
        f"{stack.rest_url}/rpc/list_my_feedback",
        json={"status": "shipped"},
        headers={**_auth(owner), "apikey": stack.anon_key},
    )
    assert rest.json() == body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, "limit must be an integer from 1 to 100"),
        (
            {"status": "done"},
            "status must be one of received, under_review, planned, in_progress, "
            "shipped, declined, duplicate",
        ),
        ({"sort": "new"}, 'unknown query parameter "sort"'),
    ],
)
def test_my_feedback_refuses_bad_parameters(stack, http, make_user, params, message):
    response = http.get(
        f"{stack.api_url}/support/feedback", params=params, headers=_auth(make_user())
    )
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_staff_read_the_numbers_users_do_not(stack, http, db, make_user):
    agent, user = make_user(), make_user()
    db.execute(
        "insert into public.support_staff (user_id, role, display_name) "
        "values (%s, 'agent', 'E2E')",
        (agent.id,),
    )
    headers = {"apikey": stack.anon_key}
    stats = http.get(
        f"{stack.rest_url}/rpc/support_stats",
        params={"since": "2026-01-01", "until": "2026-02-01"},
        headers={**headers, **_auth(agent)},
    )
    assert stats.status_code == 200, stats.text
    assert list(stats.json()) == [
        "since",
        "until",
        "tickets_per_day",
        "first_response",
        "resolution",
        "sla",
        "csat",
        "backlog",
        "feedback",
        "help",
    ]
    overflow = http.get(
        f"{stack.rest_url}/rpc/support_stats",
        params={"since": "4713-01-01 BC", "until": "294276-12-31"},
        headers={**headers, **_auth(agent)},
    )
    assert (overflow.status_code, overflow.json()["message"]) == (
        400,
        "until must be a date or time (RFC 3339)",
    )
    refused = http.get(f"{stack.rest_url}/rpc/support_stats", headers={**headers, **_auth(user)})
    assert (refused.status_code, refused.json()["message"]) == (
        403,
        "Only support staff can do this",
    )
    expired = mint_jwt(stack.jwt_secret, sub=agent.id, expires_in=-60)
    assert (
        http.get(
            f"{stack.rest_url}/rpc/support_stats",
            headers={**headers, "Authorization": f"Bearer {expired}"},
        ).status_code
        == 401
    )


def _say(stack, http, user_id: str, text: str) -> dict:
    response = http.post(
        f"{stack.api_url}/companion/messages",
        json={"user_id": user_id, "text": text},
        headers={"Authorization": f"Bearer {stack.service_role_key}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_companion_rates_the_latest_resolved_ticket(stack, http, db, make_user):
    owner = make_user()
    nothing = _say(stack, http, owner.id, "rate 5")
    assert (nothing["reply"], nothing["result"]["action"]) == (
        "You have no resolved ticket to rate",
        "refused",
    )
    ticket_id = _resolved_ticket(stack, http, db, owner)

    rated = _say(stack, http, owner.id, "Rate 5 quick and kind")
    assert rated["reply"] == 'Thanks! You rated "Charged twice" 5 out of 5.'
    assert rated["result"]["action"] == "rated"
    assert {k: rated["result"]["data"][k] for k in ("ticket_id", "rating", "comment")} == {
        "ticket_id": ticket_id,
        "rating": 5,
        "comment": "quick and kind",
    }
    again = _say(stack, http, owner.id, "rate it 1")
    assert (again["reply"], again["result"]["action"]) == (
        "This ticket has already been rated",
        "refused",
    )
    assert again["result"]["error"]["code"] == "ticket_already_rated"
    assert db.execute(
        "select rating from public.ticket_ratings where ticket_id = %s", (ticket_id,)
    ).fetchall() == [(5,)]
    # "rate" without a rating after it is not the intent.
    assert _say(stack, http, owner.id, "what is the rate limit?")["result"]["action"] == (
        "unknown_intent"
    )
