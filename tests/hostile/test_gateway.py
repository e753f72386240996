"""The gateway passes long but legal requests, answers its own refusals in the error shape, logs
route templates only, and lets browsers read Retry-After on both paths.
"""

from __future__ import annotations

import socket
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from hostile_support import MARKER, assert_clear_error, headers_for, log_files_containing

from support_dev.stack.gateway_policy import MAX_HEADER_LINE

ORIGIN = "https://app.example"


# The gateway under test is the local stack's nginx.
pytestmark = pytest.mark.local_stack


def ids_query(count: int) -> str:
    """What supabase-js sends for `.in('id', ids)`: a filter with `count` UUIDs."""
    return "select=id&id=in.(" + ",".join(str(uuid.uuid4()) for _ in range(count)) + ")"


def request_line_length(path_and_query: str) -> int:
    return len(f"GET {path_and_query} HTTP/1.1\r\n")


def raw_exchange(stack, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends `data` as it is on a new connection; the status, headers and body of the answer."""
    address = urlsplit(stack.gateway_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def test_a_query_string_up_to_the_limit_is_served_whole(stack, make_user):
    user = make_user()
    count = 1
    # The most ids that fit, as supabase-js would send them.
    while request_line_length(f"/rest/v1/support_tickets?{ids_query(count + 1)}") < MAX_HEADER_LINE:
        count += 1
    query = ids_query(count)
    assert request_line_length(f"/rest/v1/support_tickets?{query}") > MAX_HEADER_LINE - 40
    answer = httpx.get(f"{stack.rest_url}/support_tickets?{query}",
                       headers=headers_for(stack, user.jwt, "rest"), timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json() == []
    assert "Retry-After" not in answer.headers


@pytest.mark.parametrize("path", ["/rest/v1/support_tickets", "/api/support/tickets"])
def test_a_url_beyond_the_limit_gets_414_in_the_error_shape(stack, make_user, path):
    user = make_user()
    query = "select=id&id=in.(" + MARKER + "," * MAX_HEADER_LINE + ")"
    via = "rest" if path.startswith("/rest/") else "flask"
    answer = httpx.get(f"{stack.gateway_url}{path}?{query}",
                       headers=headers_for(stack, user.jwt, via), timeout=10)
    assert_clear_error(answer, {414})
    assert answer.json()["code"] == "GATEWAY414"
    assert MARKER not in answer.text


def test_a_header_beyond_the_limit_gets_431_in_the_error_shape(stack):
    answer = httpx.get(f"{stack.rest_url}/support_tickets",
                       headers={"X-Client-Info": MARKER + "x" * MAX_HEADER_LINE}, timeout=10)
    assert_clear_error(answer, {431})
    assert answer.json()["code"] == "GATEWAY431"
    assert MARKER not in answer.text


@pytest.mark.parametrize("path", ["/rest/v1/rpc/report_bug", "/api/support/report-bug"])
@pytest.mark.parametrize(
    ("framing", "status"),
    [
        (b"Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n", 400),
        (b"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501),
        (b"Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}", 400),
    ],
    ids=["bad-chunk-size", "unknown-coding", "two-lengths"],
)
def test_broken_http_framing_gets_the_error_shape(stack, path, framing, status):
    request = (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
               "Content-Type: application/json\r\n").encode() + framing
    got, headers, body = raw_exchange(stack, request)
    assert got == status, body
    assert headers["content-type"].startswith("application/json")
    assert httpx.Response(got, content=body).json()["code"] == f"GATEWAY{status}"


@pytest.mark.parametrize("path", ["/rest/v1/support_tickets?select=id", "/api/support/tickets"])
def test_browsers_may_read_retry_after_on_both_paths(stack, make_user, path):
    user = make_user()
    via = "rest" if path.startswith("/rest/") else "flask"
    with httpx.Client(timeout=10) as http:
        preflight = http.options(stack.gateway_url + path, headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        answer = http.get(stack.gateway_url + path,
                          headers={**headers_for(stack, user.jwt, via), "Origin": ORIGIN})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {name.strip().lower()
               for name in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "x-request-id"} <= exposed


def test_no_answer_without_an_origin_carries_cors_headers_of_the_flask_layer(stack, make_user):
    answer = httpx.get(f"{stack.api_url}/support/tickets",
                       headers=headers_for(stack, make_user().jwt, "flask"), timeout=10)
    assert answer.status_code == 200
    assert "Access-Control-Allow-Origin" not in answer.headers


# Paths that carry the marker: the access log must name their route, never them.
MARKED_PATHS = [
    f"/rest/v1/{MARKER}",
    f"/rest/v1/rpc/{MARKER}",
    f"/api/support/tickets/{MARKER}",
    f"/api/{MARKER}",
    f"/{MARKER}",
    f"/__gateway_error/{MARKER}",
]


def test_the_access_log_names_routes_never_the_paths_callers_wrote(stack, make_user):
    user = make_user()
    with httpx.Client(timeout=10) as http:
        for path in MARKED_PATHS:
            via = "rest" if path.startswith("/rest/") else "flask"
            answer = http.get(stack.gateway_url + path, headers=headers_for(stack, user.jwt, via))
            assert_clear_error(answer, {400, 401, 404})
        time.sleep(1)  # nginx writes its access log as each request ends; let it land
    assert log_files_containing(stack.log_dir, MARKER) == []
    lines = (stack.log_dir / "gateway-access.log").read_text().splitlines()
    routes = {line.split()[3] for line in lines[-len(MARKED_PATHS):]}
    assert routes == {"/rest/v1/{relation}", "/rest/v1/rpc/{function}",
                      "/api/support/tickets/<ticket_id>", "/api/{unknown}", "/{other}"}
