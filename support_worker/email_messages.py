"""One email per (user, ticket) batch of events: text and HTML from Jinja2 templates.

`build_email` writes the message's bytes directly (support_worker.mime); an address of an
unusual shape (a quoted or non-ASCII display name, a non-ASCII mailbox) is built by Python's
`email` package instead (`build_email_message`, the builder before issue 28's second round),
which the tests also use as the reference the bytes are compared with."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from support_runtime.unsubscribe_tokens import sign
from support_worker import mime
from support_worker.queue import Event
from support_worker.settings import WorkerSettings

# Long headers stay one line up to SMTP's limit: a folded List-Unsubscribe URL would be
# encoded as RFC 2047 words, which mail clients do not read as a link.
_POLICY = policy.SMTP.clone(max_line_length=998)

# Controls and line separators: the database refuses them in one-line fields, but a row filed
# before that rule (or a label an admin wrote in Studio) must not cost the ticket its emails.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

_templates = Environment(
    loader=PackageLoader("support_worker", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
    trim_blocks=True,
    lstrip_blocks=True,
)
# A value's label from its vocabulary (public.ticket_statuses, ...), as a word in a sentence;
# the code itself for a value the vocabulary no longer has.
_templates.filters["word"] = lambda label, code: (label or code or "").lower()


def one_line(value: str) -> str:
    """`value` fit for a header: each run of control characters becomes one space."""
    return _NOT_ONE_LINE.sub(" ", value).strip()


def message_id(events: list[Event], domain: str) -> str:
    """Stable for the same events: a redelivered email carries the Message-ID it had."""
    ids = ",".join(str(event.event_id) for event in sorted(events, key=lambda e: e.event_id))
    return f"<notification-{hashlib.sha256(ids.encode()).hexdigest()[:32]}@{domain}>"


@dataclass(frozen=True)
class _Parts:
    """What either builder puts in the email: the subject, the link and the two bodies."""

    events: list[Event]
    subject: str
    unsubscribe_url: str
    text: str
    html: str

    @classmethod
    def of(cls, events: list[Event], settings: WorkerSettings) -> _Parts:
        events = sorted(events, key=lambda event: event.event_id)
        first = events[0]
        kinds = sorted({event.kind for event in events})
        unsubscribe_url = (f"{settings.api_url}/notifications/unsubscribe?token="
                           f"{quote(sign(settings.jwt_secret, first.recipient_id, kinds))}")
        ticket_url = f"{settings.app_url}/tickets/{first.ticket_id}"
        context = {
            "events": events,
            "subject": first.subject,
            "title": events[-1].label,
            "ticket_url": ticket_url,
            "rate_url": f"{ticket_url}?rate=1",
            "resolved": any(event.kind == "resolved" for event in events),
            "unsubscribe_url": unsubscribe_url,
        }
        label = events[-1].label if len(events) == 1 else "Updates on your ticket."
        return cls(events=events, subject=one_line(f"{label.rstrip('.')}: {first.subject}"),
                   unsubscribe_url=unsubscribe_url,
                   text=_templates.get_template("notification.txt.j2").render(context),
                   html=_templates.get_template("notification.html.j2").render(context))


@dataclass(frozen=True)
class OutgoingEmail:
    """An email ready for SMTP: the envelope and the message's bytes (`message` instead of
    them when the `email` package built it). `email["Subject"]` reads a header's value."""

    sender: str
    recipients: list[str]
    data: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    message: EmailMessage | None = None

    def __getitem__(self, name: str) -> str | None:
        if self.message is not None:
            value = self.message[name]
            return None if value is None else str(value)
        return self.headers.get(name)


def build_email(events: list[Event], settings: WorkerSettings,
                date: str | None = None) -> OutgoingEmail:
    """The email for `events`, all of one ticket and one recipient, oldest first."""
    # The address is not mended: one with a line break is no address, and the email goes to
    # the dead letters (see delivery.py) rather than to someone else.
    sender = mime.plain_address(settings.mail_from)
    recipient = mime.plain_address(first_email := events[0].recipient_email or "")
    if sender is None or recipient is None:
        message = build_email_message(events, settings, date)
        return OutgoingEmail(sender=parseaddr(settings.mail_from)[1],
                             recipients=[parseaddr(first_email)[1]], message=message)
    parts = _Parts.of(events, settings)
    events, first = parts.events, parts.events[0]
    headers = {
        "Subject": parts.subject,
        "From": sender[0],
        "To": recipient[0],
        "Date": date or formatdate(usegmt=True),
        "Message-ID": message_id(events, settings.mail_domain),
        # RFC 8058: a mail client may unsubscribe with one POST, without opening a page.
        "List-Unsubscribe": f"<{parts.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Support-Ticket": first.ticket_id,
        "X-Support-Events": ",".join(str(event.event_id) for event in events),
        "Auto-Submitted": "auto-generated",
    }
    lines = [mime.unstructured(name, value) if name in _UNSTRUCTURED
             else mime.verbatim(name, value) for name, value in headers.items()]
    data = mime.alternative(lines, [mime.text_part("plain", parts.text),
                                    mime.text_part("html", parts.html)])
    return OutgoingEmail(sender=sender[1], recipients=[recipient[1]], data=data,
                         headers=headers)


_UNSTRUCTURED = frozenset({"Subject", "X-Support-Ticket", "X-Support-Events"})


def build_email_message(events: list[Event], settings: WorkerSettings,
                        date: str | None = None) -> EmailMessage:
    """The email for `events` built by Python's `email` package: what `build_email` falls
    back to for unusual addresses, and the reference its bytes are tested against."""
    parts = _Parts.of(events, settings)
    events, first = parts.events, parts.events[0]
    mail = EmailMessage(policy=_POLICY)
    mail["Subject"] = parts.subject
    # The address is not mended: one with a line break is no address, and the email goes to
    # the dead letters (see delivery.py) rather than to someone else.
    mail["From"] = settings.mail_from
    mail["To"] = first.recipient_email or ""
    mail["Date"] = date or formatdate(usegmt=True)
    mail["Message-ID"] = message_id(events, settings.mail_domain)
    # RFC 8058: a mail client may unsubscribe with one POST, without opening a page.
    mail["List-Unsubscribe"] = f"<{parts.unsubscribe_url}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["X-Support-Ticket"] = first.ticket_id
    mail["X-Support-Events"] = ",".join(str(event.event_id) for event in events)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(parts.text)
    mail.add_alternative(parts.html, subtype="html")
    return mail
