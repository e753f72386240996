"""The email bytes written directly (support_worker.mime) against Python's `email` package:
for tricky input, the `email` parser reads from the new bytes every header and part the old
builder (`build_email_message`) put in the same email, and the bytes keep to RFC 5322/2045/
2047 line rules. No stack needed."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import unquote

import pytest

from support_runtime.unsubscribe_tokens import verify_unfollow
from support_worker.email_messages import build_email, build_email_message
from support_worker.post_notices import build_post_email
from support_worker.queue import Event, PostNotice
from support_worker.settings import WorkerSettings

DATE = "Sat, 05 Dec 2026 05:30:00 GMT"
SETTINGS = WorkerSettings(db_url="postgresql://unused", jwt_secret="x" * 40,
                          app_url="http://127.0.0.1:3000", api_url="http://127.0.0.1/api")


def event(number: int = 1, subject: str = "Charged twice", reply: str | None = "Refunded",
          kind: str = "reply", label: str = "Support replied to your ticket.",
          email: str = "owner@example.test", **changes: str | None) -> Event:
    values: dict = {"event_kind": "public_reply", "from_value": None, "to_value": None,
                    "from_label": None, "to_label": None, **changes}
    return Event(event_id=4700 + number, kind=kind, label=label,
                 ticket_id="00000000-0000-4000-8000-000000000001", subject=subject,
                 recipient_id="00000000-0000-4000-8000-0000000000aa", recipient_email=email,
                 email_wanted=True, reply=reply, occurred_at=datetime.now(UTC), **values)


LONG_LINE = "Ünïcödé words without a line break, " * 40
CASES: dict[str, list[Event]] = {
    "ascii": [event()],
    "non-ASCII subject and reply": [event(subject="Zweimal belastet \u2013 März 💳 «Grüße»",
                                          reply="Wir haben erstattet. Grüße, Jürgen ✓")],
    "quotes and markup": [event(subject='He said "refund" <b>now</b> & \'later\'',
                                reply='<script>alert("x")</script> "quoted" & \'single\'')],
    "CR/LF injection in the subject": [event(subject="Charged twice\r\nBcc: evil@example.test",
                                             reply="x\r\nBcc: evil@example.test")],
    "an encoded word typed as text": [event(subject="=?utf-8?q?Bcc=3A_x?= looks encoded")],
    "spaces and a tab": [event(subject="  two  spaces\tand a tab  ")],
    "long ASCII subject": [event(subject="word " * 230)],
    "long non-ASCII subject": [event(subject="Ärger " * 120)],
    "long lines in the reply": [event(reply=LONG_LINE + "\n" + "plain " * 300 + "\n")],
    "dots, From and trailing spaces": [event(reply=".\n.. two\nFrom here on \nend   \n\n")],
    "bare CR and CRLF in the reply": [event(reply="one\rtwo\r\nthree\n\nfour")],
    "only non-ASCII (base64)": [event(subject="Кириллица", reply="Привет, мир! " * 30)],
    "status, resolution, many events": [
        event(n, kind="status_changed", label="The status of your ticket changed.",
              reply=None, event_kind="status", from_value="open", to_value="pending",
              from_label="Open", to_label="Waiting for you") for n in range(180)] + [
        event(999, kind="resolved", label="Your ticket was resolved.", reply=None,
              event_kind="resolution", to_value="Fixed \u2013 for «good»")],
}


def parsed(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def assert_same_email(new: EmailMessage, old: EmailMessage, subject: str) -> None:
    assert [name for name, _ in new.items()] == [name for name, _ in old.items()]
    for name, value in old.items():
        if name == "Content-Type":  # the boundary is random in both
            assert new.get_params() == [p if p[0] != "boundary" else ("boundary",
                                        new.get_boundary()) for p in old.get_params()]
        elif name == "Subject" and "=?" in subject:
            # The email package writes a typed "=?...?=" as it is, which every reader then
            # decodes (into another text); the bytes encode it, so it reads as typed.
            assert str(new[name]) == subject
        else:
            assert str(new[name]) == str(value), name
    assert new.get_content_type() == old.get_content_type() == "multipart/alternative"
    new_parts, old_parts = list(new.iter_parts()), list(old.iter_parts())
    assert [p.get_content_type() for p in new_parts] == ["text/plain", "text/html"]
    assert [p.get_content_type() for p in old_parts] == ["text/plain", "text/html"]
    for new_part, old_part in zip(new_parts, old_parts, strict=True):
        assert new_part.get_content_charset() == old_part.get_content_charset() == "utf-8"
        assert new_part.get_content() == old_part.get_content()
        assert not new_part.defects


def assert_well_formed(data: bytes) -> None:
    assert data.isascii()
    assert b"\n" not in data.replace(b"\r\n", b""), "CRLF only"
    assert b"\r" not in data.replace(b"\r\n", b"")
    head, _, body = data.partition(b"\r\n\r\n")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    for word in re.findall(rb"=\?[^?]+\?[bBqQ]\?[^?]*\?=", head):
        assert len(word) <= 75, "RFC 2047: an encoded word is at most 75 characters"
    boundary = parsed(data).get_boundary().encode()
    parts = body.split(b"--" + boundary)
    assert len(parts) == 4 and parts[-1] == b"--\r\n"
    for part in parts[1:-1]:
        part_head, _, part_body = part.partition(b"\r\n\r\n")
        if b"7bit" not in part_head:
            assert all(len(line) <= 76 for line in part_body.split(b"\r\n")), "RFC 2045"


@pytest.mark.parametrize("case", CASES)
def test_the_bytes_read_back_as_the_email_the_email_package_builds(case: str):
    events = CASES[case]
    built = build_email(events, SETTINGS, date=DATE)
    assert built.message is None, "the fast path"
    assert_well_formed(built.data)
    new = parsed(built.data)
    assert not new.defects
    old = parsed(build_email_message(events, SETTINGS, date=DATE).as_bytes())
    assert_same_email(new, old, built["Subject"] or "")
    assert (built.sender, built.recipients) == ("support@sage.local", ["owner@example.test"])
    assert built["Subject"] == str(new["Subject"])
    assert new["Bcc"] is None


def test_the_same_events_have_the_same_message_id_and_a_fresh_boundary():
    first, again = (build_email(CASES["ascii"], SETTINGS) for _ in range(2))
    assert parsed(first.data)["Message-ID"] == parsed(again.data)["Message-ID"]
    assert parsed(first.data).get_boundary() != parsed(again.data).get_boundary()
    assert str(parsed(first.data)["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert str(parsed(first.data)["List-Unsubscribe"]).startswith(
        "<http://127.0.0.1/api/notifications/unsubscribe?token=")


@pytest.mark.parametrize("mail_from", ['"Sage, Support" <support@sage.local>',
                                       "Sägé Süppört <support@sage.local>"])
def test_an_unusual_sender_is_built_by_the_email_package(mail_from: str):
    settings = dataclasses.replace(SETTINGS, mail_from=mail_from)
    built = build_email(CASES["non-ASCII subject and reply"], settings, date=DATE)
    assert built.message is not None
    assert (built.sender, built.recipients) == ("support@sage.local", ["owner@example.test"])
    assert str(built.message["From"]) == mail_from


def test_an_address_with_a_line_break_cannot_be_built():
    with pytest.raises(ValueError):
        build_email([event(email="owner@example.test\r\nBcc: x@example.test")], SETTINGS)


def post_notice(title: str = "Dark mode", email: str = "voter@example.test") -> PostNotice:
    return PostNotice(notice_id=42, kind="post_status", label="A post you voted for moved.",
                      post_id="00000000-0000-4000-8000-0000000000b1", title=title,
                      from_status="under_review", to_status="in_progress",
                      from_label="Under review", to_label="In progress",
                      recipient_id="00000000-0000-4000-8000-0000000000aa",
                      recipient_email=email, wanted=True, occurred_at=datetime.now(UTC))


@pytest.mark.parametrize("title", ["Dark mode", "Mode sombre \u2013 «nuit» 🌙 =?utf-8?q?x?="])
def test_a_post_status_email_reads_back_with_its_links(title):
    """The email of a post's move (support_worker.post_notices): the subject names the new
    status and the title, the body the move and the post's link, the one click unfollows."""
    notice = post_notice(title)
    mail = build_post_email(notice, SETTINGS, date=DATE)
    parsed = message_from_bytes(mail.data, policy=policy.default)
    assert parsed["Subject"] == f"In progress: {title}"
    assert parsed["Message-ID"] == "<post-notice-42@sage.local>"
    assert parsed["X-Support-Post"] == notice.post_id
    unfollow = str(parsed["List-Unsubscribe"]).strip("<>")
    assert unfollow.startswith("http://127.0.0.1/api/notifications/unfollow?token=")
    token = unquote(unfollow.split("token=", 1)[1])
    assert verify_unfollow(SETTINGS.jwt_secret, token) == (notice.recipient_id, notice.post_id)
    text = parsed.get_body(("plain",)).get_content()
    assert "moved from under review to in progress" in text and f'"{title}"' in text
    assert f"http://127.0.0.1:3000/board/posts/{notice.post_id}" in text
    assert "/notifications/unsubscribe?token=" in text
    html = parsed.get_body(("html",)).get_content()
    assert "&ldquo;" in html and ("«nuit»" in html or "Dark mode" in html)


def test_a_post_status_email_to_an_unusual_address_is_built_by_the_email_package():
    mail = build_post_email(post_notice(email='"Zoë, voter" <zoe@example.test>'), SETTINGS,
                            date=DATE)
    assert mail.message is not None and mail.recipients == ["zoe@example.test"]
    assert mail["Subject"] == "In progress: Dark mode"
