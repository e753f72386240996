"""The bulk loop: applies the chunks of bulk jobs (support_bulk_update, more than 50 tickets).

A chunk is a pgmq message of queue `bulk_actions`: {job_id, requested_by, tickets: [ids]}. Each
ticket is applied in its own transaction as the agent who asked (role `authenticated`, their
`request.jwt.claims`), through private.bulk_run_item, which applies only a pending ticket of
that agent's own job and records changed or refused in the same transaction. No lock is held
from one ticket to the next, so agents working the queue are never blocked for longer than one
ticket's change. The chunk is archived when all its tickets are done; a worker that dies in the
middle leaves the chunk to reappear after the visibility timeout, and the tickets done already
are skipped. The loop connects as role `support_bulk_worker` (docs/bulk-and-collisions.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
from psycopg.rows import dict_row

from support_runtime import service

QUEUE = "bulk_actions"
# A chunk of 100 tickets takes a few seconds; it reappears for another worker after this.
VISIBILITY_TIMEOUT = 300
LOCK_WAIT = "5s"

log = logging.getLogger("support_worker.bulk")


@dataclass(frozen=True)
class Chunk:
    msg_id: int
    job_id: str
    requested_by: str
    tickets: tuple[str, ...]


@dataclass(frozen=True)
class ChunkResult:
    changed: int = 0
    refused: int = 0
    skipped: int = 0


class BulkQueue:
    def __init__(self, db_url: str) -> None:
        self._connection = psycopg.connect(db_url, autocommit=True, row_factory=dict_row,
                                           application_name="support-worker-bulk")
        # Least privilege whatever the URL's user: the queue of chunks, and per ticket the
        # requesting agent's identity.
        self._connection.execute("set role support_bulk_worker")

    def close(self) -> None:
        self._connection.close()

    def read(self) -> Chunk | None:
        row = self._connection.execute(
            "select msg_id, message from pgmq.read(%s, %s, 1)", (QUEUE, VISIBILITY_TIMEOUT)
        ).fetchone()
        if row is None:
            return None
        message = row["message"]
        return Chunk(row["msg_id"], str(message["job_id"]), str(message["requested_by"]),
                     tuple(str(ticket) for ticket in message["tickets"]))

    def _as_agent(self, chunk: Chunk, statement: str, params: tuple[str, ...]) -> str | None:
        claims = json.dumps({"sub": chunk.requested_by, "role": "authenticated"})
        with self._connection.transaction():
            self._connection.execute("set local role authenticated")
            # The role's own timeouts apply at login, not to `set role`: one ticket waits at
            # most LOCK_WAIT for an agent's lock on it, then is refused (55P03), not blocked on.
            self._connection.execute(f"set local lock_timeout = '{LOCK_WAIT}'")
            self._connection.execute("set local statement_timeout = '30s'")
            self._connection.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
            row = self._connection.execute(statement, params).fetchone()
        return None if row is None else str(row["outcome"])

    def apply(self, chunk: Chunk, ticket_id: str) -> str:
        """One ticket in one transaction, as the requesting agent: changed, refused or skipped.
        A refusal is recorded by the database; an error that is not one (a statement timeout,
        a deadlock) rolls the ticket back and is recorded as its refusal, with its sqlstate."""
        try:
            outcome = self._as_agent(chunk, "select private.bulk_run_item(%s, %s) as outcome",
                                     (chunk.job_id, ticket_id))
        except psycopg.Error as error:
            if self._connection.closed or self._connection.broken:
                raise  # the database went away: the loop reconnects, the chunk comes back
            log.warning("bulk job %s: a ticket failed (%s)", chunk.job_id, error.sqlstate)
            self._as_agent(chunk, "select private.bulk_fail_item(%s, %s, %s) as outcome",
                           (chunk.job_id, ticket_id, error.sqlstate or "XX000"))
            return "refused"
        assert outcome is not None
        return outcome

    def archive(self, chunk: Chunk) -> None:
        self._connection.execute("select pgmq.archive(%s, %s::bigint[])", (QUEUE, [chunk.msg_id]))


def run_chunk(queue: BulkQueue, stopping: threading.Event | None = None) -> ChunkResult | None:
    """Reads one chunk and applies its tickets; None when the queue had nothing visible."""
    chunk = queue.read()
    if chunk is None:
        return None
    counts = {"changed": 0, "refused": 0, "skipped": 0}
    for ticket_id in chunk.tickets:
        if stopping is not None and stopping.is_set():
            # The rest comes back after the visibility timeout; done tickets are skipped then.
            return ChunkResult(**counts)
        counts[queue.apply(chunk, ticket_id)] += 1
    queue.archive(chunk)
    log.info("bulk job %s: a chunk of %d tickets applied (%d changed, %d refused)",
             chunk.job_id, len(chunk.tickets), counts["changed"], counts["refused"])
    return ChunkResult(**counts)


def run_until_empty(db_url: str) -> int:
    """Applies every visible chunk, then returns how many it applied (scripts and tests)."""
    queue = BulkQueue(db_url)
    try:
        done = 0
        while run_chunk(queue) is not None:
            done += 1
        return done
    finally:
        queue.close()


@contextlib.contextmanager
def bulk_session(db_url: str) -> Iterator[BulkQueue]:
    queue = BulkQueue(db_url)
    try:
        yield queue
    finally:
        with contextlib.suppress(psycopg.Error):
            queue.close()


def serve(db_url: str, stopping: threading.Event, poll_interval: float) -> None:
    """The bulk loop of support-worker, until `stopping` is set (its own thread).

    A ticket's own failure is recorded as its refusal (BulkQueue.apply), so any database error
    that reaches here is the session's (the database restarted, or reset and not yet migrated:
    no queue, no role): the loop opens a new session a little later, as after a lost
    connection, instead of ending the thread while the deliveries go on."""
    service.serve(
        lambda: bulk_session(db_url),
        lambda queue: run_chunk(queue, stopping) is not None,
        stopping, idle_wait=poll_interval, lost=psycopg.Error, log=log,
    )
