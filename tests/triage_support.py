"""What the triage tests share: waiting for the stack's support-triage worker, and shadow mode
turned off for the length of a test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

# The worker polls every 2 s; a loaded machine (the suite runs beside other work) needs more.
SUGGESTION_TIMEOUT = 90.0


def suggestion_fields(db: psycopg.Connection, kind: str, item_id: str) -> set[str]:
    column = "ticket_id" if kind == "ticket" else "feedback_id"
    rows = db.execute(
        f"select field from public.triage_suggestions where {column} = %s", (item_id,)
    ).fetchall()
    return {row[0] for row in rows}


def wait_for_suggestions(db: psycopg.Connection, items: list[tuple[str, str]]) -> None:
    """Returns once the stack's worker has suggested for every (kind, id), off the request path."""
    deadline = time.monotonic() + SUGGESTION_TIMEOUT
    while not all(suggestion_fields(db, *item) for item in items):
        assert time.monotonic() < deadline, "the triage worker suggested nothing in time"
        time.sleep(0.5)


@contextmanager
def shadow_mode_off(db: psycopg.Connection) -> Iterator[None]:
    db.execute("update public.triage_settings set shadow_mode = false")
    try:
        yield
    finally:
        db.execute("update public.triage_settings set shadow_mode = true")
