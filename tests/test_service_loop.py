"""The service loop the workers share (support_runtime.service), through the real processes
against the stack's database: each runs as its own role from a login of its own (as a
deployment would), reconnects when its connection is cut, and on SIGTERM ends the work in hand
and exits 0. The loop alone: SIGTERM waits for the step in hand."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from support_triage.store import connect as triage_connect

BIN = Path(sys.executable).parent


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def login(db, stack) -> Iterator[Callable[[str], tuple[str, str]]]:
    """A login of its own for a worker role: (role name, database URL with its password)."""
    created: list[str] = []

    def make(member_of: str) -> tuple[str, str]:
        name, password = f"login_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
        db.execute(f'create role "{name}" login password \'{password}\' in role {member_of}')
        created.append(name)
        url = urlsplit(stack.db_url)
        netloc = f"{name}:{password}@{url.hostname}:{url.port}"
        return name, urlunsplit(url._replace(netloc=netloc))

    yield make
    for name in created:
        db.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s",
                   (name,))
        db.execute(f'drop role "{name}"')


def _backends(db, login_name: str) -> set[int]:
    rows = db.execute("select pid from pg_stat_activity where usename = %s", (login_name,))
    return {pid for (pid,) in rows}


def _cut_and_see_it_come_back(db, process: subprocess.Popen, login_name: str) -> None:
    first = _wait(lambda: _backends(db, login_name), 120, "the first connection")
    db.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s",
               (login_name,))
    _wait(lambda: _backends(db, login_name) - first, 60, "a new connection")
    assert process.poll() is None, "a cut connection is not an exit"


def assert_reconnected(stderr: str) -> None:
    # AdminShutdown when the cut meets a query; between queries (a worker busy training, say)
    # the next query finds the socket closed: OperationalError.
    assert re.search(r"database connection lost \((AdminShutdown|OperationalError)\); "
                     r"reconnecting", stderr), stderr


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    return stderr


def test_triage_runs_as_its_role_reconnects_and_stops_on_sigterm(db, login):
    name, url = login("support_triage")
    with triage_connect(url) as connection:
        assert connection.execute("select current_user").fetchone() == ("support_triage",)
    # A deployment: no SUPPORT_API_ENV, a password of its own.
    env = {k: v for k, v in os.environ.items() if k != "SUPPORT_API_ENV"}
    process = subprocess.Popen([str(BIN / "support-triage"), "run", "--interval", "0.2"],
                               env={**env, "SUPABASE_DB_URL": url},
                               stderr=subprocess.PIPE, text=True)
    try:
        _cut_and_see_it_come_back(db, process, name)
        stderr = _stop(process)
    finally:
        process.kill()
    assert_reconnected(stderr)
    assert "SIGTERM: finishing the work in hand" in stderr
    assert password_of(url) not in stderr


def test_the_notification_worker_reconnects_and_stops_on_sigterm(db, stack, login):
    name, url = login("support_worker")
    env = {**os.environ, "SUPPORT_API_ENV": "local", "SUPPORT_WORKER_DB_URL": url,
           "SUPABASE_URL": stack.gateway_url, "SUPABASE_JWT_SECRET": stack.jwt_secret,
           "SUPPORT_APP_URL": "http://127.0.0.1:3000", "SUPPORT_WORKER_POLL_INTERVAL": "0.2"}
    process = subprocess.Popen([str(BIN / "support-worker")], env=env,
                               stderr=subprocess.PIPE, text=True)
    try:
        _cut_and_see_it_come_back(db, process, name)
        stderr = _stop(process)
    finally:
        process.kill()
    assert_reconnected(stderr)
    assert password_of(url) not in stderr


def password_of(url: str) -> str:
    return urlsplit(url).password or ""


LOOP = textwrap.dedent("""
    import contextlib, logging, sys, time
    from support_runtime import service
    logging.basicConfig(level=logging.INFO)
    log = logging.getLogger("loop")
    opened = []

    @contextlib.contextmanager
    def session():
        opened.append(1)
        if len(opened) == 1:
            raise ConnectionError("the database went away")
        yield len(opened)

    def step(number):
        print("step started", flush=True)
        time.sleep(1.5)
        print(f"step ended in session {number}", flush=True)
        return True

    service.serve(session, step, service.stop_on_signals(log), idle_wait=0.1,
                  lost=ConnectionError, log=log, reconnect_wait=0.1)
    print("served", flush=True)
""")


def test_the_loop_finishes_the_step_in_hand_on_sigterm_after_reconnecting():
    process = subprocess.Popen([sys.executable, "-c", LOOP], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "step started"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    assert stdout.splitlines() == ["step ended in session 2", "served"]
    assert "database unreachable (ConnectionError); reconnecting" in stderr
    assert "SIGTERM: finishing the work in hand" in stderr
