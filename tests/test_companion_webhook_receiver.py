"""The companion's webhook receiver on its own, with requests signed as support-worker signs
them (the end-to-end case through the stack is in test_notifications.py): what is refused and
why, what a kind an admin added reads like, and that a notice the bot failed to pass on is
not taken for a repeat."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from support_api.companion.webhook_receiver import (
    ChatNotice,
    Receiver,
    SeenIds,
    WebhookRefused,
)

SECRET = "whsec_" + base64.b64encode(b"a companion secret of 32 bytes!!").decode()
USER, TICKET = "00000000-0000-4000-8000-0000000000aa", "5eed0000-0000-4000-8000-000000000003"


def signed(body: dict, webhook_id: str = "evt_1") -> tuple[bytes, dict[str, str]]:
    text = json.dumps(body)
    now = datetime.now(UTC)
    return text.encode(), {"webhook-id": webhook_id,
                           "webhook-timestamp": str(int(now.timestamp())),
                           "webhook-signature": Webhook(SECRET).sign(webhook_id, now, text)}


def event(kind: str, **data: object) -> dict:
    return {"type": f"ticket.{kind}", "timestamp": "2026-11-30T00:00:00Z",
            "data": {"event_id": 1, "ticket_id": TICKET, "user_id": USER,
                     "subject": "Charged twice", "summary": "Support replied to your ticket.",
                     "occurred_at": "2026-11-30T00:00:00Z", **data}}


def test_a_kind_an_admin_added_is_told_by_its_label():
    told: list[ChatNotice] = []
    body, headers = signed(event("closed", summary="Your ticket was closed."))
    Receiver(SECRET, told.append).receive(body, headers)
    assert told == [ChatNotice("evt_1", USER, TICKET,
                               'Your ticket was closed (your ticket about "Charged twice").')]


@pytest.mark.parametrize(("change", "status", "reason"), [
    ("no headers", 401, "webhook-id, webhook-timestamp and webhook-signature headers are "
                        "required"),
    ("another secret", 401, "the webhook-signature does not match the body"),
    ("not a Unix time", 401, "the webhook-timestamp header is not a Unix time"),
    ("not an event", 400, "the body is not a support event"),
])
def test_what_is_refused_and_why(change, status, reason):
    told: list[ChatNotice] = []
    body, headers = signed(event("reply", reply="We refunded it."))
    if change == "no headers":
        headers = {}
    elif change == "another secret":
        other = "whsec_" + base64.b64encode(b"x" * 32).decode()
        headers = {**headers, "webhook-signature": Webhook(other).sign(
            "evt_1", datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC),
            body.decode())}
    elif change == "not a Unix time":
        headers = {**headers, "webhook-timestamp": "yesterday"}
    else:
        body, headers = signed({"type": "ticket.reply", "data": {"ticket_id": TICKET}})
    with pytest.raises(WebhookRefused) as refused:
        Receiver(SECRET, told.append).receive(body, headers)
    assert (refused.value.status, refused.value.reason) == (status, reason)
    assert told == []


def test_a_notice_the_bot_could_not_pass_on_is_told_on_the_retry():
    told: list[ChatNotice] = []
    failing = [True]

    def tell(notice: ChatNotice) -> None:
        if failing.pop():
            raise ConnectionError("the chat is down")
        told.append(notice)

    receiver = Receiver(SECRET, tell)
    body, headers = signed(event("reply"))
    with pytest.raises(ConnectionError):
        receiver.receive(body, headers)
    failing.append(False)
    assert receiver.receive(*signed(event("reply"))) is not None  # the retry, signed anew
    assert receiver.receive(body, headers) is None  # and a repeat after it
    assert len(told) == 1


def test_seen_ids_forget_the_oldest_beyond_their_limit():
    seen = SeenIds(keep_ids=2)
    for webhook_id in ("evt_1", "evt_2", "evt_3"):
        seen.add(webhook_id)
    assert "evt_1" not in seen and "evt_2" in seen and "evt_3" in seen
