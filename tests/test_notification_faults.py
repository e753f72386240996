"""Delivery under faults, on a stack of its own without a supervised worker: the tests start
and kill support-worker processes themselves. SMTP down then back; SIGKILL mid-batch while
events flow; two workers on one queue. Every event is delivered at least once, and a repeat
carries the id of the first delivery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from notification_support import Desk, MailDev, SmtpRelay, WebhookReceiver, event_ids_of, wait_for
from standardwebhooks.webhooks import Webhook

from support_api.tokens import mint_jwt
from support_dev.stack.launch import RunningStack, make_state_dir, start_stack, stop_stack

pytestmark = pytest.mark.local_stack
WORKER = Path(sys.executable).with_name("support-worker")


@pytest.fixture(scope="module")
def own_stack() -> Iterator[RunningStack]:
    running = start_stack(make_state_dir("sfa-notify-") / "stack", extra_args=("--workers", "0"))
    try:
        yield running
    finally:
        stop_stack(running)


@pytest.fixture(scope="module")
def desk(own_stack) -> Iterator[Desk]:
    with psycopg.connect(own_stack.db_url, autocommit=True) as connection:
        desk = Desk(connection, own_stack.db_url)
        # Fast retries, so a fault test waits seconds instead of minutes.
        desk.settings(batch_window="0", retry_base="1 second", retry_max="2 seconds",
                      max_attempts=100)
        yield desk


@pytest.fixture(scope="module")
def maildev(own_stack) -> MailDev:
    return MailDev(own_stack.mail_url)


class Workers:
    def __init__(self, stack: RunningStack, log_dir: Path) -> None:
        self.stack = stack
        self.log_dir = log_dir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, smtp_port: int | None = None, name: str = "worker") -> subprocess.Popen:
        env = {**os.environ,
               "SUPPORT_WORKER_DB_URL": self.stack.db_url,
               "SUPABASE_URL": self.stack.gateway_url,
               "SUPABASE_JWT_SECRET": self.stack.jwt_secret,
               "SUPPORT_APP_URL": "http://127.0.0.1:3000",
               "SMTP_PORT": str(smtp_port or self.stack.smtp_port),
               "SUPPORT_WORKER_VISIBILITY_TIMEOUT": "5",
               "SUPPORT_WORKER_BATCH_SIZE": "20",
               "SUPPORT_WORKER_POLL_INTERVAL": "0.2"}
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen([str(WORKER)], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def workers(own_stack, tmp_path) -> Iterator[Workers]:
    pool = Workers(own_stack, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def webhook(own_stack, desk) -> Iterator[tuple[WebhookReceiver, str]]:
    receiver = WebhookReceiver()
    with receiver.running() as url:
        row = desk.db.execute("insert into public.webhook_endpoints (url, kind) "
                              "values (%s, 'reply') returning id, secret", (url,)).fetchone()
        yield receiver, row[1]
        desk.db.execute("delete from public.webhook_endpoints where id = %s", (row[0],))


def make_replies(desk: Desk, count: int, tickets: int, pace: float = 0.0
                 ) -> tuple[dict[str, str], list[int]]:
    """`count` public replies over `tickets` tickets of as many users: {address: ticket}, events."""
    agent = desk.new_agent()
    owners = [desk.new_user() for _ in range(tickets)]
    targets = [(address, desk.new_ticket(owner)) for owner, address in owners]
    first = desk.db.execute("select coalesce(max(id), 0) from public.ticket_events").fetchone()[0]
    for number in range(count):
        desk.reply(agent, targets[number % tickets][1], f"Reply number {number}")
        time.sleep(pace)
    events = [row[0] for row in desk.db.execute(
        "select id from public.ticket_events where kind = 'public_reply' and id > %s "
        "and ticket_id = any(%s::uuid[])", (first, [ticket for _, ticket in targets]))]
    assert len(events) == count
    return dict(targets), events


def emailed_events(maildev: MailDev, addresses: set[str]) -> tuple[Counter, dict[str, list[int]]]:
    """How often each event was emailed, and the events of each Message-ID."""
    counts: Counter[int] = Counter()
    by_message_id: dict[str, list[int]] = {}
    for listed in maildev.listing():
        if listed["to"][0]["address"] not in addresses:
            continue
        raw = maildev.raw(listed["id"])
        ids = event_ids_of(raw)
        message_id = str(raw["Message-ID"])
        assert by_message_id.setdefault(message_id, ids) == ids, "one Message-ID, one content"
        counts.update(ids)
    return counts, by_message_id


def test_smtp_down_then_back_delivers_every_message(own_stack, desk, maildev, workers):
    relay = SmtpRelay(own_stack.smtp_port)
    worker = workers.start(smtp_port=relay.port)
    targets, events = make_replies(desk, 20, tickets=10)
    # SMTP is down: attempts fail and back off; nothing is lost, nothing is dead.
    wait_for(lambda: desk.db.execute(
        "select count(*) from pgmq.q_notifications where read_ct >= 2").fetchone()[0] > 0,
        30, "failed attempts to be retried")
    time.sleep(5)
    assert desk.db.execute("select count(*) from public.dead_notifications").fetchone()[0] == 0
    assert emailed_events(maildev, set(targets))[0] == Counter()

    relay.up()
    try:
        wait_for(lambda: desk.queued() == 0, 60, "the queue to drain once SMTP is back")
        counts, _ = emailed_events(maildev, set(targets))
        assert set(counts) == set(events)
    finally:
        relay.down()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0


def test_sigkill_mid_batch_loses_nothing(desk, maildev, workers, webhook):
    receiver, secret = webhook
    events_total, kills = 200, 5
    worker = workers.start(name="killed")
    produced: list[tuple[dict[str, str], list[int]]] = []
    producer = threading.Thread(target=lambda: produced.append(
        make_replies(desk, events_total, tickets=20, pace=0.02)))
    producer.start()
    for _ in range(kills):
        time.sleep(0.5)
        # Kill while the worker holds a batch: read (invisible) and not yet acknowledged.
        wait_for(lambda: desk.db.execute(
            "select count(*) from pgmq.q_notifications where read_ct > 0 and vt > now()"
        ).fetchone()[0], 20, "a batch in hand", every=0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker = workers.start(name="killed")
    producer.join()
    targets, events = produced[0]
    wait_for(lambda: desk.queued() == 0, 120, "the queue to drain after the kills")

    deliveries: dict[str, list[bytes]] = defaultdict(list)
    for headers, body in receiver.received:
        Webhook(secret).verify(body, headers)
        deliveries[headers["webhook-id"]].append(body)
    assert set(deliveries) == {f"evt_{event}" for event in events}, "every event, by webhook"
    duplicates = {key: bodies for key, bodies in deliveries.items() if len(bodies) > 1}
    for bodies in duplicates.values():
        assert len({json.dumps(json.loads(body)) for body in bodies}) == 1
    counts, _ = emailed_events(maildev, set(targets))
    assert set(counts) == set(events), "every event, by email"
    print(f"\n{events_total} events, {kills} SIGKILLs: {len(duplicates)} webhook repeats, "
          f"{sum(n - 1 for n in counts.values())} emailed repeats (same ids)")


def test_two_workers_share_one_queue(desk, workers, webhook, tmp_path):
    receiver, _ = webhook
    pair = [workers.start(name="one"), workers.start(name="two")]
    _, events = make_replies(desk, 100, tickets=10)
    wait_for(lambda: desk.queued() == 0, 60, "the queue to drain")
    wait_for(lambda: len(receiver.received) >= 100, 30, "100 webhooks")
    ids = Counter(headers["webhook-id"] for headers, _ in receiver.received)
    assert set(ids) == {f"evt_{event}" for event in events}
    assert max(ids.values()) == 1, "no message delivered by both workers"
    for process in pair:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    worked = [name for name in ("one", "two")
              if "batch: " in (tmp_path / f"{name}.log").read_text()]
    assert worked == ["one", "two"], "both workers took batches"


def test_a_notification_failing_every_attempt_is_dead_with_its_reason_until_an_admin_retries(
        own_stack, desk, workers):
    receiver = WebhookReceiver()
    with receiver.running() as live_url:
        # A port nobody listens on: every attempt fails to connect.
        dead_url = live_url.rsplit(":", 1)[0] + ":9/hook"
        endpoint = desk.db.execute("insert into public.webhook_endpoints (url, kind) "
                                   "values (%s, 'reply') returning id", (dead_url,)).fetchone()[0]
        desk.settings(max_attempts=2)
        try:
            workers.start()
            _, events = make_replies(desk, 1, tickets=1)
            dead = wait_for(lambda: desk.db.execute(
                "select id, attempts, reason from public.dead_notifications "
                "where (message ->> 'event_id')::bigint = %s", (events[0],)).fetchone(),
                60, "the notification to be dead")
            assert dead[1:] == (2, f"webhook {endpoint}: ConnectError")
            assert desk.queued() == 0

            desk.db.execute("update public.webhook_endpoints set url = %s where id = %s",
                            (live_url, endpoint))
            admin = desk.new_agent("admin")
            answer = httpx.post(
                f"{own_stack.gateway_url}/rest/v1/rpc/retry_dead_notification",
                headers={"apikey": own_stack.anon_key,
                         "Authorization": f"Bearer {mint_jwt(own_stack.jwt_secret, sub=admin)}"},
                json={"id": dead[0]}, timeout=10)
            assert answer.status_code == 200, answer.text
            delivered = wait_for(lambda: receiver.received, 30, "the retried webhook")
            assert delivered[0][0]["webhook-id"] == f"evt_{events[0]}"
            assert desk.db.execute("select count(*) from public.dead_notifications "
                                   "where id = %s", (dead[0],)).fetchone()[0] == 0
        finally:
            desk.settings(max_attempts=100)
            desk.db.execute("delete from public.webhook_endpoints where id = %s", (endpoint,))
