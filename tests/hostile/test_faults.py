"""Parts of the stack die in the middle of a load: PostgREST, then PostgreSQL (SIGKILL both).

On a stack of its own (the session's stack is not disturbed), one thread per user sends,
without pause, creates through PostgREST and through the Flask layer and a read whose query
string filters on content. The module's run kills PostgREST, waits until the stack serves
again, then kills the postmaster the same way; the tests below judge that one run:

- requests in flight fail cleanly: 502/503/504 with a JSON body in the error shape, never a
  500, never a hang (every request has an answer well within the client's timeout);
- every create answered 200 is in the database afterwards;
- the runner brings each killed part back by itself and the stack serves creates again;
- no log file of that stack holds the content of the requests.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from contract import ERROR_KEYS
from hostile_support import (
    CREATES,
    MARKER,
    PATHS,
    Create,
    headers_for,
    log_files_containing,
)

from support_dev.stack.launch import RunningStack, make_state_dir, start_stack, stop_stack
from support_runtime.tokens import mint_jwt

pytestmark = pytest.mark.local_stack

THREADS = 6
CLIENT_TIMEOUT = 10.0  # an answer later than this is a hang
BACK_WITHIN = 30.0  # seconds for a killed part to be restarted and serving again
KILLED = ("postgrest", "postgres")
# Content a client puts in a query string (a filter), apart from MARKER, which is in bodies.
QUERY_MARKER = f"query-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Request:
    via: str
    create: Create | None  # None: the read

    def send(self, http: httpx.Client, stack: RunningStack, token: str) -> httpx.Response:
        headers = headers_for(stack, token, self.via)
        if self.create is None:
            return http.get(f"{stack.gateway_url}/rest/v1/support_tickets",
                            params={"select": "id", "description": f"eq.{QUERY_MARKER}"},
                            headers=headers)
        return http.post(stack.gateway_url + self.create.path(self.via),
                         json=self.create.body, headers=headers)


# Creates of every kind on both paths, and the read, in turn.
CYCLE = [Request(PATHS[n % 2], CREATES[n % len(CREATES)]) for n in range(6)] + [
    Request("rest", None)
]


@dataclass(frozen=True)
class Outcome:
    phase: str
    request: Request
    status: int | None  # None: no HTTP answer at all
    error: str | None  # the exception's type when there was no answer
    seconds: float
    body: Any


def attempt(http: httpx.Client, stack: RunningStack, token: str, request: Request,
            phase: str) -> Outcome:
    started = time.monotonic()
    try:
        response = request.send(http, stack, token)
    except httpx.HTTPError as error:
        return Outcome(phase, request, None, type(error).__name__,
                       time.monotonic() - started, None)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return Outcome(phase, request, response.status_code, None, time.monotonic() - started, body)


class Load:
    """One thread per user sending the CYCLE without pause until stopped."""

    def __init__(self, stack: RunningStack, tokens: list[str]) -> None:
        self.stack = stack
        self.phase = "before the faults"
        self.outcomes: list[Outcome] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(token,)) for token in tokens]

    def run(self, token: str) -> None:
        sent = 0
        with httpx.Client(timeout=CLIENT_TIMEOUT) as http:
            while not self.stopping.is_set():
                request = CYCLE[sent % len(CYCLE)]
                sent += 1
                self.outcomes.append(attempt(http, self.stack, token, request, self.phase))

    def served(self, phase: str) -> bool:
        """Both paths have served the load in `phase` (as well as the probes)."""
        return {o.request.via for o in self.outcomes
                if o.phase == phase and o.status == 200} == set(PATHS)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(CLIENT_TIMEOUT * 2)


@dataclass
class FaultRun:
    stack: RunningStack
    outcomes: list[Outcome] = field(default_factory=list)
    back_after: dict[str, float] = field(default_factory=dict)  # part: seconds

    def summary(self) -> str:
        statuses = Counter((o.phase, o.request.via, o.status) for o in self.outcomes)
        return f"{statuses}; back after {self.back_after}"


def pids(stack: RunningStack) -> dict[str, int]:
    """The parts' pids as the runner last wrote them (it rewrites them after a restart)."""
    state_file = stack.state_dir / "run" / "stack.json"
    for _ in range(100):
        try:
            return json.loads(state_file.read_text())["pids"]
        except json.JSONDecodeError:
            # The runner rewrites the file in place: a read may catch it half written.
            time.sleep(0.01)
    raise AssertionError(f"{state_file} stays unreadable")


def serving_again(stack: RunningStack, token: str, part: str, killed_pid: int) -> float:
    """Seconds until the runner has replaced `part` and a create succeeds on both paths."""
    started = time.monotonic()
    pending = set(PATHS)
    with httpx.Client(timeout=5) as http:
        while pending and time.monotonic() - started < BACK_WITHIN:
            if pids(stack)[part] != killed_pid:
                for via in sorted(pending):
                    if attempt(http, stack, token, Request(via, CREATES[0]), "").status == 200:
                        pending.discard(via)
            time.sleep(0.2)
    assert not pending, f"{part} killed: no create succeeded through {pending} in {BACK_WITHIN}s"
    return time.monotonic() - started


@pytest.fixture(scope="module")
def run() -> Iterator[FaultRun]:
    state_dir = make_state_dir("sfa-faults-") / "stack"
    stack = start_stack(state_dir)
    try:
        with psycopg.connect(stack.db_url, autocommit=True) as db:
            # The load stands for many users; its few must not meet the rate limits. This
            # stack is the module's own: the limits need no restoring.
            db.execute("update public.rate_limits set max_per_hour = 1000000")
            users = [db.execute("insert into auth.users (id, email) values "
                                "(gen_random_uuid(), %s) returning id::text",
                                (f"fault-{n}@example.test",)).fetchone()[0]
                     for n in range(THREADS)]
        tokens = [mint_jwt(stack.jwt_secret, sub=user) for user in users]
        fault_run = FaultRun(stack)
        with Load(stack, tokens) as load:
            # Both paths serve before the first fault: a fixed pause was too short on a
            # loaded machine.
            deadline = time.monotonic() + BACK_WITHIN
            while time.monotonic() < deadline and not load.served("before the faults"):
                time.sleep(0.2)
            for part in KILLED:
                load.phase = f"{part} killed"
                killed_pid = pids(stack)[part]
                os.kill(killed_pid, signal.SIGKILL)
                fault_run.back_after[part] = serving_again(stack, tokens[0], part, killed_pid)
                time.sleep(1)
            load.phase = "after the faults"
            deadline = time.monotonic() + BACK_WITHIN
            while time.monotonic() < deadline and not load.served("after the faults"):
                time.sleep(0.2)
        fault_run.outcomes = load.outcomes
        time.sleep(1)  # let the servers write their lines
        yield fault_run
    finally:
        stop_stack(stack)
        if not os.environ.get("KEEP_STACK"):
            shutil.rmtree(state_dir.parent, ignore_errors=True)


def test_requests_met_by_a_fault_get_an_answer_in_the_error_shape_never_a_500(run):
    failed = [o for o in run.outcomes if o.status != 200]
    assert failed, f"no request met a fault: {run.summary()}"
    # The gateway never dies: every request gets an HTTP answer, never a dropped connection.
    assert [o for o in failed if o.status is None] == [], run.summary()
    for outcome in failed:
        assert outcome.status not in {500, 501, 505}, outcome
        assert isinstance(outcome.body, dict) and set(outcome.body) == ERROR_KEYS, outcome
    # Both paths met the faults, and reads too.
    assert {(o.request.via, o.request.create is None) for o in failed} == {
        ("rest", False), ("flask", False), ("rest", True)
    }, run.summary()


@pytest.mark.xfail(
    strict=False,  # seen in about one kill of PostgreSQL in two to four under this load
    reason="PostgREST 12.0.2 sometimes answers a request in flight when PostgreSQL dies with "
    '400 {"code":"","details":null,"hint":null,"message":""}: a client error, nothing to '
    "retry, no message (nothing is stored)",
)
def test_requests_met_by_a_fault_get_a_502_503_or_504_that_says_why(run):
    for outcome in run.outcomes:
        if outcome.status != 200:
            assert outcome.status in {502, 503, 504}, outcome
            assert outcome.body["code"] and outcome.body["message"], outcome


def test_no_request_hangs_while_parts_are_down(run):
    slowest = max(run.outcomes, key=lambda o: o.seconds)
    assert slowest.seconds < CLIENT_TIMEOUT / 2, slowest


def test_every_create_answered_200_is_in_the_database_afterwards(run):
    answered: dict[str, set[str]] = {}
    for outcome in run.outcomes:
        create = outcome.request.create
        if outcome.status == 200 and create is not None:
            answered.setdefault(create.table, set()).add(outcome.body[create.id_key])
    assert sum(map(len, answered.values())) > 100, run.summary()
    with psycopg.connect(run.stack.db_url, autocommit=True) as db:
        for table, ids in answered.items():
            found = db.execute(f"select id::text from public.{table} where id = any(%s::uuid[])",
                               (list(ids),)).fetchall()
            assert {row[0] for row in found} == ids, f"answered 200 but lost from {table}"


def test_the_runner_brings_each_killed_part_back_and_both_paths_serve_again(run):
    assert run.stack.process.poll() is None, "the runner gave up"
    assert set(run.back_after) == set(KILLED)
    assert all(seconds < BACK_WITHIN for seconds in run.back_after.values()), run.back_after
    served = Counter((o.phase, o.request.via) for o in run.outcomes if o.status == 200)
    for via in PATHS:
        assert served[("before the faults", via)] > 0, run.summary()
        assert served[("after the faults", via)] > 0, run.summary()


def test_no_log_of_the_faulted_stack_holds_a_request_body(run):
    assert log_files_containing(Path(run.stack.log_dir), MARKER) == []


def test_no_log_of_the_faulted_stack_holds_a_query_string(run):
    assert log_files_containing(Path(run.stack.log_dir), QUERY_MARKER) == []
