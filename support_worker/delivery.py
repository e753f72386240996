"""One batch: read, deliver by email and webhooks, then archive, retry later, or bury.

The emails go one after the other over one SMTP connection while the webhooks go out
concurrently (support_worker.webhook_pool); both stop at the batch's deadline, a quarter of the
visibility timeout before it ends, so no other worker reads a message still in hand. A message
is archived only when every delivery it needs succeeded; otherwise it becomes visible again
after an exponential backoff, and after the policy's last attempt it moves to
public.dead_notifications with the reason. A message whose email cannot be built (a bug or
data no retry can change, such as an address with a line break) goes to the dead letters at
once: retrying it would fail the same way. Each email is written on its messages before it is
sent and marked once sent, and the endpoints that got an event are written on its message: a
retry sends only what is missing, an unsent email with the same events and Message-ID. A crash
between sending and acknowledging repeats the delivery with the same Message-ID or webhook-id:
delivery is at least once. A message naming a post_status notice (a public post moved,
support_worker.post_notices) is one email and one webhook per endpoint, settled the same way;
one whose person turned the kind off or unfollowed the post since is archived unsent.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from support_worker.email_messages import OutgoingEmail, build_email
from support_worker.post_notices import build_post_email
from support_worker.queue import Event, NotificationQueue, Policy, PostNotice, QueuedMessage
from support_worker.settings import WorkerSettings
from support_worker.smtp import SmtpTransport
from support_worker.webhook_pool import Delivery, WebhookPool

log = logging.getLogger("support_worker")

# An email to send: the messages it settles and how to build it.
EmailJob = tuple[list[QueuedMessage], Callable[[], OutgoingEmail]]


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
        self.webhooks = WebhookPool(settings)
        self._builder = ThreadPoolExecutor(1, thread_name_prefix="email-builder")

    def close(self) -> None:
        self.webhooks.close()
        self._builder.shutdown(wait=True, cancel_futures=True)

    def run_batch(self) -> BatchResult | None:
        """Delivers one batch; None when the queue had nothing visible."""
        began = time.monotonic()
        deadline = began + self.settings.batch_budget
        messages = self.queue.read(self.settings.visibility_timeout, self.settings.batch_size)
        if not messages:
            return None
        policy = self.queue.policy()
        tickets = [message for message in messages if message.notice_id is None]
        posts = [message for message in messages if message.notice_id is not None]
        # An email planned on an earlier attempt is sent again as it was: its other events too.
        wanted = {message.event_id for message in tickets}
        wanted.update(event for message in tickets for event in message.mail_plan or ())
        events = self.queue.events(sorted(wanted)) if wanted else {}
        notices = self.queue.post_notices(
            sorted(int(m.notice_id or 0) for m in posts)) if posts else {}
        result = BatchResult()
        hooked = self._deliver(tickets, events, posts, notices, deadline, result)
        return self._settle(messages, result, hooked, policy, began)

    def _deliver(self, messages: list[QueuedMessage], events: dict[int, Event],
                 posts: list[QueuedMessage], notices: dict[int, PostNotice], deadline: float,
                 result: BatchResult) -> dict[int, list[int]]:
        """Makes every delivery by the deadline; records the reason of failure per message id
        and returns the endpoints each message's event reached (earlier attempts included)."""
        batch: list[tuple[QueuedMessage, Event | PostNotice]] = [
            (m, events[m.event_id]) for m in messages if m.event_id in events]
        # A notice whose person no longer wants it is not delivered at all (archived).
        batch += [(m, notice) for m in posts
                  if (notice := notices.get(int(m.notice_id or 0))) and notice.wanted]
        kinds = sorted({event.kind for _, event in batch})
        endpoints = self.queue.webhooks(kinds) if kinds else []
        started = self.webhooks.start(
            [Delivery(message.msg_id, event, endpoint) for message, event in batch
             for endpoint in endpoints
             if endpoint.kind == event.kind and endpoint.id not in message.hooked],
            deadline)
        failures = result.failures
        jobs = self._ticket_emails(self._plan_emails(messages, events), events)
        jobs += self._post_emails(posts, notices)
        with self.smtp.session():
            self._send_emails(jobs, deadline, result)
        hooked = {message.msg_id: set(message.hooked) for message in [*messages, *posts]}
        for delivery, reason in self.webhooks.results(started, deadline):
            if reason is None:
                hooked[delivery.msg_id].add(delivery.endpoint.id)
            else:
                failures.setdefault(delivery.msg_id, reason)
        return {msg_id: sorted(ids) for msg_id, ids in hooked.items() if ids}

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

    def _ticket_emails(self, emails: dict[tuple[int, ...], list[QueuedMessage]],
                       events: dict[int, Event]) -> list[EmailJob]:
        jobs: list[EmailJob] = []
        for planned, group in emails.items():
            # An event gone since (its ticket deleted) or a user who unsubscribed since.
            content = [events[e] for e in planned
                       if e in events and events[e].email_wanted and events[e].recipient_email]
            if content:
                jobs.append((group, partial(build_email, content, self.settings)))
        return jobs

    def _post_emails(self, posts: list[QueuedMessage], notices: dict[int, PostNotice]
                     ) -> list[EmailJob]:
        """One email per post_status notice not sent yet, if its person still wants it."""
        jobs: list[EmailJob] = []
        for message in posts:
            notice = notices.get(int(message.notice_id or 0))
            if message.mailed or notice is None or not notice.wanted \
                    or not notice.recipient_email:
                continue
            jobs.append(([message], partial(build_post_email, notice, self.settings)))
        return jobs

    def _send_emails(self, jobs: list[EmailJob], deadline: float, result: BatchResult) -> None:
        failures = result.failures
        # Built ahead of the sending, on a thread of their own: rendering is CPU, sending
        # mostly waits for the server, so the two overlap.
        built: list[Future[OutgoingEmail]] = [self._builder.submit(build) for _, build in jobs]
        for (group, _), mail in zip(jobs, built, strict=True):
            budget = deadline - time.monotonic()
            if budget <= 0:
                # Left for the next read: a batch never outlives its visibility timeout.
                for message in group:
                    failures[message.msg_id] = "email: past the batch's deadline"
                continue
            try:
                ready = mail.result()
            except Exception as error:
                # Data or a bug, not an outage: the same events would fail the same way on
                # every retry. Only the type: an exception's text may quote the ticket.
                log.error("building an email failed: %s", type(error).__name__)
                reason = f"email cannot be built: {type(error).__name__}"
                result.final.update(message.msg_id for message in group)
            else:
                try:
                    self.smtp.send(ready, budget)
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
                failures[message.msg_id] = reason

    @staticmethod
    def _plan_messages(group: list[QueuedMessage]) -> list[int]:
        """Every message of the email, those of other batches too: they need not send it."""
        planned = (group[0].message.get("mail") or {}).get("msgs", [])
        return sorted({*planned, *(message.msg_id for message in group)})

    def _settle(self, messages: list[QueuedMessage], result: BatchResult,
                hooked: dict[int, list[int]], policy: Policy, began: float) -> BatchResult:
        failures = result.failures
        # Also the messages whose ticket is gone: there is no one left to tell.
        delivered = [message.msg_id for message in messages if message.msg_id not in failures]
        if delivered:
            self.queue.archive(delivered)
        result.delivered = len(delivered)
        retries: dict[int, int] = {}
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
                retries[message.msg_id] = policy.backoff_seconds(message.read_ct)
                result.retried += 1
        if retries:
            self.queue.retry_later(retries, hooked)
        log.info("batch: %s delivered, %s to retry, %s dead in %.1fs",
                 result.delivered, result.retried, result.dead, time.monotonic() - began)
        return result
