"""Webhooks of a batch sent concurrently: each receiver (an endpoint's URL: the rows of several
kinds an admin registers for one bot are one receiver) has a lane of a few threads of its own
and a circuit breaker, all requests together hold at most the pool's size of connections, and
every request ends by the batch's deadline. A slow or failing endpoint fills its own lane, never
another's, and never holds the batch past its deadline; what is not sent by then is a failure,
retried like any other."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from support_worker.queue import Notice, Webhook
from support_worker.settings import WorkerSettings
from support_worker.webhooks import WebhookFailed, WebhookSender


@dataclass(frozen=True)
class Delivery:
    msg_id: int
    event: Notice
    endpoint: Webhook


# The deliveries of one chain (one endpoint, one ticket or public post) and the future of
# their outcomes.
Started = tuple[list[Delivery], Future[list[str | None]]]


class Breaker:
    """Open after `threshold` failures in a row: refuses until `cooldown` seconds passed,
    then lets requests through again (one more failure opens it again)."""

    def __init__(self, threshold: int, cooldown: float) -> None:
        self._threshold = threshold
        self._cooldown = cooldown
        self._failures = 0
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        with self._lock:
            return time.monotonic() >= self._open_until

    def record(self, succeeded: bool) -> None:
        with self._lock:
            if succeeded:
                self._failures = 0
                return
            self._failures += 1
            if self._failures >= self._threshold:
                self._open_until = time.monotonic() + self._cooldown
                self._failures = self._threshold - 1


class WebhookPool:
    def __init__(self, settings: WorkerSettings) -> None:
        self._settings = settings
        self._sender = WebhookSender(settings.webhook_timeout, settings.webhook_allow_loopback,
                                     connections=settings.webhook_pool_size)
        self._slots = threading.BoundedSemaphore(settings.webhook_pool_size)
        # Per receiver URL, kept across batches: a receiver's state outlives one batch.
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._breakers: dict[str, Breaker] = {}

    def close(self) -> None:
        for lane in self._lanes.values():
            lane.shutdown(wait=True)
        self._sender.close()

    def _lane(self, endpoint: Webhook) -> ThreadPoolExecutor:
        if endpoint.url not in self._lanes:
            self._lanes[endpoint.url] = ThreadPoolExecutor(
                self._settings.webhook_endpoint_concurrency,
                thread_name_prefix=f"webhook-{endpoint.id}")
            self._breakers[endpoint.url] = Breaker(self._settings.webhook_breaker_threshold,
                                                   self._settings.webhook_breaker_cooldown)
        return self._lanes[endpoint.url]

    def start(self, deliveries: list[Delivery], deadline: float) -> list[Started]:
        """Starts every delivery. Those of one ticket to one receiver go one after the other,
        oldest event first, so a receiver hears of a ticket's changes in order; the rest run
        side by side, a few per receiver, so one receiver's delay holds no other."""
        chains: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
        for delivery in sorted(deliveries, key=lambda d: d.event.order):
            chains[(delivery.endpoint.url, delivery.event.chain)].append(delivery)
        return [(chain, self._lane(chain[0].endpoint).submit(self._deliver_chain, chain, deadline))
                for chain in chains.values()]

    @staticmethod
    def results(started: list[Started], deadline: float) -> list[tuple[Delivery, str | None]]:
        """Waits for the deliveries until the deadline: each one's failure reason, or None
        when delivered; one not finished by then failed."""
        wait([future for _, future in started], timeout=max(0.0, deadline - time.monotonic()))
        results: list[tuple[Delivery, str | None]] = []
        for chain, future in started:
            reasons = future.result() if future.done() else [
                f"webhook {chain[0].endpoint.id}: past the batch's deadline"] * len(chain)
            results.extend(zip(chain, reasons, strict=True))
        return results

    def _deliver_chain(self, chain: list[Delivery], deadline: float) -> list[str | None]:
        return [self._deliver(delivery, deadline) for delivery in chain]

    def _deliver(self, delivery: Delivery, deadline: float) -> str | None:
        endpoint = delivery.endpoint
        breaker = self._breakers[endpoint.url]
        if not breaker.allows():
            return f"webhook {endpoint.id}: circuit open after repeated failures"
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return f"webhook {endpoint.id}: past the batch's deadline"
        try:
            budget = deadline - time.monotonic()
            if budget <= 0:
                return f"webhook {endpoint.id}: past the batch's deadline"
            try:
                self._sender.send(endpoint, delivery.event, budget)
            except WebhookFailed as error:
                breaker.record(False)
                return str(error)
            breaker.record(True)
            return None
        finally:
            self._slots.release()
