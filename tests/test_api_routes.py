"""The Flask client routes, end to end through the gateway with real JWTs.

Every answer of a route is compared with what PostgREST itself answers to the same request
(through the same gateway): the Flask layer relays, it never decides.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from contract import ERROR_KEYS

from support_api.app import create_app
from support_api.postgrest import get_postgrest
from support_api.settings import Settings
from support_runtime.tokens import mint_jwt


@dataclass(frozen=True)
class Route:
    """A Flask route and the PostgREST call it stands for."""

    name: str
    method: str
    path: str  # may contain {ticket_id}
    rpc: str
    rpc_get: bool = False
    body: Any = None
    query: dict[str, str] | None = None


ROUTES = [
    Route(
        "report-bug",
        "POST",
        "/support/report-bug",
        "report_bug",
        body={"description": "The calendar shows dates a day off", "app_version": "1.0.0"},
    ),
    Route(
        "feedback",
        "POST",
        "/support/feedback",
        "submit_feedback",
        body={"category": "praise", "description": "Lovely app", "rating": 5},
    ),
    Route(
        "create-ticket",
        "POST",
        "/support/tickets",
        "create_support_ticket",
        body={"ticket_type": "billing", "subject": "Charged twice", "description": "Twice."},
    ),
    Route("list-tickets", "GET", "/support/tickets", "list_my_tickets", query={"limit": "5"}),
    Route("get-ticket", "GET", "/support/tickets/{ticket_id}", "get_ticket", rpc_get=True),
]
ROLES = ["owner", "other_user", "no_token", "expired", "wrong_signature", "service_role"]
# What each role gets, for every route, unless EXPECTED_EXCEPTIONS says otherwise.
# None: whatever PostgREST answers (asserted equal below), e.g. service_role, which is not a user.
EXPECTED = {
    "owner": 200,
    "other_user": 200,
    "no_token": 401,
    "expired": 401,
    "wrong_signature": 401,
    "service_role": None,
}
EXPECTED_EXCEPTIONS = {("get-ticket", "other_user"): 404}


@dataclass
class Caller:
    """Sends the same request to the Flask route and to PostgREST directly."""

    stack: Any
    http: httpx.Client

    def flask(self, route: Route, token: str | None, ticket_id: str = "", **kw: Any):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kw.pop("headers", {}))
        return self.http.request(
            route.method,
            self.stack.api_url + route.path.format(ticket_id=ticket_id),
            params=kw.pop("query", route.query),
            json=kw.pop("body", route.body) if route.method == "POST" else None,
            headers=headers,
        )

    def direct(self, route: Route, token: str | None, ticket_id: str = "", **kw: Any):
        headers = {"apikey": self.stack.anon_key}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        headers.update(kw.pop("headers", {}))
        url = f"{self.stack.rest_url}/rpc/{route.rpc}"
        query = kw.pop("query", route.query) or {}
        if route.rpc_get:
            return self.http.get(url, params={"ticket_id": ticket_id}, headers=headers)
        body = kw.pop("body", route.body) if route.method == "POST" else query
        return self.http.post(url, json=body, headers=headers)


@pytest.fixture(scope="module")
def caller(stack) -> Iterator[Caller]:
    with httpx.Client(timeout=30) as http:
        yield Caller(stack, http)


def token_for(role: str, stack, owner, other) -> str | None:
    secret = stack.jwt_secret
    return {
        "owner": owner.jwt,
        "other_user": other.jwt,
        "no_token": None,
        # PostgREST allows 30 s of clock skew; this one expired two minutes ago.
        "expired": mint_jwt(secret, sub=owner.id, expires_in=-120),
        "wrong_signature": mint_jwt("another-secret-of-at-least-32-characters!!", sub=owner.id),
        "service_role": stack.service_role_key,
    }[role]


def assert_same_answer(flask: httpx.Response, direct: httpx.Response) -> None:
    """The Flask route answered what PostgREST answered: status, body (or keys), Retry-After."""
    assert flask.status_code == direct.status_code, (flask.text, direct.text)
    if flask.is_success:
        assert flask.json().keys() == direct.json().keys()
    else:
        assert flask.json() == direct.json()
    assert flask.headers.get("Retry-After") == direct.headers.get("Retry-After")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_route_answers_each_role_as_postgrest_does(stack, make_user, caller, route, role):
    owner, other = make_user(), make_user()
    ticket_id = caller.flask(ROUTES[0], owner.jwt).json()["ticket_id"]
    token = token_for(role, stack, owner, other)

    flask = caller.flask(route, token, ticket_id)
    direct = caller.direct(route, token, ticket_id)

    expected = EXPECTED_EXCEPTIONS.get((route.name, role), EXPECTED[role])
    if expected is not None:
        assert flask.status_code == expected, flask.text
    assert flask.headers["Content-Type"].startswith("application/json")
    if role == "no_token":
        # Checked by the Flask layer itself (PostgREST would fall back to the anon role).
        assert direct.status_code == 401
        assert flask.json().keys() == ERROR_KEYS
        assert flask.headers["WWW-Authenticate"].startswith("Bearer")
    else:
        assert_same_answer(flask, direct)


def test_owner_reads_their_ticket_and_another_user_gets_404(make_user, caller):
    owner, other = make_user(), make_user()
    created = caller.flask(ROUTES[0], owner.jwt).json()
    detail = caller.flask(ROUTES[4], owner.jwt, created["ticket_id"])
    assert detail.status_code == 200
    assert detail.json()["description"] == ROUTES[0].body["description"]
    missing = caller.flask(ROUTES[4], owner.jwt, str(uuid.uuid4()))
    foreign = caller.flask(ROUTES[4], other.jwt, created["ticket_id"])
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    listed = caller.flask(ROUTES[3], other.jwt).json()
    assert created["ticket_id"] not in {t["ticket_id"] for t in listed["tickets"]}


def test_list_passes_status_limit_and_offset_to_the_database(make_user, caller):
    user = make_user()
    ids = [caller.flask(ROUTES[0], user.jwt).json()["ticket_id"] for _ in range(3)]
    page = caller.flask(ROUTES[3], user.jwt, query={"limit": "2", "offset": "1"}).json()
    assert page["total"] == 3
    assert [t["ticket_id"] for t in page["tickets"]] == list(reversed(ids))[1:3]
    assert caller.flask(ROUTES[3], user.jwt, query={"status": "resolved"}).json() == {
        "tickets": [],
        "total": 0,
    }


# Every field rule of the contract, broken once: (route, body or query, field named).
BROKEN_RULES = [
    ("report-bug", {}, "description"),
    ("report-bug", {"description": "   "}, "description"),
    ("report-bug", {"description": "x" * 5001}, "description"),
    ("report-bug", {"description": 42}, "description"),
    ("report-bug", {"description": "d", "steps_to_reproduce": "x" * 5001}, "steps_to_reproduce"),
    ("report-bug", {"description": "d", "expected_behavior": "x" * 5001}, "expected_behavior"),
    ("report-bug", {"description": "d", "actual_behavior": "x" * 5001}, "actual_behavior"),
    ("report-bug", {"description": "d", "device_info": "x" * 256}, "device_info"),
    ("report-bug", {"description": "d", "app_version": "x" * 51}, "app_version"),
    ("report-bug", {"description": "d", "app_version": "1.0\r\nX: y"}, "app_version"),
    ("report-bug", {"description": "d", "device_info": "iPhone\u0085"}, "device_info"),
    ("feedback", {"category": "other", "description": "d", "feature_name": "a\tb"},
     "feature_name"),
    ("create-ticket", {"ticket_type": "other", "subject": "Hi\r\nBcc: x", "description": "d"},
     "subject"),
    ("create-ticket", {"ticket_type": "other", "subject": "Hi\u2028", "description": "d"},
     "subject"),
    (
        "report-bug",
        {"description": "d", "screenshot_urls": ["https://a.test/x.png"] * 6},
        "screenshot_urls",
    ),
    (
        "report-bug",
        {"description": "d", "screenshot_urls": ["http://a.test/x.png"]},
        "screenshot_urls",
    ),
    (
        "report-bug",
        {"description": "d", "screenshot_urls": ["https://a.test/" + "x" * 2040]},
        "screenshot_urls",
    ),
    (
        "report-bug",
        {"description": "d", "screenshot_urls": "https://a.test/x.png"},
        "screenshot_urls",
    ),
    ("report-bug", {"description": "d", "ticket_type": "bug"}, "ticket_type"),
    ("report-bug", ["not", "an", "object"], None),
    ("feedback", {"description": "d"}, "category"),
    ("feedback", {"category": "wishlist", "description": "d"}, "category"),
    ("feedback", {"category": "other"}, "description"),
    ("feedback", {"category": "other", "description": ""}, "description"),
    ("feedback", {"category": "other", "description": "x" * 5001}, "description"),
    ("feedback", {"category": "other", "description": "d", "rating": 0}, "rating"),
    ("feedback", {"category": "other", "description": "d", "rating": 6}, "rating"),
    ("feedback", {"category": "other", "description": "d", "rating": 2.5}, "rating"),
    (
        "feedback",
        {"category": "other", "description": "d", "feature_name": "x" * 101},
        "feature_name",
    ),
    (
        "feedback",
        {"category": "other", "description": "d", "would_recommend": "yes"},
        "would_recommend",
    ),
    ("feedback", {"category": "other", "description": "d", "status": "reviewed"}, "status"),
    ("create-ticket", {"subject": "s", "description": "d"}, "ticket_type"),
    ("create-ticket", {"ticket_type": "refund", "subject": "s", "description": "d"}, "ticket_type"),
    ("create-ticket", {"ticket_type": "other", "description": "d"}, "subject"),
    ("create-ticket", {"ticket_type": "other", "subject": " ", "description": "d"}, "subject"),
    (
        "create-ticket",
        {"ticket_type": "other", "subject": "x" * 256, "description": "d"},
        "subject",
    ),
    ("create-ticket", {"ticket_type": "other", "subject": "s"}, "description"),
    (
        "create-ticket",
        {"ticket_type": "other", "subject": "s", "description": "x" * 5001},
        "description",
    ),
    (
        "create-ticket",
        {"ticket_type": "other", "subject": "s", "description": "d", "priority": "asap"},
        "priority",
    ),
    (
        "create-ticket",
        {"ticket_type": "other", "subject": "s", "description": "d", "admin_notes": "mine"},
        "admin_notes",
    ),
    ("list-tickets", {"status": "pending"}, "status"),
    ("list-tickets", {"limit": "0"}, "limit"),
    ("list-tickets", {"limit": "101"}, "limit"),
    ("list-tickets", {"limit": "ten"}, "limit"),
    ("list-tickets", {"offset": "-1"}, "offset"),
    ("get-ticket", "not-a-uuid", "ticket_id"),
]


@pytest.mark.parametrize(("route_name", "value", "field"), BROKEN_RULES)
def test_broken_rule_gets_postgrests_400_through_flask(make_user, caller, route_name, value, field):
    user = make_user()
    route = next(route for route in ROUTES if route.name == route_name)
    kwargs: dict[str, Any] = {}
    if route.rpc_get:
        kwargs["ticket_id"] = value
    elif route.method == "GET":
        kwargs["query"] = value
    else:
        kwargs["body"] = value

    flask = caller.flask(route, user.jwt, **kwargs)
    direct = caller.direct(route, user.jwt, **kwargs)

    assert flask.status_code == 400, flask.text
    assert_same_answer(flask, direct)
    if field:
        assert field in flask.json()["message"]
    assert caller.flask(ROUTES[3], user.jwt).json()["total"] == 0  # nothing stored


@pytest.mark.parametrize(
    ("route_name", "limit"), [("report-bug", 5), ("create-ticket", 5), ("feedback", 10)]
)
def test_rate_limit_refusal_is_relayed_with_retry_after(make_user, caller, route_name, limit):
    user = make_user()
    route = next(route for route in ROUTES if route.name == route_name)
    for _ in range(limit):
        assert caller.flask(route, user.jwt).status_code == 200
    flask = caller.flask(route, user.jwt)
    direct = caller.direct(route, user.jwt)
    assert flask.status_code == direct.status_code == 429
    assert int(flask.headers["Retry-After"]) > 0
    assert abs(int(flask.headers["Retry-After"]) - int(direct.headers["Retry-After"])) <= 2
    assert flask.json().keys() == ERROR_KEYS
    assert {k: flask.json()[k] for k in ("code", "message", "hint")} == {
        k: direct.json()[k] for k in ("code", "message", "hint")
    }
    assert flask.headers["Retry-After"] in flask.json()["details"]


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_unknown_query_parameters_are_refused(make_user, caller, route):
    response = caller.flask(route, make_user().jwt, str(uuid.uuid4()), query={"sort": "asc"})
    assert response.status_code == 400
    assert response.json()["message"] == 'unknown query parameter "sort"'


def test_idempotency_key_is_forwarded(make_user, caller):
    user = make_user()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = caller.flask(ROUTES[0], user.jwt, headers=key)
    again = caller.flask(ROUTES[0], user.jwt, headers=key)
    other_body = caller.flask(ROUTES[0], user.jwt, headers=key, body={"description": "else"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert other_body.status_code == 422
    assert caller.flask(ROUTES[3], user.jwt).json()["total"] == 1
    bad_key = caller.flask(ROUTES[0], user.jwt, headers={"Idempotency-Key": "nope"})
    assert bad_key.status_code == 400


# Transport checks of the Flask layer: a clear 4xx in the error shape, never a 500.
@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"", "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b'{"description": NaN}', "application/json", 400),
        (b'{"description": "\\ud800"}', "application/json", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b'{"description": "d"}', "text/plain", 415),
        (b'{"description": "d"}', None, 415),
        (b"description=d", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_requests_get_a_clear_4xx(
    stack, make_user, caller, content, content_type, status
):
    headers = {"Authorization": f"Bearer {make_user().jwt}"}
    if content_type:
        headers["Content-Type"] = content_type
    response = caller.http.post(
        stack.api_url + "/support/report-bug", content=content, headers=headers
    )
    assert response.status_code == status
    assert response.json().keys() == ERROR_KEYS


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Authorization": "Bearer \u00e9t\u00e9"}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "Bearer"}, 401),
        ({"Idempotency-Key": "cl\u00e9"}, 400),
    ],
)
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_odd_headers_get_a_clear_4xx(make_user, route, headers, status, caller):
    user = make_user()
    sent = {"Authorization": f"Bearer {user.jwt}", **headers}
    # httpx sends header values as UTF-8 bytes, as a careless client would.
    sent = {name: value.encode() for name, value in sent.items()}
    response = caller.http.request(
        route.method,
        caller.stack.api_url + route.path.format(ticket_id=uuid.uuid4()),
        json=route.body if route.method == "POST" else None,
        headers=sent,
    )
    assert response.status_code == status, response.text
    assert response.json().keys() == ERROR_KEYS


def test_body_over_the_size_limit_gets_413_in_the_error_shape(stack, make_user, caller):
    big = b'{"description": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = caller.http.post(
        stack.api_url + "/support/report-bug",
        content=big,
        headers={"Authorization": f"Bearer {make_user().jwt}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json().keys() == ERROR_KEYS


def _settings(stack, **overrides: Any) -> Settings:
    values = dict(
        env="local",
        supabase_url=stack.gateway_url,
        postgrest_url=stack.rest_url,
        jwt_secret=stack.jwt_secret,
        anon_key=stack.anon_key,
    )
    return Settings(**{**values, **overrides})


def test_the_app_itself_caps_the_body_size(stack, make_user):
    # Behind the gateway nginx refuses first; the app enforces its own cap as well.
    client = create_app(_settings(stack, max_body_bytes=64)).test_client()
    response = client.post(
        "/api/support/report-bug",
        json={"description": "x" * 100},
        headers={"Authorization": f"Bearer {make_user().jwt}"},
    )
    assert response.status_code == 413
    assert response.json.keys() == ERROR_KEYS


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def _closed_port_url() -> str:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("upstream", ["refused", "silent"])
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_postgrest_unreachable_is_503_not_500_nor_a_hang(
    stack, make_user, silent_server, upstream, route
):
    url = _closed_port_url() if upstream == "refused" else silent_server
    client = create_app(_settings(stack, postgrest_url=url, upstream_timeout=1)).test_client()
    started = time.monotonic()
    response = client.open(
        "/api" + route.path.format(ticket_id=uuid.uuid4()),
        method=route.method,
        json=route.body if route.method == "POST" else None,
        headers={"Authorization": f"Bearer {make_user().jwt}"},
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json.keys() == ERROR_KEYS
    assert response.headers["Retry-After"]


def test_access_log_has_route_status_and_request_id_but_no_content(stack, make_user, caller):
    if stack.log_dir is None:
        pytest.skip("the external stack's logs are not readable here")
    user = make_user()
    marker = f"secret-ticket-content-{uuid.uuid4()}"
    created = caller.flask(ROUTES[0], user.jwt, body={"description": marker})
    caller.flask(ROUTES[4], user.jwt, created.json()["ticket_id"])
    request_id = created.headers["X-Request-Id"]

    log = (stack.log_dir / "flask.log").read_text()
    for text in (marker, user.jwt, created.json()["ticket_id"], user.id):
        assert text not in log
    line = next(line for line in log.splitlines() if request_id in line)
    assert '"route": "/api/support/report-bug"' in line
    assert '"status": 200' in line
    assert '"method": "POST"' in line
    assert "/api/support/tickets/<ticket_id>" in log


def test_one_connection_pool_per_process_is_reused(stack, make_user):
    app = create_app(_settings(stack))
    client, user = app.test_client(), make_user()
    with app.app_context():
        pool = get_postgrest()._pool
    connections = set()
    for _ in range(3):
        response = client.get(
            "/api/support/tickets", headers={"Authorization": f"Bearer {user.jwt}"}
        )
        assert response.json == {"tickets": [], "total": 0}
        assert len(pool._idle) == 1
        connections.add(id(pool._idle[0][0]))
    assert len(connections) == 1
