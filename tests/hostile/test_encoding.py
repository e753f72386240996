"""Bytes that are not UTF-8 outside the body: in a header value or in the query string.

HTTP allows any byte above 0x7F in a header value, and a percent-escape in a query string may
decode to one; a careless or hostile client sends Latin-1 (`café` as 63 61 66 E9). The answer
must be a clear 4xx in the error shape or the request served as if the odd part were not
there, never a 5xx, and a create is then stored once or not at all.

(Schemathesis found the first of these: `Range: é`, sent by requests as Latin-1. PostgREST
12.0.2 answered it with a text/plain 500; the gateway now refuses such requests first,
support_dev/stack/gateway_text.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from hostile_support import BY_RPC, assert_clear_error, count_rows, headers_for

LATIN1_CAFE = "café".encode("latin-1")


@dataclass(frozen=True)
class Oddity:
    name: str
    header: tuple[str, bytes] | None = None  # sent on a create
    query: str | None = None  # raw, percent-escaped, sent on the list of one's tickets


ODDITIES = [
    # What supabase-js and supabase-py send with every request.
    Oddity("x-client-info", header=("X-Client-Info", LATIN1_CAFE)),
    Oddity("user-agent", header=("User-Agent", LATIN1_CAFE)),
    Oddity("prefer", header=("Prefer", LATIN1_CAFE)),
    Oddity("range", header=("Range", LATIN1_CAFE)),
    Oddity("accept", header=("Accept", LATIN1_CAFE)),
    Oddity("idempotency-key", header=("Idempotency-Key", LATIN1_CAFE)),
    Oddity("query-value", query="status=%E9"),
    Oddity("query-name", query="%E9=open"),
]
CASES = [
    pytest.param(oddity, via, id=f"{oddity.name}-{via}")
    for oddity in ODDITIES for via in ("rest", "flask")
]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def send(http: httpx.Client, stack, token: str, oddity: Oddity, via: str) -> httpx.Response:
    headers: dict[str, str | bytes] = dict(headers_for(stack, token, via))
    if oddity.query is not None:
        path = "/rest/v1/rpc/list_my_tickets" if via == "rest" else "/api/support/tickets"
        return http.get(f"{stack.gateway_url}{path}?{oddity.query}", headers=headers)
    name, value = oddity.header
    headers[name] = value
    create = BY_RPC["report_bug"]
    return http.post(stack.gateway_url + create.path(via), json=create.body, headers=headers)


@pytest.mark.parametrize(("oddity", "via"), CASES)
def test_a_byte_that_is_not_utf8_outside_the_body_is_a_clear_4xx_or_ignored(
    stack, db, http, make_user, oddity, via
):
    user = make_user()
    response = send(http, stack, user.jwt, oddity, via)
    assert response.status_code < 500, (response.status_code, response.text)
    if response.is_success:
        assert response.headers["Content-Type"].startswith("application/json")
        assert count_rows(db, user.id) == (0 if oddity.query else 1)
    else:
        assert_clear_error(response)
        assert count_rows(db, user.id) == 0


@pytest.mark.parametrize("via", ["rest", "flask"])
def test_a_utf8_header_value_is_served(stack, db, http, make_user, via):
    user = make_user()
    utf8 = Oddity("x-client-info", header=("X-Client-Info", "café".encode()))
    response = send(http, stack, user.jwt, utf8, via)
    assert response.status_code == 200, response.text
    assert count_rows(db, user.id) == 1
