"""The contract over PostgREST: the five RPCs end to end through the gateway (/rest/v1).

Happy paths go through supabase-py exactly as an app would (`client.rpc(name, body)` with the
contract's bodies unchanged); statuses and headers, which supabase-py does not surface, are
checked with plain HTTP against the same gateway.
"""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from contract import ANSWERS, BUG, CREATE, ERROR_KEYS, FEEDBACK, KINDS, RFC3339_Z, TICKET, rows_of

from support_runtime.tokens import mint_jwt


class Rest:
    """Plain HTTP to PostgREST through the gateway, as supabase-js/py send it."""

    def __init__(self, stack: Any, http: httpx.Client) -> None:
        self.stack, self.http = stack, http

    def rpc(
        self,
        name: str,
        body: Any = None,
        token: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        bearer = token or self.stack.anon_key
        sent = {"apikey": self.stack.anon_key, "Authorization": f"Bearer {bearer}"}
        sent.update(headers or {})
        url = f"{self.stack.rest_url}/rpc/{name}"
        if params is not None:
            return self.http.get(url, params=params, headers=sent)
        return self.http.post(url, json=body, headers=sent)


@pytest.fixture(scope="module")
def rest(stack) -> Any:
    with httpx.Client(timeout=30) as http:
        yield Rest(stack, http)


def backdate(db, table: str, user_id: str, rows: list[dict[str, Any]], minutes_ago: float) -> None:
    """Rows created `minutes_ago` for a user, as an admin (users cannot set created_at)."""
    for row in rows:
        columns = ["user_id", "created_at", *row]
        db.execute(
            f"insert into public.{table} ({', '.join(columns)}) "
            f"values (%s, now() - make_interval(secs => %s){', %s' * len(row)})",
            (user_id, minutes_ago * 60, *row.values()),
        )


# --- the operations, as an app calls them -----------------------------------------------------


@pytest.mark.parametrize("name", list(CREATE))
def test_create_answers_the_contract(make_user, user_client, name):
    user = make_user()
    answer = user_client(user).rpc(name, CREATE[name]).execute().data
    keys, fixed = ANSWERS[name]
    assert list(answer) == keys
    assert {key: answer[key] for key in fixed} == fixed
    uuid.UUID(answer[keys[0]])
    assert RFC3339_Z.match(answer["created_at"])


def test_list_and_detail_answer_the_contract(make_user, user_client):
    client = user_client(make_user())
    bug = client.rpc("report_bug", BUG).execute().data
    ticket = client.rpc("create_support_ticket", TICKET).execute().data

    listed = client.rpc("list_my_tickets", {}).execute().data
    assert list(listed) == ["tickets", "total"]
    assert listed["total"] == 2
    # Newest first (the ticket was filed after the bug report).
    assert [t["ticket_id"] for t in listed["tickets"]] == [ticket["ticket_id"], bug["ticket_id"]]
    # The contract's fields in its order; fields added after them (the thread) do not count.
    assert list(listed["tickets"][0])[:7] == [
        "ticket_id",
        "ticket_type",
        "subject",
        "status",
        "priority",
        "created_at",
        "updated_at",
    ]

    detail = client.rpc("get_ticket", {"ticket_id": bug["ticket_id"]}).execute().data
    assert list(detail)[:11] == [
        "ticket_id",
        "ticket_type",
        "subject",
        "description",
        "status",
        "priority",
        "admin_notes",
        "resolution",
        "created_at",
        "updated_at",
        "resolved_at",
    ]
    assert detail["subject"] == BUG["description"]
    assert {key: detail[key] for key in BUG} == BUG
    assert detail["resolved_at"] is None


def test_get_ticket_works_with_get(rest, make_user):
    user = make_user()
    created = rest.rpc("report_bug", {"description": "d"}, user.jwt).json()
    answer = rest.rpc("get_ticket", token=user.jwt, params={"ticket_id": created["ticket_id"]})
    assert answer.status_code == 200
    assert answer.json()["ticket_id"] == created["ticket_id"]
    listed = rest.rpc("list_my_tickets", token=user.jwt, params={"status": "open"})
    assert listed.status_code == 200 and listed.json()["total"] == 1


def test_pagination_and_filter(rest, make_user, db):
    user = make_user()
    for minutes, status in enumerate(["open", "resolved", "open", "closed", "open"], start=1):
        db.execute(
            "insert into public.support_tickets"
            " (user_id, ticket_type, subject, description, status, created_at)"
            " values (%s, 'other', %s, 'd', %s, now() - make_interval(mins => %s))",
            (user.id, f"t{minutes}", status, 120 - minutes),
        )
    page = rest.rpc("list_my_tickets", {"limit": 2, "offset": 1}, user.jwt).json()
    assert page["total"] == 5
    assert [t["subject"] for t in page["tickets"]] == ["t4", "t3"]
    opened = rest.rpc("list_my_tickets", {"status": "open"}, user.jwt).json()
    assert opened["total"] == 3 and {t["status"] for t in opened["tickets"]} == {"open"}


# --- who may call what ------------------------------------------------------------------------

CALLS = {
    "report_bug": {"description": "d"},
    "submit_feedback": {"category": "other", "description": "d"},
    "create_support_ticket": {"ticket_type": "other", "subject": "s", "description": "d"},
    "list_my_tickets": {},
    "get_ticket": {"ticket_id": str(uuid.uuid4())},
}


@pytest.mark.parametrize(
    ("role", "expected"), [("anon", 401), ("service_role", 403), ("expired", 401)]
)
@pytest.mark.parametrize("name", list(CALLS))
def test_only_signed_in_users_may_call(rest, stack, make_user, name, role, expected):
    token = {
        "anon": None,
        "service_role": stack.service_role_key,
        "expired": mint_jwt(stack.jwt_secret, sub=make_user().id, expires_in=-120),
    }[role]
    answer = rest.rpc(name, CALLS[name], token)
    assert answer.status_code == expected, answer.text
    assert set(answer.json()) == ERROR_KEYS


def test_another_users_ticket_is_the_same_404_as_a_missing_one(rest, make_user):
    owner, other = make_user(), make_user()
    ticket_id = rest.rpc("report_bug", {"description": "mine"}, owner.jwt).json()["ticket_id"]
    foreign = rest.rpc("get_ticket", {"ticket_id": ticket_id}, other.jwt)
    missing = rest.rpc("get_ticket", {"ticket_id": str(uuid.uuid4())}, other.jwt)
    assert foreign.status_code == missing.status_code == 404
    assert (
        foreign.json()
        == missing.json()
        == {
            "code": "P0002",
            "message": "Ticket not found",
            "details": None,
            "hint": None,
        }
    )
    assert rest.rpc("list_my_tickets", {}, other.jwt).json() == {"tickets": [], "total": 0}


# --- every rule broken once: 400, the field and the rule named, nothing stored ----------------

TOO_LONG = [  # (operation, valid body, field, limit)
    ("report_bug", {"description": "d"}, "description", 5000),
    ("report_bug", {"description": "d"}, "steps_to_reproduce", 5000),
    ("report_bug", {"description": "d"}, "expected_behavior", 5000),
    ("report_bug", {"description": "d"}, "actual_behavior", 5000),
    ("report_bug", {"description": "d"}, "device_info", 255),
    ("report_bug", {"description": "d"}, "app_version", 50),
    ("create_support_ticket", TICKET, "subject", 255),
    ("create_support_ticket", TICKET, "description", 5000),
    ("submit_feedback", FEEDBACK, "description", 5000),
    ("submit_feedback", FEEDBACK, "feature_name", 100),
]
BROKEN: list[tuple[str, Any, str]] = [
    *[
        (name, {**body, field: "x" * (limit + 1)}, f"{field} must be at most {limit} characters")
        for name, body, field, limit in TOO_LONG
    ],
    ("report_bug", {}, "description is required"),
    ("report_bug", {"description": " \n\t "}, "description must not be blank"),
    (
        "submit_feedback",
        {"category": "other", "description": "   "},
        "description must not be blank",
    ),
    ("create_support_ticket", {**TICKET, "subject": "  "}, "subject must not be blank"),
    ("create_support_ticket", {**TICKET, "description": ""}, "description must not be blank"),
    (
        "create_support_ticket",
        {k: v for k, v in TICKET.items() if k != "subject"},
        "subject is required",
    ),
    (
        "create_support_ticket",
        {k: v for k, v in TICKET.items() if k != "ticket_type"},
        "ticket_type is required",
    ),
    ("submit_feedback", {"description": "d"}, "category is required"),
    (
        "report_bug",
        {"description": "d", "screenshot_urls": [f"https://a.example/{i}" for i in range(6)]},
        "screenshot_urls must hold at most 5 URLs",
    ),
    (
        "report_bug",
        {"description": "d", "screenshot_urls": ["http://a.example/1.png"]},
        "screenshot_urls must each be an https:// URL of at most 2048 characters",
    ),
    (
        "report_bug",
        {"description": "d", "screenshot_urls": ["https://a.example/" + "x" * 2031]},
        "screenshot_urls must each be an https:// URL of at most 2048 characters",
    ),
    (
        "submit_feedback",
        {**FEEDBACK, "category": "wish"},
        "category must be one of feature_request, improvement, complaint, praise, other",
    ),
    ("submit_feedback", {**FEEDBACK, "rating": 0}, "rating must be an integer from 1 to 5"),
    ("submit_feedback", {**FEEDBACK, "rating": 6}, "rating must be an integer from 1 to 5"),
    (
        "create_support_ticket",
        {**TICKET, "ticket_type": "refund"},
        "ticket_type must be one of bug, technical, billing, account, other",
    ),
    (
        "create_support_ticket",
        {**TICKET, "priority": "asap"},
        "priority must be one of low, medium, high, urgent",
    ),
    # Unknown fields, wrong types.
    ("report_bug", {"description": "d", "foo": 1}, 'unknown field "foo"'),
    ("create_support_ticket", {**TICKET, "status": "closed"}, 'unknown field "status"'),
    (
        "submit_feedback",
        {**FEEDBACK, "admin_response": "x", "user_id": "x"},
        'unknown fields "admin_response", "user_id"',
    ),
    ("report_bug", "not an object", "request body must be a JSON object"),
    ("report_bug", [{"description": "d"}], "request body must be a JSON object"),
    ("report_bug", {"description": 42}, "description must be a string"),
    (
        "report_bug",
        {"description": "d", "screenshot_urls": "https://a.example/1.png"},
        "screenshot_urls must be an array of strings",
    ),
    ("submit_feedback", {**FEEDBACK, "rating": "4"}, "rating must be an integer"),
    ("submit_feedback", {**FEEDBACK, "rating": 4.5}, "rating must be an integer"),
    (
        "submit_feedback",
        {**FEEDBACK, "would_recommend": "yes"},
        "would_recommend must be true or false",
    ),
    (
        "list_my_tickets",
        {"status": "pending"},
        "status must be one of open, in_progress, resolved, closed",
    ),
    ("list_my_tickets", {"limit": 0}, "limit must be an integer from 1 to 100"),
    ("list_my_tickets", {"limit": 101}, "limit must be an integer from 1 to 100"),
    ("list_my_tickets", {"limit": "ten"}, "limit must be an integer from 1 to 100"),
    ("list_my_tickets", {"offset": -1}, "offset must be an integer of at least 0"),
    ("get_ticket", {"ticket_id": "42"}, "ticket_id must be a UUID"),
]


@pytest.mark.parametrize(("name", "body", "message"), BROKEN, ids=[m for _, _, m in BROKEN])
def test_broken_rule_is_a_400_naming_field_and_rule(rest, make_user, db, name, body, message):
    user = make_user()
    answer = rest.rpc(name, body, user.jwt)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert set(error) == ERROR_KEYS
    assert error["message"] == message
    assert error["details"] is None  # never the row
    assert rows_of(db, user.id, "support_tickets", "user_feedback") == 0


# --- rate limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(KINDS))
def test_rate_limit_answers_429_with_retry_after(rest, make_user, db, name):
    user, limit = make_user(), KINDS[name]
    table = "user_feedback" if name == "submit_feedback" else "support_tickets"
    row = {
        "report_bug": {"ticket_type": "bug", "description": "earlier"},
        "create_support_ticket": {"ticket_type": "account", "subject": "s", "description": "d"},
        "submit_feedback": {"category": "other", "description": "d"},
    }[name]
    backdate(db, table, user.id, [row] * (limit - 1), minutes_ago=30)

    assert rest.rpc(name, CREATE[name], user.jwt).status_code == 200
    refused = rest.rpc(name, CREATE[name], user.jwt)

    assert refused.status_code == 429, refused.text
    seconds = int(refused.headers["Retry-After"])
    assert 1790 <= seconds <= 1800  # until the oldest counted one is an hour old
    assert refused.json() == {
        "code": "P0429",
        "message": refused.json()["message"],
        "details": f"Try again in {seconds} seconds.",
        "hint": f"The limit is {limit} per hour.",
    }
    assert refused.json()["message"].endswith("in the last hour.")
    assert rows_of(db, user.id, table) == limit


def test_limit_changed_by_an_admin_applies_at_once(rest, make_user, db):
    user = make_user()
    earlier = [{"category": "other", "description": "d"}] * 10
    backdate(db, "user_feedback", user.id, earlier, minutes_ago=5)
    assert rest.rpc("submit_feedback", FEEDBACK, user.jwt).status_code == 429
    try:
        db.execute("update public.rate_limits set max_per_hour = 11 where kind = 'feedback'")
        assert rest.rpc("submit_feedback", FEEDBACK, user.jwt).status_code == 200
    finally:
        db.execute("update public.rate_limits set max_per_hour = 10 where kind = 'feedback'")


@pytest.mark.parametrize("round_", range(20))
def test_simultaneous_bug_reports_stop_exactly_at_the_limit(stack, make_user, db, round_):
    user = make_user()
    headers = {"apikey": stack.anon_key, "Authorization": f"Bearer {user.jwt}"}
    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=8)) as http:

        def report(i: int) -> int:
            return http.post(
                f"{stack.rest_url}/rpc/report_bug",
                json={"description": f"bug {i}"},
                headers=headers,
            ).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = Counter(pool.map(report, range(8)))
    assert statuses == {200: 5, 429: 3}
    assert rows_of(db, user.id, "support_tickets") == 5


# --- idempotent retries ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CREATE))
def test_retry_with_the_same_key_returns_the_first_answer(rest, make_user, db, name):
    user, key = make_user(), {"Idempotency-Key": str(uuid.uuid4())}
    first = rest.rpc(name, CREATE[name], user.jwt, headers=key)
    again = rest.rpc(name, CREATE[name], user.jwt, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    table = "user_feedback" if name == "submit_feedback" else "support_tickets"
    assert rows_of(db, user.id, table) == 1

    changed = {**CREATE[name], "description": "something else"}
    other_body = rest.rpc(name, changed, user.jwt, headers=key)
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "P0422"


def test_simultaneous_retries_create_once(stack, make_user, db):
    user = make_user()
    headers = {
        "apikey": stack.anon_key,
        "Authorization": f"Bearer {user.jwt}",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    url = f"{stack.rest_url}/rpc/report_bug"
    with httpx.Client(timeout=30) as http, ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: http.post(url, json=BUG, headers=headers), range(6)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["ticket_id"] for a in answers}) == 1
    assert rows_of(db, user.id, "support_tickets") == 1


def test_key_that_is_not_a_uuid_is_a_400(rest, make_user):
    answer = rest.rpc("report_bug", BUG, make_user().jwt, headers={"Idempotency-Key": "retry-1"})
    assert answer.status_code == 400
    assert answer.json()["message"] == "Idempotency-Key must be a UUID"
