"""One email per (user, ticket) batch of events: text and HTML from Jinja2 templates."""

from __future__ import annotations

import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from support_runtime.unsubscribe_tokens import sign
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


def build_email(events: list[Event], settings: WorkerSettings) -> EmailMessage:
    """The email for `events`, all of one ticket and one recipient, oldest first."""
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
    mail = EmailMessage(policy=_POLICY)
    label = events[-1].label if len(events) == 1 else "Updates on your ticket."
    mail["Subject"] = one_line(f"{label.rstrip('.')}: {first.subject}")
    # The address is not mended: one with a line break is no address, and the email goes to
    # the dead letters (see delivery.py) rather than to someone else.
    mail["From"] = settings.mail_from
    mail["To"] = first.recipient_email or ""
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message_id(events, settings.mail_domain)
    # RFC 8058: a mail client may unsubscribe with one POST, without opening a page.
    mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["X-Support-Ticket"] = first.ticket_id
    mail["X-Support-Events"] = ",".join(str(event.event_id) for event in events)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(_templates.get_template("notification.txt.j2").render(context))
    mail.add_alternative(_templates.get_template("notification.html.j2").render(context),
                         subtype="html")
    return mail
