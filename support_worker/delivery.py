"""One batch: read, deliver by email and webhooks, then archive, retry later, or bury.

A message is archived only when every delivery it needs succeeded; otherwise it becomes
visible again after an exponential backoff, and after the policy's last attempt it moves to
public.dead_notifications with the reason. A message whose email cannot be built (a bug or
data no retry can change, such as an address with a line break) goes to the dead letters at
once: retrying it would fail the same way. Each email is written on its messages before it is
sent and marked once sent: a retry sends an unsent email with the same events and Message-ID,
and not a sent one. A crash between sending and acknowledging repeats the delivery with the
same Message-ID or webhook-id: delivery is at least once.
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
    # Failures that no retry can mend: buried on their first attempt.
    final: set[int] = field(default_factory=set)


class Deliverer:
    def __init__(self, settings: WorkerSettings, queue: NotificationQueue) -> None:
        self.settings = settings
        self.queue = queue
        self.smtp = SmtpTransport(settings)
        self.webhooks = WebhookSender(settings.webhook_timeout, settings.webhook_allow_loopback)

    def close(self) -> None:
        self.webhooks.close()

    def run_batch(self) -> BatchResult | None:
        """Delivers one batch; None when the queue had nothing visible."""
        messages = self.queue.read(self.settings.visibility_timeout, self.settings.batch_size)
        if not messages:
            return None
        policy = self.queue.policy()
        # An email planned on an earlier attempt is sent again as it was: its other events too.
        wanted = {message.event_id for message in messages}
        wanted.update(event for message in messages for event in message.mail_plan or ())
        events = self.queue.events(sorted(wanted))
        result = BatchResult()
        self._deliver(messages, events, result)
        return self._settle(messages, result, policy)

    def _deliver(self, messages: list[QueuedMessage], events: dict[int, Event],
                 result: BatchResult) -> None:
        """Makes every delivery; records the reason of failure per message id."""
        failures = result.failures
        with self.smtp.session():
            self._send_emails(self._plan_emails(messages, events), events, result)
        batch_events = [events[m.event_id] for m in messages if m.event_id in events]
        endpoints = self.queue.webhooks(sorted({event.kind for event in batch_events}))
        by_event = {message.event_id: message for message in messages}
        for event in batch_events:
            for endpoint in (e for e in endpoints if e.kind == event.kind):
                try:
                    self.webhooks.send(endpoint, event)
                except WebhookFailed as error:
                    failures.setdefault(by_event[event.event_id].msg_id, str(error))

    def _plan_emails(self, messages: list[QueuedMessage], events: dict[int, Event]
                     ) -> dict[tuple[int, ...], list[QueuedMessage]]:
        """The emails of the batch, by the events each one carries, with the messages it
        settles. New ones are one per user and ticket (the batch window made their messages
        visible together) and are written on the messages before anything is sent, so a
        redelivery carries the same events and the same Message-ID whatever batch it is in."""
        emails: dict[tuple[int, ...], list[QueuedMessage]] = defaultdict(list)
        fresh: dict[tuple[str, str], list[QueuedMessage]] = defaultdict(list)
        for message in messages:
            event = events.get(message.event_id)
            if message.mailed or event is None:
                continue
            if message.mail_plan:
                emails[message.mail_plan].append(message)
            elif event.email_wanted and event.recipient_email:
                fresh[(event.recipient_id, event.ticket_id)].append(message)
        plans: dict[int, dict[str, list[int]]] = {}
        for group in fresh.values():
            plan = {"events": sorted(m.event_id for m in group),
                    "msgs": sorted(m.msg_id for m in group)}
            emails[tuple(plan["events"])] = group
            plans.update(dict.fromkeys(plan["msgs"], plan))
        if plans:
            self.queue.plan_mail(plans)
        return emails

    def _send_emails(self, emails: dict[tuple[int, ...], list[QueuedMessage]],
                     events: dict[int, Event], result: BatchResult) -> None:
        for planned, group in emails.items():
            # An event gone since (its ticket deleted) or a user who unsubscribed since.
            content = [events[e] for e in planned
                       if e in events and events[e].email_wanted and events[e].recipient_email]
            if not content:
                continue
            try:
                mail = build_email(content, self.settings)
            except Exception as error:
                # Data or a bug, not an outage: the same events would fail the same way on
                # every retry. Only the type: an exception's text may quote the ticket.
                log.error("building an email failed: %s", type(error).__name__)
                reason = f"email cannot be built: {type(error).__name__}"
                result.final.update(message.msg_id for message in group)
            else:
                try:
                    self.smtp.send(mail)
                    self.queue.mark_mailed(self._plan_messages(group))
                    continue
                except (OSError, smtplib.SMTPException) as error:
                    reason = f"email: {type(error).__name__}"
                except Exception as error:
                    # A bug, not an outage: the messages go the way of failures and end dead,
                    # instead of crashing the worker on the same message again and again.
                    log.error("sending an email failed: %s", type(error).__name__)
                    reason = f"email: {type(error).__name__}"
            for message in group:
                result.failures[message.msg_id] = reason

    @staticmethod
    def _plan_messages(group: list[QueuedMessage]) -> list[int]:
        """Every message of the email, those of other batches too: they need not send it."""
        planned = (group[0].message.get("mail") or {}).get("msgs", [])
        return sorted({*planned, *(message.msg_id for message in group)})

    def _settle(self, messages: list[QueuedMessage], result: BatchResult, policy: Policy
                ) -> BatchResult:
        failures = result.failures
        # Also the messages whose ticket is gone: there is no one left to tell.
        delivered = [message.msg_id for message in messages if message.msg_id not in failures]
        if delivered:
            self.queue.archive(delivered)
        result.delivered = len(delivered)
        for message in messages:
            reason = failures.get(message.msg_id)
            if reason is None:
                continue
            if message.read_ct >= policy.max_attempts or message.msg_id in result.final:
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
