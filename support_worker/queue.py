"""The notifications queue (pgmq) and what the worker reads beside it, as role support_worker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

QUEUE = "notifications"


@dataclass(frozen=True)
class QueuedMessage:
    msg_id: int
    read_ct: int
    message: dict[str, Any]

    @property
    def event_id(self) -> int:
        return int(self.message["event_id"])

    @property
    def notice_id(self) -> int | None:
        """The post_status notice a message names (a public post moved), None for a ticket's."""
        notice = self.message.get("notice_id")
        return None if notice is None else int(notice)

    @property
    def mail_plan(self) -> tuple[int, ...] | None:
        """The events of the email this message went into on an earlier attempt, if any."""
        plan = self.message.get("mail")
        return tuple(int(event) for event in plan["events"]) if plan else None

    @property
    def mailed(self) -> bool:
        return bool(self.message.get("mailed"))

    @property
    def hooked(self) -> frozenset[int]:
        """The webhook endpoints that already have this message's event (an earlier attempt)."""
        return frozenset(int(endpoint) for endpoint in self.message.get("hooked", ()))


@dataclass(frozen=True)
class Event:
    event_id: int
    kind: str
    label: str
    ticket_id: str
    subject: str
    recipient_id: str
    recipient_email: str | None
    email_wanted: bool
    event_kind: str
    from_value: str | None
    to_value: str | None
    # The labels of the values of a status, priority or type event, from the vocabularies.
    from_label: str | None
    to_label: str | None
    reply: str | None
    occurred_at: datetime

    @property
    def chain(self) -> str:
        """What a receiver hears of in order: one ticket's events."""
        return self.ticket_id

    @property
    def order(self) -> int:
        return self.event_id


@dataclass(frozen=True)
class PostNotice:
    """One person told that a public post moved (private.post_notice_details)."""

    notice_id: int
    kind: str
    label: str
    post_id: str
    title: str
    from_status: str
    to_status: str
    # The statuses' labels from public.feedback_statuses.
    from_label: str | None
    to_label: str | None
    recipient_id: str
    recipient_email: str | None
    # False once the person turned post_status off or unfollowed the post: nothing is sent.
    wanted: bool
    occurred_at: datetime

    @property
    def chain(self) -> str:
        return f"post:{self.post_id}"

    @property
    def order(self) -> int:
        return self.notice_id


Notice = Event | PostNotice


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    kind: str
    secret: str


@dataclass(frozen=True)
class Policy:
    max_attempts: int
    retry_base: timedelta
    retry_max: timedelta

    def backoff_seconds(self, attempts: int) -> int:
        """Seconds before the next try after `attempts` failed ones: doubling, capped."""
        wait = self.retry_base.total_seconds() * 2 ** max(0, attempts - 1)
        return int(min(wait, self.retry_max.total_seconds()))


class NotificationQueue:
    def __init__(self, db_url: str) -> None:
        self._connection = psycopg.connect(db_url, autocommit=True, row_factory=dict_row,
                                           application_name="support-worker")
        # Least privilege whatever the URL's user: the queue and five functions, no more.
        self._connection.execute("set role support_worker")

    def close(self) -> None:
        self._connection.close()

    def read(self, visibility_timeout: int, qty: int) -> list[QueuedMessage]:
        rows = self._connection.execute(
            "select msg_id, read_ct, message from pgmq.read(%s, %s, %s)",
            (QUEUE, visibility_timeout, qty),
        ).fetchall()
        return [QueuedMessage(row["msg_id"], row["read_ct"], row["message"]) for row in rows]

    def events(self, event_ids: list[int]) -> dict[int, Event]:
        rows = self._connection.execute(
            "select * from private.notification_details(%s)", (event_ids,)
        ).fetchall()
        return {
            row["event_id"]: Event(**{**row, "ticket_id": str(row["ticket_id"]),
                                      "recipient_id": str(row["recipient_id"])})
            for row in rows
        }

    def post_notices(self, notice_ids: list[int]) -> dict[int, PostNotice]:
        rows = self._connection.execute(
            "select * from private.post_notice_details(%s)", (notice_ids,)
        ).fetchall()
        return {
            row["notice_id"]: PostNotice(**{**row, "post_id": str(row["post_id"]),
                                            "recipient_id": str(row["recipient_id"])})
            for row in rows
        }

    def webhooks(self, kinds: list[str]) -> list[Webhook]:
        rows = self._connection.execute(
            "select * from private.notification_webhooks(%s)", (kinds,)
        ).fetchall()
        return [Webhook(**row) for row in rows]

    def policy(self) -> Policy:
        row = self._connection.execute(
            "select max_attempts, retry_base, retry_max from private.notification_policy()"
        ).fetchone()
        assert row is not None, "public.notification_settings has its one row"
        return Policy(**row)

    def plan_mail(self, plans: dict[int, dict[str, list[int]]]) -> None:
        """Writes on each message the email it goes into ({"events", "msgs"}), before sending,
        so that a retry after a crash sends that same email, Message-ID included."""
        self._connection.execute(
            "update pgmq.q_notifications set message = message || "
            "jsonb_build_object('mail', %s::jsonb -> msg_id::text) where msg_id = any(%s)",
            (json.dumps({str(msg_id): plan for msg_id, plan in plans.items()}), list(plans)))

    def mark_mailed(self, msg_ids: list[int]) -> None:
        """The email of these messages was sent: a retry (for a failed webhook) skips it."""
        self._connection.execute(
            "update pgmq.q_notifications set message = message || '{\"mailed\": true}' "
            "where msg_id = any(%s)", (msg_ids,))

    def archive(self, msg_ids: list[int]) -> None:
        self._connection.execute("select pgmq.archive(%s, %s::bigint[])", (QUEUE, msg_ids))

    def retry_later(self, retries: dict[int, int], hooked: dict[int, list[int]]) -> None:
        """Makes each message visible again after its seconds, in one statement, writing on
        it the webhook endpoints that have its event: the retry sends only to the others."""
        rows = [{"msg_id": msg_id, "seconds": seconds, "hooked": hooked.get(msg_id)}
                for msg_id, seconds in retries.items()]
        self._connection.execute(
            "update pgmq.q_notifications as q "
            "set vt = clock_timestamp() + make_interval(secs => r.seconds), "
            "message = case when r.hooked is null then q.message "
            "else q.message || jsonb_build_object('hooked', r.hooked) end "
            "from jsonb_to_recordset(%s::jsonb) as r(msg_id bigint, seconds integer, hooked jsonb) "
            "where q.msg_id = r.msg_id", (json.dumps(rows),))

    def bury(self, msg_id: int, attempts: int, reason: str) -> None:
        self._connection.execute("select private.bury_notification(%s, %s, %s)",
                                 (msg_id, attempts, reason))
