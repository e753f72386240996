"""One batch: read, deliver by email and webhooks, then archive, retry later, or bury.

A message is archived only when every delivery it needs succeeded; otherwise it becomes
visible again after an exponential backoff, and after the policy's last attempt it moves to
public.dead_notifications with the reason. Deliveries that succeeded before a failure are made
again on the retry, with the same Message-ID or webhook-id: delivery is at least once.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

from support_worker.email_messages import build_email
from support_worker.queue import Event, NotificationQueue, Policy, QueuedMessage
from support_worker.settings import WorkerSettings
from support_worker.smtp import SmtpTransport
from support_worker.webhooks import WebhookFailed, WebhookSender

log = logging.getLogger("support_worker")


@dataclass
class BatchResult:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    failures: dict[int, str] = field(default_factory=dict)


class Deliverer:
    def __init__(self, settings: WorkerSettings, queue: NotificationQueue) -> None:
        self.settings = settings
        self.queue = queue
        self.smtp = SmtpTransport(settings)
        self.webhooks = WebhookSender(settings.webhook_timeout)

    def close(self) -> None:
        self.webhooks.close()

    def run_batch(self) -> BatchResult | None:
        """Delivers one batch; None when the queue had nothing visible."""
        messages = self.queue.read(self.settings.visibility_timeout, self.settings.batch_size)
        if not messages:
            return None
        policy = self.queue.policy()
        events = self.queue.events([message.event_id for message in messages])
        failures = self._deliver(messages, events)
        return self._settle(messages, failures, policy)

    def _deliver(self, messages: list[QueuedMessage], events: dict[int, Event]
                 ) -> dict[int, str]:
        """Makes every delivery; returns the reason of failure per message id."""
        failures: dict[int, str] = {}
        by_event = {message.event_id: message for message in messages}
        # One email per user and ticket: the batch window made their messages visible together.
        mails: dict[tuple[str, str], list[Event]] = defaultdict(list)
        for event in events.values():
            if event.email_wanted and event.recipient_email:
                mails[(event.recipient_id, event.ticket_id)].append(event)
        with self.smtp.session():
            failures.update(self._send_emails(list(mails.values()), by_event))
        endpoints = self.queue.webhooks(sorted({event.kind for event in events.values()}))
        for event in events.values():
            for endpoint in (e for e in endpoints if e.kind == event.kind):
                try:
                    self.webhooks.send(endpoint, event)
                except WebhookFailed as error:
                    failures.setdefault(by_event[event.event_id].msg_id, str(error))
        return failures

    def _send_emails(self, groups: list[list[Event]], by_event: dict[int, QueuedMessage]
                     ) -> dict[int, str]:
        failures: dict[int, str] = {}
        for group in groups:
            try:
                self.smtp.send(build_email(group, self.settings))
            except (OSError, smtplib.SMTPException) as error:
                reason = f"email: {type(error).__name__}"
            except Exception as error:
                # A bug, not an outage: the messages go the way of failures and end dead,
                # instead of crashing the worker on the same message again and again.
                # Only the type: an exception's text may quote the ticket.
                log.error("building or sending an email failed: %s", type(error).__name__)
                reason = f"email: {type(error).__name__}"
            else:
                continue
            for event in group:
                failures[by_event[event.event_id].msg_id] = reason
        return failures

    def _settle(self, messages: list[QueuedMessage], failures: dict[int, str], policy: Policy
                ) -> BatchResult:
        result = BatchResult(failures=failures)
        # Also the messages whose ticket is gone: there is no one left to tell.
        delivered = [message.msg_id for message in messages if message.msg_id not in failures]
        if delivered:
            self.queue.archive(delivered)
        result.delivered = len(delivered)
        for message in messages:
            reason = failures.get(message.msg_id)
            if reason is None:
                continue
            if message.read_ct >= policy.max_attempts:
                self.queue.bury(message.msg_id, message.read_ct, reason)
                result.dead += 1
                log.warning("notification %s dead after %s attempts: %s",
                            message.msg_id, message.read_ct, reason)
            else:
                self.queue.retry_later(message.msg_id, policy.backoff_seconds(message.read_ct))
                result.retried += 1
        log.info("batch: %s delivered, %s to retry, %s dead",
                 result.delivered, result.retried, result.dead)
        return result
