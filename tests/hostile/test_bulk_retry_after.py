"""A refused bulk insert says truthfully when, if ever, a retry can pass.

The rows a refused request inserted before the refusal are rolled back with it, so they cannot
date a retry: a fresh user's six bug reports in one request get no Retry-After (no wait makes
six fit a limit of five), and a request refused because of rows stored earlier gets the time
the oldest of those leaves the hour.
"""

from __future__ import annotations

import httpx
from hostile_support import assert_clear_error, count_rows, headers_for

BUG = {"ticket_type": "bug", "description": "The calendar is a day off."}


def limit_of(db, kind: str) -> int:
    return db.execute("select max_per_hour from public.rate_limits where kind = %s",
                      (kind,)).fetchone()[0]


def bulk_insert(stack, token: str, rows: list[dict]) -> httpx.Response:
    return httpx.post(f"{stack.rest_url}/support_tickets", json=rows,
                      headers={**headers_for(stack, token, "rest"), "Prefer": "return=minimal"},
                      timeout=10)


def test_a_bulk_insert_larger_than_the_limit_gets_no_retry_after(stack, db, make_user):
    user, limit = make_user(), limit_of(db, "bug_report")
    answer = bulk_insert(stack, user.jwt, [BUG] * (limit + 1))
    assert_clear_error(answer, {429})
    assert "Retry-After" not in answer.headers
    assert answer.json()["code"] == "P0429"
    assert answer.json()["details"] == (
        f"This request alone creates more than {limit}: send at most {limit} at a time.")
    assert count_rows(db, user.id) == 0


def test_a_bulk_insert_refused_for_rows_stored_earlier_waits_for_those(stack, db, make_user):
    user, limit = make_user(), limit_of(db, "bug_report")
    # Stored 30 minutes ago, as an admin (the trigger does not limit admins).
    db.execute("insert into public.support_tickets (user_id, ticket_type, subject, description,"
               " created_at) values (%s, 'bug', 'earlier', 'earlier', now() - interval '30 min')",
               (user.id,))
    assert bulk_insert(stack, user.jwt, [BUG] * (limit - 1)).status_code == 201
    answer = bulk_insert(stack, user.jwt, [BUG] * 2)
    assert_clear_error(answer, {429})
    seconds = int(answer.headers["Retry-After"])
    assert 1790 <= seconds <= 1800  # the row of 30 minutes ago leaves the hour in 30 minutes
    assert answer.json()["details"] == f"Try again in {seconds} seconds."
    assert count_rows(db, user.id) == limit
