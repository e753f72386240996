"""What a person is told when a public post they voted for moved (kind post_status): the email
and the webhook payload. One email per notice (the database already sent at most one per person
per post per window), with the link to the post on the board, the one-click unfollow link of
that post (List-Unsubscribe) and the link that turns every post_status email off."""

from __future__ import annotations

from datetime import UTC
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import quote

from support_runtime.unsubscribe_tokens import sign, sign_unfollow
from support_worker import mime
from support_worker.email_messages import _POLICY, OutgoingEmail, _templates, one_line
from support_worker.queue import PostNotice
from support_worker.settings import WorkerSettings


def post_url(notice: PostNotice, settings: WorkerSettings) -> str:
    """Where the app shows a post of the public board."""
    return f"{settings.app_url}/board/posts/{notice.post_id}"


def unfollow_url(notice: PostNotice, settings: WorkerSettings) -> str:
    token = sign_unfollow(settings.jwt_secret, notice.recipient_id, notice.post_id)
    return f"{settings.api_url}/notifications/unfollow?token={quote(token)}"


def status_word(label: str | None, code: str) -> str:
    return (label or code.replace("_", " ")).lower()


def subject(notice: PostNotice) -> str:
    """"Planned: Dark mode": the new status first, as a roadmap reads."""
    return one_line(f"{notice.to_label or notice.to_status}: {notice.title}")


def message_id(notice: PostNotice, domain: str) -> str:
    """Stable per notice: a redelivered email carries the Message-ID it had."""
    return f"<post-notice-{notice.notice_id}@{domain}>"


def _bodies(notice: PostNotice, settings: WorkerSettings) -> tuple[str, str, str, str]:
    unfollow = unfollow_url(notice, settings)
    unsubscribe = (f"{settings.api_url}/notifications/unsubscribe?token="
                   f"{quote(sign(settings.jwt_secret, notice.recipient_id, [notice.kind]))}")
    context = {
        "notice": notice,
        "title": subject(notice),
        "from_word": status_word(notice.from_label, notice.from_status),
        "to_word": status_word(notice.to_label, notice.to_status),
        "post_url": post_url(notice, settings),
        "unfollow_url": unfollow,
        "unsubscribe_url": unsubscribe,
    }
    return (unfollow, unsubscribe,
            _templates.get_template("post_status.txt.j2").render(context),
            _templates.get_template("post_status.html.j2").render(context))


def build_post_email(notice: PostNotice, settings: WorkerSettings,
                     date: str | None = None) -> OutgoingEmail:
    """The email of one post_status notice."""
    unfollow, _, text, html = _bodies(notice, settings)
    headers = {
        "Subject": subject(notice),
        "From": settings.mail_from,
        "To": notice.recipient_email or "",
        "Date": date or formatdate(usegmt=True),
        "Message-ID": message_id(notice, settings.mail_domain),
        # RFC 8058: the one click unfollows this post (the body also links "stop all").
        "List-Unsubscribe": f"<{unfollow}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Support-Post": notice.post_id,
        "X-Support-Notice": str(notice.notice_id),
        "Auto-Submitted": "auto-generated",
    }
    sender = mime.plain_address(settings.mail_from)
    recipient = mime.plain_address(notice.recipient_email or "")
    if sender is None or recipient is None:
        # An address of an unusual shape: Python's email package, as for tickets' emails (it
        # raises for an address with a line break: the message goes to the dead letters).
        mail = EmailMessage(policy=_POLICY)
        for name, value in headers.items():
            mail[name] = value
        mail.set_content(text)
        mail.add_alternative(html, subtype="html")
        return OutgoingEmail(sender=parseaddr(settings.mail_from)[1],
                             recipients=[parseaddr(notice.recipient_email or "")[1]],
                             message=mail)
    headers["From"], headers["To"] = sender[0], recipient[0]
    lines = [mime.unstructured(name, value) if name in _UNSTRUCTURED
             else mime.verbatim(name, value) for name, value in headers.items()]
    data = mime.alternative(lines, [mime.text_part("plain", text), mime.text_part("html", html)])
    return OutgoingEmail(sender=sender[1], recipients=[recipient[1]], data=data, headers=headers)


_UNSTRUCTURED = frozenset({"Subject", "X-Support-Post", "X-Support-Notice"})


def webhook_id(notice: PostNotice) -> str:
    """Stable per notice: receivers drop a repeat they have seen."""
    return f"pst_{notice.notice_id}"


def payload(notice: PostNotice) -> dict[str, object]:
    """The webhook body (NotificationEvent of type post.status_changed in openapi.json)."""
    occurred = notice.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    data: dict[str, object] = {
        "notice_id": notice.notice_id,
        "post_id": notice.post_id,
        "user_id": notice.recipient_id,
        "title": notice.title,
        "summary": notice.label,
        "status": {"from": notice.from_status, "to": notice.to_status,
                   "from_label": notice.from_label, "to_label": notice.to_label},
        "occurred_at": occurred,
    }
    return {"type": "post.status_changed", "timestamp": occurred, "data": data}
