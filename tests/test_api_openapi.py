"""The OpenAPI document of the Flask routes stays true, and the API reference stays current.

- real responses of every route, for each documented outcome, validate against the document;
- schemathesis generates requests from the document and finds no 5xx and no response that
  breaks it;
- docs/api-reference.md is what `python -m support_dev.apidocs` renders from the document and
  from PostgREST's OpenAPI output, and its curl examples work as printed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

from support_api.openapi import openapi_document
from support_dev import apidocs
from support_runtime.tokens import LOCAL_JWT_SECRET, mint_jwt
from support_runtime.unsubscribe_tokens import sign, sign_unfollow, verify, verify_unfollow

DOC = openapi_document()


def operation(method: str, path: str) -> dict[str, Any]:
    return DOC["paths"][path][method.lower()]


def validate(method: str, path: str, response: httpx.Response) -> None:
    """The response's status is documented and its body and headers match the document."""
    responses = operation(method, path)["responses"]
    documented = responses.get(str(response.status_code)) or responses.get("default")
    assert documented, f"{method} {path} answered an undocumented {response.status_code}"
    media = response.headers["Content-Type"].split(";")[0]
    assert media in documented["content"], f"{method} {path} answered {media}"
    if media in ("text/html", "text/csv"):
        return
    schema = documented["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": DOC["components"]}).validate(response.json())
    for header in documented.get("headers", {}):
        assert header in response.headers, f"{header} missing from {response.status_code}"


def test_document_schemas_are_valid_json_schema():
    assert DOC["openapi"].startswith("3.1")
    for schema in DOC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_served_document_is_the_committed_one(stack):
    response = httpx.get(f"{stack.api_url}/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOC


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


USER_PATHS = {
    "report-bug": ("POST", "/api/support/report-bug", {"description": "Dates are off"}),
    "feedback": ("POST", "/api/support/feedback", {"category": "praise", "description": "Nice"}),
    "create-ticket": (
        "POST",
        "/api/support/tickets",
        {"ticket_type": "account", "subject": "Locked out", "description": "Cannot sign in"},
    ),
    "list-tickets": ("GET", "/api/support/tickets", None),
    "get-ticket": ("GET", "/api/support/tickets/{ticket_id}", None),
}
# The documented outcomes each route is made to produce for real.
COMMON_OUTCOMES = ["ok", "invalid", "no_token", "bad_token"]
OUTCOMES = {
    "report-bug": [*COMMON_OUTCOMES, "rate_limited", "not_json"],
    "feedback": [*COMMON_OUTCOMES, "rate_limited", "not_json"],
    "create-ticket": [*COMMON_OUTCOMES, "rate_limited", "not_json"],
    "list-tickets": COMMON_OUTCOMES,
    "get-ticket": [*COMMON_OUTCOMES, "not_found"],
}


def _request(stack, http, user, route: str, outcome: str) -> httpx.Response:
    method, path, body = USER_PATHS[route]
    ticket_id = str(uuid.uuid4())
    if route == "get-ticket" and outcome == "ok":
        created = http.post(
            f"{stack.gateway_url}/api/support/report-bug",
            json={"description": "For the detail"},
            headers={"Authorization": f"Bearer {user.jwt}"},
        )
        ticket_id = created.json()["ticket_id"]
    headers = {"Authorization": f"Bearer {user.jwt}"}
    params: dict[str, str] = {}
    content: bytes | None = json.dumps(body).encode() if body is not None else None
    if outcome == "no_token":
        headers = {}
    elif outcome == "bad_token":
        headers = {"Authorization": "Bearer not.a.jwt"}
    elif outcome == "invalid":
        if method == "POST":
            content = json.dumps({**body, "unknown": 1}).encode()
        elif route == "list-tickets":
            params = {"limit": "-5"}
        else:
            ticket_id = "not-a-uuid"
    elif outcome == "not_json":
        content = b"{"
    elif outcome == "rate_limited":
        for _ in range(12):
            response = _send(stack, http, method, path, ticket_id, headers, params, content)
            if response.status_code == 429:
                return response
        raise AssertionError("never rate limited")
    return _send(stack, http, method, path, ticket_id, headers, params, content)


def _send(stack, http, method, path, ticket_id, headers, params, content) -> httpx.Response:
    if content is not None:
        headers = {**headers, "Content-Type": "application/json"}
    return http.request(
        method,
        stack.gateway_url + path.format(ticket_id=ticket_id),
        headers=headers,
        params=params,
        content=content,
    )


@pytest.mark.parametrize(
    ("route", "outcome"),
    [(route, outcome) for route, outcomes in OUTCOMES.items() for outcome in outcomes],
)
def test_real_client_route_responses_match_the_document(stack, http, make_user, route, outcome):
    response = _request(stack, http, make_user(), route, outcome)
    method, path, _ = USER_PATHS[route]
    validate(method, path, response)


@pytest.mark.parametrize(
    ("text", "token", "status"),
    [
        ("report bug: the calendar is off", "service", 200),
        ("report bug", "service", 200),
        ("my tickets", "service", 200),
        ("+1 track fitness goals", "service", 200),
        ("+1 zq nothing like it", "service", 200),
        ("hello", "service", 200),
        ("hello", "user", 401),
        (5, "service", 400),
    ],
)
def test_real_companion_responses_match_the_document(stack, http, make_user, text, token, status):
    user = make_user()
    bearer = stack.service_role_key if token == "service" else user.jwt
    response = http.post(
        f"{stack.api_url}/companion/messages",
        json={"user_id": user.id, "text": text},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    assert response.status_code == status
    validate("POST", "/api/companion/messages", response)


UNSUBSCRIBE = "/api/notifications/unsubscribe"
UNSUBSCRIBE_EXAMPLE = operation("GET", UNSUBSCRIBE)["parameters"][0]["example"]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "tampered"])
def test_real_unsubscribe_responses_match_the_document(stack, http, make_user, method, signed):
    token = sign(stack.jwt_secret, make_user().id, ["reply"])
    response = http.request(
        method,
        stack.gateway_url + UNSUBSCRIBE,
        params={"token": token if signed else "x" + token},
        content=b"List-Unsubscribe=One-Click" if method == "POST" else None,
        headers={"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {},
    )
    validate(method, UNSUBSCRIBE, response)
    if not signed:
        assert response.status_code == 400
        assert response.json()["message"] == "The unsubscribe link is not valid"
        assert token not in response.text
    elif method == "GET":
        assert response.status_code == 200 and "Stop these emails?" in response.text
    else:
        assert response.status_code == 200 and response.json() == {"unsubscribed": ["reply"]}


def test_the_unsubscribe_example_is_a_link_for_the_example_user():
    assert verify(LOCAL_JWT_SECRET, UNSUBSCRIBE_EXAMPLE) == (apidocs.EXAMPLE_USER_ID, ["reply"])


UNFOLLOW = "/api/notifications/unfollow"
UNFOLLOW_EXAMPLE = operation("GET", UNFOLLOW)["parameters"][0]["example"]
SEED_POST_ID = "5eedb0a0-0000-4000-8000-000000000001"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "tampered"])
def test_real_unfollow_responses_match_the_document(stack, http, make_user, method, signed):
    token = sign_unfollow(stack.jwt_secret, make_user().id, SEED_POST_ID)
    response = http.request(
        method,
        stack.gateway_url + UNFOLLOW,
        params={"token": token if signed else "x" + token},
        content=b"List-Unsubscribe=One-Click" if method == "POST" else None,
        headers={"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {},
    )
    validate(method, UNFOLLOW, response)
    if not signed:
        assert response.status_code == 400
        assert response.json()["message"] == "The unfollow link is not valid"
        assert token not in response.text
    elif method == "GET":
        assert response.status_code == 200 and "Stop news of this post?" in response.text
    else:
        assert response.status_code == 200
        assert response.json() == {"post_id": SEED_POST_ID, "following": False}


def test_the_unfollow_example_is_a_link_for_the_example_user_and_a_seed_post():
    assert verify_unfollow(LOCAL_JWT_SECRET, UNFOLLOW_EXAMPLE) == (
        apidocs.EXAMPLE_USER_ID, SEED_POST_ID)


@pytest.mark.parametrize("path", ["/api/staff/tickets.csv", "/api/staff/feedback.csv"])
def test_real_export_responses_match_the_document(stack, http, db, make_user, path):
    agent, user = make_user(), make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name) "
               "values (%s, 'agent', 'Documented Agent')", (agent.id,))
    url = stack.gateway_url + path
    window = {"created_from": "2031-12-01", "created_to": "2031-12-02"}
    for token, params, status in [
        (agent.jwt, window, 200),
        (user.jwt, window, 403),
        (None, window, 401),
        (agent.jwt, {"page": "2"}, 400),
        (agent.jwt, {"created_from": "soon"}, 400),
    ]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = http.get(url, params=params, headers=headers)
        assert response.status_code == status, response.text
        validate("GET", path, response)


def test_health_matches_the_document(stack, http):
    validate("GET", "/api/health", http.get(f"{stack.api_url}/health"))


@pytest.fixture(scope="module")
def fuzz_user(make_user):
    return make_user()


# The committed document needs no server to load; requests go to the test stack (base_url).
schema = schemathesis.openapi.from_dict(openapi_document())


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_generated_requests_get_no_5xx_and_documented_answers(case, stack, fuzz_user):
    service = case.operation.path.startswith("/api/companion/")
    token = stack.service_role_key if service else fuzz_user.jwt
    headers = {"Authorization": f"Bearer {token}"}
    case.call_and_validate(
        base_url=stack.gateway_url,
        headers=headers,
        # The document states no field rule (the database owns them), so a body that is
        # valid for the document may still be refused with 400: that is not a failure.
        # nginx (the gateway, not this layer) answers TRACE itself with an HTML 405 and no
        # Allow header; the Flask layer's own 405s are tested below.
        excluded_checks=[positive_data_acceptance, unsupported_method],
        additional_checks=[not_a_server_error],
    )


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/support/report-bug", "/api/companion/messages"])
def test_undeclared_methods_get_405_with_allow(stack, http, method, path):
    response = http.request(method, stack.gateway_url + path)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.json().keys() == {"code", "message", "details", "hint"}


def test_api_reference_is_current(stack):
    postgrest = apidocs.fetch_postgrest_openapi(stack.rest_url, stack.jwt_secret)
    rendered = apidocs.render(openapi_document(), postgrest)
    committed = apidocs.REFERENCE.read_text()
    assert rendered == committed, "docs/api-reference.md is stale: run python -m support_dev.docs"


# The functions of schema public that the project made (not an extension's).
PUBLIC_FUNCTIONS = """
    select p.proname from pg_proc p
    where p.pronamespace = 'public'::regnamespace
      and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
"""


def test_every_public_function_is_documented_or_its_omission_stated(db):
    functions = [name for (name,) in db.execute(PUBLIC_FUNCTIONS)]
    assert len(functions) > len(apidocs.RPCS) + len(apidocs.STAFF_RPCS)
    assert apidocs.unaccounted(functions, apidocs.REFERENCE.read_text()) == [], (
        "document each (a comment on the function, then python -m support_dev.apidocs) or add "
        "it to apidocs.OMITTED with the reason"
    )


def test_a_function_neither_documented_nor_omitted_or_both_is_found():
    reference = apidocs.REFERENCE.read_text()
    functions = ["report_bug", "support_decide_suggestion", "custom_access_token_hook"]
    assert apidocs.unaccounted(functions, reference) == []
    assert apidocs.unaccounted([*functions, "support_new_thing"], reference) == [
        "support_new_thing"]
    both = reference + "\n- `report_bug`: no longer an RPC.\n"
    assert apidocs.unaccounted(functions, both) == ["report_bug"]


def _shell_blocks(markdown: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", markdown, flags=re.DOTALL)


def _setup_for(setup: str, stack, user) -> str:
    """The printed setup, pointed at this test's stack and a user of its own."""
    setup = re.sub(r"^API=.*$", f"API={stack.gateway_url}", setup, flags=re.MULTILINE)
    setup = re.sub(r"^USER_ID=.*$", f"USER_ID={user.id}", setup, flags=re.MULTILINE)
    setup = re.sub(r"^USER_JWT=.*$", f"USER_JWT={user.jwt}", setup, flags=re.MULTILINE)
    agent_jwt = mint_jwt(stack.jwt_secret, sub=apidocs.SEED_AGENT_ID)
    setup = re.sub(r"^AGENT_JWT=.*$", f"AGENT_JWT={agent_jwt}", setup, flags=re.MULTILINE)
    if stack.log_dir is None:  # an external stack has keys of its own
        setup += f"\nANON_KEY={stack.anon_key}\nSERVICE_ROLE_KEY={stack.service_role_key}\n"
    return setup


def test_curl_examples_work_as_printed(stack, make_user):
    blocks = _shell_blocks(apidocs.REFERENCE.read_text())
    setup, examples = blocks[0], blocks[1:]
    if stack.log_dir is not None:  # the local stack: the keys are the ones printed
        assert stack.anon_key in setup and stack.service_role_key in setup
    ticket = next(block for block in examples if block.startswith("TICKET_ID="))
    # The companion examples are one conversation: one user for all of them.
    companion_user = make_user()
    for block in examples:
        if block.startswith("TICKET_ID="):
            continue
        user = companion_user if "/api/companion/" in block else make_user()
        # The printed link is the example user's on the local stack; this one is the user's.
        block = block.replace(UNSUBSCRIBE_EXAMPLE, sign(stack.jwt_secret, user.id, ["reply"]))
        block = block.replace(UNFOLLOW_EXAMPLE,
                              sign_unfollow(stack.jwt_secret, user.id, SEED_POST_ID))
        script = "\n".join(
            ["set -euo pipefail", _setup_for(setup, stack, user)]
            + ([ticket] if "$TICKET_ID" in block else [])
            + [block]
        )
        result = subprocess.run(
            ["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, (block, result.stderr)
        if result.stdout.startswith("<!doctype html>"):  # a link's page, for a browser
            assert ("Stop these emails?" in result.stdout
                    or "Stop news of this post?" in result.stdout), block
            continue
        if ".csv?" in block:  # an export: a header row of the columns' labels, then rows
            header = next(csv.reader(io.StringIO(result.stdout)))
            assert len(header) > 1 and not result.stdout.startswith("{"), (block, header)
            continue
        answer = json.loads(result.stdout)
        # A list answers a listing (the board's posts); an error is always an object.
        assert isinstance(answer, list) or not {"code", "message", "details", "hint"} <= set(
            answer), (block, answer)
        if "/api/companion/" in block:
            assert answer["result"]["action"] in {"created", "asked", "listed", "offered"}, answer
