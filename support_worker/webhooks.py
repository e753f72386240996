"""Signed webhooks per the Standard Webhooks spec (the `standardwebhooks` library)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook as Signer

from support_worker import post_notices
from support_worker.queue import Event, Notice, PostNotice, Webhook
from support_worker.webhook_address import RefusedAddress, resolve


class WebhookFailed(Exception):
    """The receiver did not answer 2xx in time."""


def webhook_id(event: Notice) -> str:
    """Stable per event: receivers drop a repeat they have seen."""
    if isinstance(event, PostNotice):
        return post_notices.webhook_id(event)
    return f"evt_{event.event_id}"


def payload(event: Notice) -> dict[str, object]:
    if isinstance(event, PostNotice):
        return post_notices.payload(event)
    return ticket_payload(event)


def ticket_payload(event: Event) -> dict[str, object]:
    data: dict[str, object] = {
        "event_id": event.event_id,
        "ticket_id": event.ticket_id,
        "user_id": event.recipient_id,
        "subject": event.subject,
        "summary": event.label,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    if event.event_kind == "status":
        data["status"] = {"from": event.from_value, "to": event.to_value,
                          "from_label": event.from_label, "to_label": event.to_label}
    if event.reply is not None:
        data["reply"] = event.reply
    if event.event_kind == "rule_notice":
        data["notice"] = event.to_value
    return {"type": f"ticket.{event.kind}", "timestamp": data["occurred_at"], "data": data}


class WebhookSender:
    """Thread-safe: the worker's pool sends through one client (its connection pool)."""

    def __init__(self, timeout: float, allow_loopback: bool, connections: int = 16) -> None:
        # A redirect is not followed: its target was never checked (a non-2xx is a failure).
        self._http = httpx.Client(timeout=timeout, follow_redirects=False,
                                  limits=httpx.Limits(max_connections=connections))
        self._timeout = timeout
        self._allow_loopback = allow_loopback

    def close(self) -> None:
        self._http.close()

    def send(self, endpoint: Webhook, event: Notice, budget: float | None = None) -> None:
        """POSTs `event` to `endpoint` within `budget` seconds (at most the webhook timeout)."""
        body = json.dumps(payload(event), separators=(",", ":"))
        now = datetime.now(UTC)
        identifier = webhook_id(event)
        headers = {
            "content-type": "application/json",
            "webhook-id": identifier,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Signer(endpoint.secret).sign(identifier, now, body),
        }
        try:
            target = resolve(endpoint.url, self._allow_loopback)
        except RefusedAddress as refused:
            raise WebhookFailed(f"webhook {endpoint.id}: refused, {refused}") from None
        # Posted to the address checked, under the URL's host name (Host header, TLS name).
        url = httpx.URL(endpoint.url)
        headers["host"] = url.netloc.decode("ascii")
        try:
            response = self._http.post(
                url.copy_with(host=str(target.address)), content=body, headers=headers,
                extensions={"sni_hostname": target.host},
                timeout=max(0.1, min(self._timeout, budget or self._timeout)))
        except httpx.HTTPError as error:
            raise WebhookFailed(f"webhook {endpoint.id}: {type(error).__name__}") from None
        if not 200 <= response.status_code < 300:
            raise WebhookFailed(f"webhook {endpoint.id}: HTTP {response.status_code}")
