"""What the hostile tests (tests/hostile/) share; this module holds no test.

MARKER is planted in the content of the hostile requests (bodies, query strings, JWT claims);
tests/hostile/test_logs.py, which runs after every other test (marker `runs_last`), checks
that no log file of the stack contains it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from contract import ERROR_KEYS

# Unique per test session: a hit in a log file can only come from this run.
MARKER = f"hostile-{uuid.uuid4().hex}"

PATHS = ("rest", "flask")


@dataclass(frozen=True)
class Create:
    """One create operation, reachable through PostgREST and through the Flask layer."""

    rpc: str
    route: str
    table: str
    kind: str  # its row in public.rate_limits
    id_key: str  # the answer's key holding the new row's id
    body: dict[str, Any]  # a valid body

    def path(self, via: str) -> str:
        return f"/rest/v1/rpc/{self.rpc}" if via == "rest" else f"/api/support/{self.route}"


CREATES = [
    Create(
        "report_bug",
        "report-bug",
        "support_tickets",
        "bug_report",
        "ticket_id",
        {"description": f"{MARKER} the calendar is a day off"},
    ),
    Create(
        "submit_feedback",
        "feedback",
        "user_feedback",
        "feedback",
        "feedback_id",
        {"category": "praise", "description": f"{MARKER} lovely"},
    ),
    Create(
        "create_support_ticket",
        "tickets",
        "support_tickets",
        "support_ticket",
        "ticket_id",
        {"ticket_type": "billing", "subject": MARKER, "description": f"{MARKER} charged twice"},
    ),
]
BY_RPC = {create.rpc: create for create in CREATES}


def headers_for(stack: Any, token: str | None, via: str) -> dict[str, str]:
    """What an app sends: PostgREST wants the project's apikey too, the Flask layer does not."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if via == "rest":
        headers["apikey"] = stack.anon_key
    return headers


def post_json_text(
    http: httpx.Client, stack: Any, path: str, token: str | None, text: bytes, via: str
) -> httpx.Response:
    """POST `text` as it is: the raw JSON may hold what no JSON library writes (duplicate keys)."""
    headers = {**headers_for(stack, token, via), "Content-Type": "application/json"}
    return http.post(stack.gateway_url + path, content=text, headers=headers)


def assert_clear_error(response: httpx.Response, statuses: set[int] | None = None) -> None:
    """A refusal a client can act on: a 4xx in PostgREST's error shape with a message."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if statuses is not None:
        assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    error = response.json()
    assert set(error) == ERROR_KEYS, error
    assert isinstance(error["message"], str) and error["message"].strip(), error


def count_rows(db: psycopg.Connection, user_id: str) -> int:
    """Everything the user has filed, tickets and feedback (read as an admin)."""
    return db.execute(
        "select (select count(*) from public.support_tickets where user_id = %(u)s)"
        " + (select count(*) from public.user_feedback where user_id = %(u)s)",
        {"u": user_id},
    ).fetchone()[0]


@contextmanager
def raised_rate_limits(db: psycopg.Connection, max_per_hour: int = 1_000_000) -> Iterator[None]:
    """Lifts every rate limit for a while, then puts the admin's values back, whatever happens."""
    saved = db.execute("select kind, max_per_hour from public.rate_limits").fetchall()
    db.execute("update public.rate_limits set max_per_hour = %s", (max_per_hour,))
    try:
        yield
    finally:
        for kind, limit in saved:
            db.execute(
                "update public.rate_limits set max_per_hour = %s where kind = %s", (limit, kind)
            )


@contextmanager
def raised_request_limits(db: psycopg.Connection, slots: int = 1000) -> Iterator[None]:
    """Lifts the per-user concurrency slots (public.request_limits) for a while, for tests of
    other limits under a burst, then puts the admin's values back, whatever happens."""
    saved = db.execute("select role, max_concurrent_reads, max_concurrent_writes "
                       "from public.request_limits").fetchall()
    db.execute("update public.request_limits set max_concurrent_reads = %(n)s, "
               "max_concurrent_writes = %(n)s", {"n": slots})
    try:
        yield
    finally:
        for role, reads, writes in saved:
            db.execute("update public.request_limits set max_concurrent_reads = %s, "
                       "max_concurrent_writes = %s where role = %s", (reads, writes, role))


def log_files_containing(log_dir: Path, needle: str) -> list[str]:
    """The stack's log files that contain `needle` (there must be log files to look at)."""
    logs = [path for path in Path(log_dir).rglob("*") if path.is_file()]
    assert logs, f"no log files under {log_dir}"
    return [str(path) for path in logs if needle.encode() in path.read_bytes()]
