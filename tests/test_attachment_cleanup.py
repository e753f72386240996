"""The attachment clean-up against a real stack of its own (no supervised worker): uploads
older than 24 hours and never linked are removed by a worker round through the gateway's
DELETE /storage/v1/object/{bucket} (locally the Storage stand-in), linked and fresh ones stay,
a Storage outage leaves everything for the next round, and only service_role may remove.

An upload is the row the Storage API writes once it has stored the file, with the stand-in's
file beside it; the policies that decide who may upload are proven by pgTAP.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from notification_support import wait_for

from support_dev.stack.launch import RunningStack, make_state_dir, start_stack, stop_stack
from support_runtime.tokens import mint_jwt, project_api_key
from support_worker.attachments import AttachmentCleanup, CleanupRound
from support_worker.settings import WorkerSettings, WorkerSettingsError

pytestmark = pytest.mark.local_stack
WORKER = Path(sys.executable).with_name("support-worker")
BUCKET = "support-attachments"


@pytest.fixture(scope="module")
def own_stack() -> Iterator[RunningStack]:
    running = start_stack(make_state_dir("sfa-cleanup-") / "stack", extra_args=("--workers", "0"))
    try:
        yield running
    finally:
        stop_stack(running)


class Uploads:
    def __init__(self, stack: RunningStack, db: psycopg.Connection) -> None:
        self.stack = stack
        self.db = db
        self.files = stack.state_dir / "storage" / BUCKET

    def ticket(self) -> tuple[str, str]:
        user_id, ticket_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.db.execute(
            "insert into auth.users (id, aud, role, email, created_at, updated_at) "
            "values (%s, 'authenticated', 'authenticated', %s, now(), now())",
            (user_id, f"c-{user_id[:12]}@example.test"))
        self.db.execute(
            "insert into public.support_tickets (id, user_id, ticket_type, subject, description) "
            "values (%s, %s, 'technical', 'Crash on start', 'It crashes.')", (ticket_id, user_id))
        return user_id, ticket_id

    def upload(self, user_id: str, ticket_id: str, name: str, *, hours_ago: float) -> str:
        path = f"{user_id}/{ticket_id}/{name}"
        self.db.execute(
            "insert into storage.objects (bucket_id, name, owner, owner_id, metadata, created_at) "
            "values (%s, %s, %s, %s, %s, now() - make_interval(secs => %s))",
            (BUCKET, path, user_id, user_id, json.dumps({"size": 5, "mimetype": "image/png"}),
             hours_ago * 3600))
        self.file(path).parent.mkdir(parents=True, exist_ok=True)
        self.file(path).write_bytes(b"\x89PNG")
        return path

    def link(self, user_id: str, ticket_id: str, path: str) -> None:
        self.db.execute("insert into public.ticket_attachments (ticket_id, object_name, linked_by) "
                        "values (%s, %s, %s)", (ticket_id, path, user_id))

    def file(self, path: str) -> Path:
        return self.files / path

    def stored(self, paths: list[str]) -> set[str]:
        rows = self.db.execute("select name from storage.objects where bucket_id = %s "
                               "and name = any(%s)", (BUCKET, paths)).fetchall()
        return {name for (name,) in rows}


@pytest.fixture(scope="module")
def uploads(own_stack) -> Iterator[Uploads]:
    with psycopg.connect(own_stack.db_url, autocommit=True) as connection:
        yield Uploads(own_stack, connection)


def worker_env(stack: RunningStack, **extra: str) -> dict[str, str]:
    return {"SUPPORT_API_ENV": "local",
            "SUPPORT_WORKER_DB_URL": stack.db_url, "SUPABASE_URL": stack.gateway_url,
            "SUPABASE_JWT_SECRET": stack.jwt_secret, "SUPPORT_APP_URL": "http://127.0.0.1:3000",
            "SUPABASE_SERVICE_ROLE_KEY": stack.service_role_key, "SMTP_PORT": str(stack.smtp_port),
            **extra}


@pytest.fixture
def cleanup(own_stack) -> Iterator[AttachmentCleanup]:
    worker = AttachmentCleanup(WorkerSettings.from_env(worker_env(own_stack)))
    try:
        yield worker
    finally:
        worker.close()


def standin_removals(stack: RunningStack) -> list[int]:
    """The stand-in's log: objects removed by each DELETE it answered 200."""
    log = (stack.log_dir / "storage.log").read_text()
    return [int(count) for count in re.findall(r"DELETE /object/\{bucket\} 200 removed=(\d+)", log)]


def gateway_removals(stack: RunningStack) -> int:
    log = (stack.log_dir / "gateway-access.log").read_text()
    return log.count(" DELETE /storage/v1/object/{bucket} 200 ")


def standin_up(stack: RunningStack) -> bool:
    try:
        return httpx.get(f"{stack.gateway_url}/storage/v1/status", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_round_removes_old_unlinked_uploads_through_storage_and_keeps_the_rest(
        own_stack, uploads, cleanup):
    user_id, ticket_id = uploads.ticket()
    abandoned = uploads.upload(user_id, ticket_id, "abandoned.png", hours_ago=25)
    linked = uploads.upload(user_id, ticket_id, "linked.png", hours_ago=25)
    uploads.link(user_id, ticket_id, linked)
    fresh = uploads.upload(user_id, ticket_id, "fresh.png", hours_ago=23)
    removals_before, gateway_before = standin_removals(own_stack), gateway_removals(own_stack)

    assert cleanup.run_round() == CleanupRound(removed=1)

    assert uploads.stored([abandoned, linked, fresh]) == {linked, fresh}
    assert not uploads.file(abandoned).exists()
    assert uploads.file(linked).exists() and uploads.file(fresh).exists()
    # The row went through the endpoint: one more DELETE at the gateway, one object at the
    # stand-in (a direct DELETE of the row would not pass storage.protect_delete anyway).
    # The stand-in and the gateway write their log line after answering: wait for it.
    wait_for(lambda: len(standin_removals(own_stack)) > len(removals_before), 10,
             "the stand-in to log the removal")
    wait_for(lambda: gateway_removals(own_stack) > gateway_before, 10,
             "the gateway to log the removal")
    assert standin_removals(own_stack)[len(removals_before):] == [1]
    assert gateway_removals(own_stack) == gateway_before + 1

    # Idempotent: nothing is left to remove, so the next round calls nothing.
    assert cleanup.run_round() == CleanupRound(removed=0)
    assert uploads.stored([linked, fresh]) == {linked, fresh}
    assert gateway_removals(own_stack) == gateway_before + 1


def test_a_storage_outage_leaves_everything_and_the_next_round_removes_it(
        own_stack, uploads, cleanup):
    user_id, ticket_id = uploads.ticket()
    abandoned = uploads.upload(user_id, ticket_id, "abandoned.png", hours_ago=30)
    # The runner restarts a part that dies: paused, it leaves the stand-in down.
    own_stack.process.send_signal(signal.SIGSTOP)
    try:
        os.kill(own_stack.pids["storage"], signal.SIGTERM)
        wait_for(lambda: not standin_up(own_stack), 10, "the stand-in to stop")

        failed = cleanup.run_round()
        assert failed == CleanupRound(removed=0, failure="Storage remove: HTTP 503")
        assert uploads.stored([abandoned]) == {abandoned}
        assert uploads.file(abandoned).exists()
    finally:
        own_stack.process.send_signal(signal.SIGCONT)
    wait_for(lambda: standin_up(own_stack), 30, "the runner to restart the stand-in")

    assert cleanup.run_round() == CleanupRound(removed=1)
    assert uploads.stored([abandoned]) == set()
    assert not uploads.file(abandoned).exists()


def test_only_service_role_may_remove_through_the_standin(own_stack, uploads):
    user_id, ticket_id = uploads.ticket()
    path = uploads.upload(user_id, ticket_id, "kept.png", hours_ago=1)
    url = f"{own_stack.gateway_url}/storage/v1/object/{BUCKET}"
    user_jwt = mint_jwt(own_stack.jwt_secret, sub=user_id, email="owner@example.test")
    forged = project_api_key("another-secret-of-at-least-32-characters!", "service_role")
    callers = {
        "anon": ({"apikey": own_stack.anon_key}, 403),
        "the owner": ({"apikey": own_stack.anon_key, "Authorization": f"Bearer {user_jwt}"}, 403),
        "nobody": ({}, 401),
        "a forged service_role key": ({"Authorization": f"Bearer {forged}"}, 401),
    }
    for caller, (headers, status) in callers.items():
        response = httpx.request("DELETE", url, headers=headers, json={"prefixes": [path]})
        assert response.status_code == status, caller
        body = response.json()
        assert body["statusCode"] == str(status) and body["error"] == "Unauthorized", caller
        assert path not in response.text
    assert uploads.stored([path]) == {path}
    assert uploads.file(path).exists()


def test_the_worker_runs_the_clean_up_on_its_interval_and_logs_counts_only(own_stack, uploads):
    log_path = own_stack.log_dir / "cleanup-worker.log"
    env = {**os.environ, **worker_env(own_stack, SUPPORT_WORKER_ATTACHMENT_CLEANUP_INTERVAL="1")}
    with log_path.open("ab") as log:
        worker = subprocess.Popen([str(WORKER)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "removed 0 unlinked uploads" in log_path.read_text(), 20,
                 "the worker's first round")
        user_id, ticket_id = uploads.ticket()
        # Uploaded before the worker's next round, then never linked.
        abandoned = uploads.upload(user_id, ticket_id, "abandoned.png", hours_ago=48)
        wait_for(lambda: not uploads.stored([abandoned]), 20, "a later round to remove it")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    text = log_path.read_text()
    assert "removing unlinked attachment uploads every 1.0s" in text
    assert "attachment clean-up: removed 1 unlinked uploads" in text
    assert user_id not in text and ticket_id not in text and "abandoned" not in text


def test_the_interval_is_a_setting_of_seconds_above_zero(own_stack):
    env = worker_env(own_stack)
    assert WorkerSettings.from_env(env).attachment_cleanup_interval == 3600
    tuned = {**env, "SUPPORT_WORKER_ATTACHMENT_CLEANUP_INTERVAL": "900"}
    assert WorkerSettings.from_env(tuned).attachment_cleanup_interval == 900
    for bad in ("0", "-5", "inf", "nan"):
        with pytest.raises(WorkerSettingsError) as refused:
            WorkerSettings.from_env({**env, "SUPPORT_WORKER_ATTACHMENT_CLEANUP_INTERVAL": bad})
        assert "SUPPORT_WORKER_ATTACHMENT_CLEANUP_INTERVAL must be a number of seconds > 0" in str(
            refused.value)
    with pytest.raises(WorkerSettingsError, match="not a number"):
        WorkerSettings.from_env({**env, "SUPPORT_WORKER_ATTACHMENT_CLEANUP_INTERVAL": "hourly"})


def test_without_the_service_role_key_the_clean_up_is_off_and_says_so(own_stack):
    log_path = own_stack.log_dir / "keyless-worker.log"
    env = {**os.environ, **worker_env(own_stack, SUPABASE_SERVICE_ROLE_KEY="")}
    with log_path.open("ab") as log:
        worker = subprocess.Popen([str(WORKER)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "attachment clean-up off: SUPABASE_SERVICE_ROLE_KEY is not set"
                 in log_path.read_text(), 20, "the worker to start")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    text = log_path.read_text()
    assert "removing unlinked attachment uploads" not in text
    assert "attachment clean-up:" not in text
