"""Delivery under faults, on a stack of its own without a supervised worker: the tests start
and kill support-worker processes themselves. SMTP down then back; SIGKILL mid-batch while
events flow; two workers on one queue. Every event is delivered at least once, and a repeat
carries the id of the first delivery."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import psycopg
import pytest
from notification_support import Desk, MailDev, SmtpRelay, WebhookReceiver, event_ids_of, wait_for
from standardwebhooks.webhooks import Webhook

from support_dev.stack.launch import RunningStack, make_state_dir, start_stack, stop_stack
from support_runtime.tokens import mint_jwt

pytestmark = pytest.mark.local_stack
WORKER = Path(sys.executable).with_name("support-worker")
DOWN = 60.0  # seconds of SMTP down in the outage test
VISIBILITY = 5
EVENTS, KILLS = 1000, 20  # the SIGKILL test's size
# Its speed: few tickets and large batches make few emails (one per ticket and batch), and
# the shortest visibility timeout brings a killed worker's batch back soonest.
BATCH = 100


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
        # The seed's reply waits out the default batch window: the tests count only their own.
        connection.execute("select pgmq.purge_queue('notifications')")
        yield desk


@pytest.fixture(scope="module")
def maildev(own_stack) -> MailDev:
    return MailDev(own_stack.mail_url)


class Workers:
    def __init__(self, stack: RunningStack, log_dir: Path) -> None:
        self.stack = stack
        self.log_dir = log_dir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, smtp_port: int | None = None, name: str = "worker", batch_size: int = 20
              ) -> subprocess.Popen:
        env = {**os.environ, "SUPPORT_API_ENV": "local",
               "SUPPORT_WORKER_DB_URL": self.stack.db_url,
               "SUPABASE_URL": self.stack.gateway_url,
               "SUPABASE_JWT_SECRET": self.stack.jwt_secret,
               "SUPPORT_APP_URL": "http://127.0.0.1:3000",
               "SMTP_PORT": str(smtp_port or self.stack.smtp_port),
               # The shortest the worker accepts: a killed worker's batch is back in 5 s.
               "SUPPORT_WORKER_VISIBILITY_TIMEOUT": str(VISIBILITY),
               "SUPPORT_WORKER_BATCH_SIZE": str(batch_size),
               "SUPPORT_WORKER_POLL_INTERVAL": "0.2",
               # The receiver below listens on loopback.
               "SUPPORT_WORKER_WEBHOOK_ALLOW_LOOPBACK": "true"}
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
    desk.replies(agent, [(targets[number % tickets][1], f"Reply number {number}")
                         for number in range(count)], pace=pace)
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


def test_smtp_down_for_a_minute_then_back_delivers_every_message(own_stack, desk, maildev,
                                                                 workers):
    relay = SmtpRelay(own_stack.smtp_port)
    worker = workers.start(smtp_port=relay.port)
    # A minute of SMTP down while events keep coming: attempts fail and back off (1 s, then
    # every 2 s: the fixture's settings); nothing is lost, nothing is dead.
    started = time.monotonic()
    targets, events = make_replies(desk, 30, tickets=10, pace=1.5)
    time.sleep(max(0.0, DOWN - (time.monotonic() - started)))
    attempts = desk.db.execute(
        "select count(*), min(read_ct), max(read_ct) from pgmq.q_notifications "
        "where (message ->> 'event_id')::bigint = any(%s)", (events,)).fetchone()
    assert attempts[0] == len(events), "nothing left the queue while SMTP was down"
    assert attempts[1] >= 1 and attempts[2] >= 10, f"attempts while SMTP was down: {attempts}"
    assert desk.db.execute("select count(*) from public.dead_notifications").fetchone()[0] == 0
    assert emailed_events(maildev, set(targets))[0] == Counter()

    relay.up()
    try:
        wait_for(lambda: desk.queued() == 0, 20, "the queue to drain once SMTP is back")
        counts, _ = emailed_events(maildev, set(targets))
        assert set(counts) == set(events)
        assert desk.db.execute("select count(*) from public.dead_notifications"
                               ).fetchone()[0] == 0
    finally:
        relay.down()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0


def emailed_ids(maildev: MailDev, addresses: set[str]) -> tuple[dict[int, list[str]], int]:
    """The Message-IDs of every email that carried each event, and how many emails came."""
    by_event: dict[int, list[str]] = defaultdict(list)
    received = 0
    for listed in maildev.listing():
        if listed["to"][0]["address"] in addresses:
            received += 1
            raw = maildev.raw(listed["id"])
            for event in event_ids_of(raw):
                by_event[event].append(str(raw["Message-ID"]))
    return by_event, received


def test_sigkill_mid_batch_20_times_loses_nothing_and_repeats_only_with_the_same_id(
        desk, maildev, workers, webhook, record_property, capsys):
    receiver, secret = webhook
    began = time.monotonic()
    produced: list[tuple[dict[str, str], list[int]]] = []
    producer = threading.Thread(target=lambda: produced.append(
        make_replies(desk, EVENTS, tickets=5)))

    def in_hand(since: datetime) -> int:
        """Messages read after `since` (their visibility ends VISIBILITY s after the read)
        and not acknowledged: a batch the worker started after `since` holds them."""
        return desk.db.execute(
            "select count(*) from pgmq.q_notifications where read_ct > 0 "
            "and vt >= %s + make_interval(secs => %s)", (since, VISIBILITY)).fetchone()[0]

    def now() -> datetime:
        return desk.db.execute("select clock_timestamp()").fetchone()[0]

    since = now()
    worker = workers.start(name="killed", batch_size=BATCH)
    producer.start()
    held: list[int] = []
    while len(held) < KILLS:
        # Kill among the deliveries of a batch: some made (its emails, a first webhook), the
        # batch not acknowledged.
        delivered = len(receiver.received)
        wait_for(lambda since=since, delivered=delivered: in_hand(since)
                 and len(receiver.received) > delivered, 30,
                 f"a batch in hand and delivering before kill {len(held) + 1}", every=0.005)
        time.sleep(random.uniform(0, 0.05))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        # A kill counts when the worker died holding messages it had not acknowledged.
        if left := in_hand(since):
            held.append(left)
        since = now()
        worker = workers.start(name="killed", batch_size=BATCH)
    producer.join()
    targets, events = produced[0]
    wait_for(lambda: desk.queued() == 0, 120, "the queue to drain after the kills")
    wait_for(lambda: len({h["webhook-id"] for h, _ in receiver.received}) >= len(events), 30,
             "every webhook")

    deliveries: dict[str, list[bytes]] = defaultdict(list)
    tickets = set(targets.values())
    for headers, body in receiver.received:
        # Only this test's tickets: the seed's reply is delivered too on a fresh stack.
        if Webhook(secret).verify(body, headers)["data"]["ticket_id"] in tickets:
            deliveries[headers["webhook-id"]].append(body)
    assert set(deliveries) == {f"evt_{event}" for event in events}, "every event, by webhook"
    for bodies in deliveries.values():
        assert len({json.dumps(json.loads(body)) for body in bodies}) == 1, "a repeat is equal"
    webhooks = sum(len(bodies) for bodies in deliveries.values())
    by_event, received = emailed_ids(maildev, set(targets))
    assert set(by_event) == set(events), "every event, by email"
    for event, message_ids in by_event.items():
        assert len(set(message_ids)) == 1, f"event {event} emailed under {set(message_ids)}"
    assert webhooks > len(events), "kills among deliveries repeat some: the ids above held"
    emailed_twice = sum(1 for ids in by_event.values() if len(ids) > 1)
    sent = {message_id for ids in by_event.values() for message_id in ids}
    figures = {
        "events": len(events), "sigkills": len(held),
        "messages in hand at the kills": sum(held),
        "webhook deliveries": webhooks,
        "webhook repeats (same webhook-id, same body)": webhooks - len(events),
        "emails": received, "email repeats (same Message-ID)": received - len(sent),
        "events emailed again": emailed_twice,
        "seconds": round(time.monotonic() - began, 1),
    }
    for name, value in figures.items():
        record_property(name, value)
    with capsys.disabled():
        print("\nSIGKILL test: " + ", ".join(f"{name}: {value}" for name, value in figures.items()))


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


def test_a_hanging_webhook_receiver_delays_neither_email_nor_a_healthy_receiver(
        desk, maildev, workers, webhook, tmp_path):
    healthy, _ = webhook
    hanging = WebhookReceiver(hanging=True)
    with hanging.running() as url:
        stuck = desk.db.execute("insert into public.webhook_endpoints (url, kind) "
                                "values (%s, 'reply') returning id", (url,)).fetchone()[0]
        try:
            workers.start(name="hung")
            first, first_events = make_replies(desk, 5, tickets=1)
            wait_for(lambda: desk.db.execute(
                "select bool_and(read_ct > 0) from pgmq.q_notifications "
                "where (message ->> 'event_id')::bigint = any(%s)", (first_events,)
            ).fetchone()[0], 15, "the first user's batch in hand")
            # Another user's reply while the worker waits on the hanging receiver.
            began = time.monotonic()
            second, second_events = make_replies(desk, 5, tickets=1)
            maildev.wait_for_mail(next(iter(second)), timeout=30)
            took = time.monotonic() - began
            assert took < VISIBILITY * 2, f"another user's email took {took:.1f}s"
            events = first_events + second_events
            wait_for(lambda: {json.loads(body)["data"]["event_id"] for _, body in
                              healthy.received} >= set(events), 30, "the healthy receiver")
            # Retries for the hanging endpoint only: the healthy one had each event once.
            wait_for(lambda: desk.db.execute(
                "select min(read_ct) >= 3 from pgmq.q_notifications "
                "where (message ->> 'event_id')::bigint = any(%s)", (events,)).fetchone()[0],
                60, "three attempts of every message")
            ids = Counter(headers["webhook-id"] for headers, _ in healthy.received)
            assert {ids[f"evt_{event}"] for event in events} == {1}
            assert emailed_events(maildev, set(first) | set(second))[0] == Counter(events)
        finally:
            hanging.release()
            desk.db.execute("delete from public.webhook_endpoints where id = %s", (stuck,))
        wait_for(lambda: desk.queued() == 0, 30, "the queue to drain without the endpoint")
    durations = [float(line.rsplit(" in ", 1)[1].rstrip("s\n"))
                 for line in (tmp_path / "hung.log").read_text().splitlines() if "batch: " in line]
    assert durations and max(durations) < VISIBILITY, f"batches past the visibility: {durations}"
