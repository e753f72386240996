"""After every other test (the `runs_last` marker; tests/conftest.py orders it): no log of the
stack holds the marker the hostile tests planted in request bodies and JWT claims.

This test plants it too where a body is not: query strings and headers, valid and refused,
through both paths (nginx logs paths without query strings; PostgREST logs server failures
only; the Flask layer logs the route rule, not the URL).
"""

from __future__ import annotations

import time

import httpx
import pytest
from hostile_support import MARKER, headers_for, log_files_containing

# Files whose accepted requests store the marker on the session's stack (test_jwt.py plants it
# too, in refused bodies and token claims, so it leaves no row to count).
BODY_PLANTERS = {"test_properties.py", "test_concurrency.py"}
# (method, gateway path, query, extra headers): each carries the marker outside any body.
OUTSIDE_THE_BODY = [
    ("GET", "/rest/v1/support_tickets", {"select": "id", "description": f"eq.{MARKER}"}, {}),
    ("GET", "/rest/v1/rpc/list_my_tickets", {"status": MARKER}, {}),
    ("POST", "/rest/v1/rpc/report_bug", {}, {"Idempotency-Key": MARKER}),
    ("GET", "/api/support/tickets", {"status": MARKER}, {}),
    ("GET", "/api/support/tickets", {MARKER: "1"}, {}),
    ("POST", "/api/support/report-bug", {}, {"Idempotency-Key": MARKER}),
]


@pytest.mark.runs_last
def test_no_log_file_holds_what_the_hostile_requests_carried(request, stack, db, make_user):
    if stack.log_dir is None:
        pytest.skip("the stack's logs are not on this machine")
    user = make_user()
    with httpx.Client(timeout=30) as http:
        for method, path, query, extra in OUTSIDE_THE_BODY:
            via = "rest" if path.startswith("/rest/") else "flask"
            answer = http.request(
                method, stack.gateway_url + path, params=query,
                json={"description": "no marker here"} if method == "POST" else None,
                headers={**headers_for(stack, user.jwt, via), **extra},
            )
            assert answer.status_code in {200, 400}, (path, answer.text)
    planted = db.execute(
        "select (select count(*) from public.support_tickets where description like %(m)s)"
        " + (select count(*) from public.user_feedback where description like %(m)s)",
        {"m": f"%{MARKER}%"},
    ).fetchone()[0]
    others = {item.path.name for item in request.session.items} & BODY_PLANTERS
    if others:  # the marker must really have gone through the stack, or this proves nothing
        assert planted > 0, f"{sorted(others)} ran, yet no row carries the marker"

    time.sleep(1)  # let the servers write their lines
    assert log_files_containing(stack.log_dir, MARKER) == []
