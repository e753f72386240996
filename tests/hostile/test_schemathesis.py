"""Schemathesis against both OpenAPI documents, with real JWTs: no 5xx, ever.

- PostgREST's own Swagger 2.0 document (as a signed-in user sees it): the five RPCs, GET and
  POST, and the two tables, GET and POST. It documents only "200 OK", so the one rule checked
  is that no generated request gets a 5xx; PostgREST's documented 4xx are fine.
- The Flask layer's document, a longer run than tests/test_api_openapi.py's (the same
  document, the same checks): no 5xx and no response that breaks the document.

Rate limits are lifted for the module, so generated creates reach the table constraints
instead of stopping at the sixth 429.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hostile_support import headers_for, raised_rate_limits
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

from support_api.openapi import openapi_document
from support_runtime.unsubscribe_tokens import sign

# The committed document needs no server to load; requests go to the test stack (base_url).
flask_schema = schemathesis.openapi.from_dict(openapi_document())
# Requests sent per document, checked by the last test of the module.
SENT: Counter[str] = Counter()
# Enough examples per operation that the two documents together get thousands of requests.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture(scope="module", autouse=True)
def no_rate_limits(db) -> Iterator[None]:
    with raised_rate_limits(db):
        yield


@pytest.fixture(scope="module")
def fuzzer(make_user) -> Any:
    return make_user()


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


@pytest.fixture(scope="module")
def postgrest_document(stack, fuzzer) -> BaseSchema:
    # The document lists what the caller may use: fetched as the user whose JWT calls it.
    answer = httpx.get(f"{stack.rest_url}/", headers=headers_for(stack, fuzzer.jwt, "rest"))
    assert answer.status_code == 200, answer.text
    return schemathesis.openapi.from_dict(answer.json())


UNSUBSCRIBE = "/api/notifications/unsubscribe"
RPCS = ["report_bug", "submit_feedback", "create_support_ticket", "list_my_tickets", "get_ticket"]
POSTGREST_OPERATIONS = [
    *[(method, f"/rpc/{name}") for name in RPCS for method in ("GET", "POST")],
    *[(method, f"/{table}") for table in ("support_tickets", "user_feedback")
      for method in ("GET", "POST")],
]


# schemathesis.pytest.from_fixture (a document known only once the stack runs) does not work
# with this pytest, so each operation's strategies are driven by Hypothesis directly.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), POSTGREST_OPERATIONS)
def test_postgrest_answers_generated_requests_without_a_server_error(
    stack, fuzzer, session, postgrest_document, method, path, mode
):
    operation = postgrest_document[path][method]

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Case) -> None:
        SENT["postgrest"] += 1
        # requests would send a non-ASCII header value as Latin-1, which PostgREST 12.0.2
        # answers with a 500 of its own (pinned in test_encoding.py); as UTF-8 it still
        # reaches PostgREST as a hostile value, and the run can look for other failures.
        as_utf8 = {name: value.encode() for name, value in (case.headers or {}).items()
                   if isinstance(value, str) and not value.isascii()}
        response = case.call(
            base_url=stack.rest_url,
            session=session,
            headers={**headers_for(stack, fuzzer.jwt, "rest"), **as_utf8},
            timeout=30,
        )
        case.validate_response(response, checks=[not_a_server_error])
        if response.status_code >= 400:
            # A refusal still says why, in PostgREST's shape.
            assert {"code", "message"} <= set(response.json()), response.text

    send()


@flask_schema.parametrize()
@FUZZ
def test_flask_layer_answers_generated_requests_as_documented_without_a_server_error(
    case, stack, fuzzer, session
):
    SENT["flask"] += 1
    service = case.operation.path.startswith("/api/companion/")
    token = stack.service_role_key if service else fuzzer.jwt
    if case.operation.path == UNSUBSCRIBE:
        SENT["unsubscribe"] += 1
        if SENT["unsubscribe"] % 2:
            # A generated token is never signed (a 400): every other link is the fuzzer's own,
            # so the rest of the generated request reaches the route and the database.
            case.query = {**(case.query or {}),
                          "token": sign(stack.jwt_secret, fuzzer.id, ["reply"])}
    response = case.call_and_validate(
        base_url=stack.gateway_url,
        session=session,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
        # As in test_api_openapi.py: the document states no field rule (a documented body may
        # still be a 400), and nginx answers TRACE itself.
        excluded_checks=[positive_data_acceptance, unsupported_method],
        additional_checks=[not_a_server_error],
    )
    submitted = (case.query or {}).get("token")
    if response.status_code >= 400 and isinstance(submitted, str) and len(submitted) >= 8:
        assert submitted not in response.text, "a refusal echoed the submitted token"


def test_the_generated_runs_sent_thousands_of_requests():
    if not SENT:
        pytest.skip("runs only after the generated tests of this module")
    assert SENT["postgrest"] + SENT["flask"] >= 2000, SENT
    assert min(SENT["postgrest"], SENT["flask"]) >= 500, SENT
