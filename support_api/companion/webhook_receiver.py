"""The companion bot as a webhook receiver: support-worker's signed events become sentences
for the user's chat ("Support replied to your ticket about …").

The bot registers an endpoint in `public.webhook_endpoints` for each kind it relays and keeps
the endpoint's `whsec_…` secret. `Receiver.receive` verifies the Standard Webhooks signature
(the `standardwebhooks` library: a changed body, a wrong secret or a timestamp more than five
minutes off is refused), drops a repeat by its `webhook-id` (delivery is at least once), and
hands the `ChatNotice` to the bot's `tell`. An id counts as seen only once `tell` returned, so
a notice the bot failed to pass on comes again with the worker's retry. `wsgi_app` serves it
over HTTP in any WSGI server.

A notice says what happened and names the ticket by its subject, as the user wrote it: never
the text of a reply (the user reads it in the app) and never anything internal. A public post
the user voted for that moved (`post.status_changed`, kind post_status) is named by its title.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# The library's messages, as the reason a sender reads (none of them quotes the request).
_REFUSALS = {
    "Missing required headers": "webhook-id, webhook-timestamp and webhook-signature "
                                "headers are required",
    "Invalid Signature Headers": "the webhook-timestamp header is not a Unix time",
    "Message timestamp too old": "the webhook-timestamp is more than five minutes old",
    "Message timestamp too new": "the webhook-timestamp is more than five minutes ahead",
    "No matching signature found": "the webhook-signature does not match the body",
}
# Repeats come with the worker's retries, for as long as its backoff lasts (hours at most).
KEEP_SECONDS = 24 * 3600
KEEP_IDS = 100_000


class WebhookRefused(Exception):
    """A request that is not a valid event: `status` and `reason` are the answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class ChatNotice:
    webhook_id: str
    user_id: str
    ticket_id: str | None
    text: str
    # For a public post's move: the post (ticket_id is None).
    post_id: str | None = None


def post_sentence(data: Mapping[str, Any]) -> str:
    """What the bot tells a voter about a public post that moved."""
    status = data.get("status")
    to = "moved"
    if isinstance(status, Mapping):
        to = "is now " + str(status.get("to_label") or status.get("to")).lower()
    return f'A post you voted for, "{data.get("title")}", {to}.'


def sentence(event_type: str, data: Mapping[str, Any]) -> str:
    """What the bot tells the ticket's owner about one event."""
    if event_type.startswith("post."):
        return post_sentence(data)
    about = f'your ticket about "{data.get("subject")}"'
    kind = event_type.removeprefix("ticket.")
    if kind == "reply":
        return f"Support replied to {about}. Open the app to read the answer."
    if kind == "resolved":
        return (f"Support resolved {about}. If the answer helped, you can rate it in the "
                "app.")
    status = data.get("status")
    if kind == "status_changed" and isinstance(status, Mapping):
        # The status's label from the vocabulary, sent with the event; the code without one.
        to = str(status.get("to_label") or status.get("to")).lower()
        return f"The status of {about} is now {to}."
    # A kind an admin added since: its label is written for the user.
    summary = str(data.get("summary") or "There is news on your ticket.")
    return f"{summary.rstrip('.')} ({about})."


class SeenIds:
    """The webhook-ids already passed on, for KEEP_SECONDS, at most KEEP_IDS of them (one
    process; a bot with several processes keeps them in its own shared store)."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS, keep_ids: int = KEEP_IDS) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._keep_seconds = keep_seconds
        self._keep_ids = keep_ids

    def __contains__(self, webhook_id: object) -> bool:
        return webhook_id in self._seen

    def add(self, webhook_id: str) -> None:
        now = time.monotonic()
        self._seen[webhook_id] = now
        while self._seen and (len(self._seen) > self._keep_ids
                              or next(iter(self._seen.values())) < now - self._keep_seconds):
            self._seen.popitem(last=False)


class Receiver:
    def __init__(self, secret: str, tell: Callable[[ChatNotice], None],
                 seen: SeenIds | None = None) -> None:
        self._webhook = Webhook(secret)
        self._tell = tell
        self._seen = seen or SeenIds()
        # One event at a time: a repeat arriving during its first delivery waits, then drops.
        self._lock = threading.Lock()

    def receive(self, body: bytes, headers: Mapping[str, str]) -> ChatNotice | None:
        """Passes a verified, new event on to `tell`; None for a repeat.

        Raises WebhookRefused (401) for a missing, malformed, old or wrong signature and
        (400) for a signed body that is not an event of a user's ticket or of a post."""
        try:
            payload = self._webhook.verify(body, dict(headers))
        except WebhookVerificationError as error:
            raise WebhookRefused(401, _REFUSALS.get(str(error), "the webhook is not signed "
                                                                "by support")) from None
        data = payload.get("data") if isinstance(payload, dict) else None
        about = "post_id" if isinstance(payload, dict) and str(
            payload.get("type")).startswith("post.") else "ticket_id"
        if not isinstance(data, dict) or not isinstance(payload.get("type"), str) or not all(
                isinstance(data.get(key), str) for key in ("user_id", about)):
            raise WebhookRefused(400, "the body is not a support event")
        webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self._lock:
            if webhook_id in self._seen:
                return None
            notice = ChatNotice(webhook_id, data["user_id"], data.get("ticket_id"),
                                sentence(payload["type"], data), data.get("post_id"))
            self._tell(notice)
            self._seen.add(webhook_id)
        return notice


def wsgi_app(receiver: Receiver) -> Callable[..., Iterable[bytes]]:
    """POST an event: 204 when passed on or a repeat, 401/400 with `{"message"}` when refused,
    405 for another method. A failure of `tell` is a 500, so the worker retries."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST")])
            return [b""]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-").lower(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        try:
            receiver.receive(body, headers)
        except WebhookRefused as refused:
            answer = json.dumps({"message": refused.reason}).encode()
            start_response(f"{refused.status} {HTTPStatus(refused.status).phrase}",
                           [("Content-Type", "application/json")])
            return [answer]
        start_response("204 No Content", [])
        return [b""]

    return app
