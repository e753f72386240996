"""Notifications end to end through the stack the tests share: its supervised support-worker
delivers an agent's reply to MailDev and to a webhook receiver; what must send nothing sends
nothing; the one-click unsubscribe stops the next email; the companion's webhook receiver tells
the user and refuses what support did not sign."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest
from jsonschema import Draft202012Validator
from notification_support import Desk, MailDev, WebhookReceiver, event_ids_of, wait_for
from standardwebhooks.webhooks import Webhook

from support_api.companion.webhook_receiver import ChatNotice, Receiver, wsgi_app
from support_api.openapi import openapi_document
from support_runtime.tokens import mint_jwt
from support_worker.email_messages import build_email
from support_worker.queue import Event
from support_worker.settings import WorkerSettings

pytestmark = pytest.mark.local_stack


@pytest.fixture(scope="module")
def maildev(stack) -> MailDev:
    state = json.loads((Path(stack.state_dir) / "run" / "stack.json").read_text())
    return MailDev(state["mail_url"])


@pytest.fixture(scope="module")
def desk(stack, db) -> Iterator[Desk]:
    desk = Desk(db, stack.db_url)
    before = db.execute("select batch_window from public.notification_settings").fetchone()[0]
    # No batching wait: each test's changes are sent as soon as the worker polls.
    desk.settings(batch_window="0")
    yield desk
    desk.settings(batch_window=before)
    desk.clean_up()


@pytest.fixture(scope="module")
def webhooks(stack, desk) -> Iterator[tuple[WebhookReceiver, str]]:
    receiver = WebhookReceiver()
    admin = desk.new_agent("admin")
    with receiver.running() as url:
        token = mint_jwt(stack.jwt_secret, sub=admin)
        answer = httpx.post(
            f"{stack.rest_url}/webhook_endpoints",
            headers={"apikey": stack.anon_key, "Authorization": f"Bearer {token}",
                     "Prefer": "return=representation"},
            json={"url": url, "kind": "reply"}, timeout=10)
        assert answer.status_code == 201, answer.text
        endpoint = answer.json()[0]
        yield receiver, endpoint["secret"]
        desk.db.execute("delete from public.webhook_endpoints where id = %s", (endpoint["id"],))


def as_agent(stack, agent: str, rpc: str, body: dict) -> None:
    """An agent's operation through PostgREST, with their JWT, as the dashboard calls it."""
    answer = httpx.post(
        f"{stack.rest_url}/rpc/{rpc}", json=body, timeout=10,
        headers={"apikey": stack.anon_key,
                 "Authorization": f"Bearer {mint_jwt(stack.jwt_secret, sub=agent)}"})
    assert answer.status_code == 200, answer.text


def test_an_agents_reply_reaches_the_user_by_email_and_the_webhook(stack, desk, maildev,
                                                                   webhooks):
    receiver, secret = webhooks
    owner, address = desk.new_user()
    agent = desk.new_agent()
    ticket = desk.new_ticket(owner, subject="Charged twice in March")
    as_agent(stack, agent, "support_reply",
             {"ticket_id": ticket, "body": "We refunded the second charge today."})

    listed = maildev.wait_for_mail(address)[0]
    assert listed["subject"] == "Support replied to your ticket: Charged twice in March"
    assert "We refunded the second charge today." in listed["text"]
    assert f"http://127.0.0.1:3000/tickets/{ticket}" in listed["text"]
    assert "style=" in listed["html"] and "We refunded the second charge today." in listed["html"]
    raw = maildev.raw(listed["id"])
    event = desk.db.execute("select id from public.ticket_events where ticket_id = %s "
                            "and kind = 'public_reply'", (ticket,)).fetchone()[0]
    assert event_ids_of(raw) == [event]
    assert re.fullmatch(r"<notification-[0-9a-f]{32}@sage\.local>", str(raw["Message-ID"]))
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(rf"<{re.escape(stack.api_url)}/notifications/unsubscribe\?token=\S+>",
                        str(raw["List-Unsubscribe"]))
    assert raw["To"] == address

    headers, body = wait_for(lambda: receiver.for_ticket(ticket), 30, "the webhook")[0]
    assert headers["webhook-id"] == f"evt_{event}"
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "ticket.reply"
    assert payload["data"]["reply"] == "We refunded the second charge today."
    assert payload["data"]["user_id"] == owner
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(body.replace(b"refunded", b"REFUNDED"), headers)


def test_an_internal_note_and_a_rolled_back_reply_send_nothing(desk, maildev, webhooks):
    receiver, _ = webhooks
    owner, address = desk.new_user()
    agent = desk.new_agent()
    ticket = desk.new_ticket(owner)
    desk.reply(agent, ticket, "Internal: the card issuer flagged it", internal=True)
    with desk.acting_as(agent, commit=False) as connection:
        connection.execute("select public.support_reply(%s)", (json.dumps(
            {"ticket_id": ticket, "body": "A reply that never happened"}),))
    # What did send: the next public reply, the marker that the worker got this far.
    desk.reply(agent, ticket, "Marker reply")

    mails = maildev.wait_for_mail(address)
    wait_for(lambda: receiver.for_ticket(ticket), 30, "the marker's webhook")
    assert len(mails) == 1
    assert "Marker reply" in mails[0]["text"]
    for hidden in ("card issuer", "never happened"):
        assert hidden not in mails[0]["text"] and hidden not in mails[0]["html"]
    assert [json.loads(body)["data"]["reply"] for _, body in receiver.for_ticket(ticket)] == [
        "Marker reply"]


def test_a_rules_notice_reaches_the_webhooks_of_its_kind_and_never_the_users_mailbox(
        stack, desk, maildev):
    receiver = WebhookReceiver()
    admin = desk.new_agent("admin")
    word = f"notice-{uuid.uuid4().hex[:12]}"
    rest = {"apikey": stack.anon_key, "Prefer": "return=representation",
            "Authorization": f"Bearer {mint_jwt(stack.jwt_secret, sub=admin)}"}
    with receiver.running() as url:
        endpoint = httpx.post(f"{stack.rest_url}/webhook_endpoints", headers=rest, timeout=10,
                              json={"url": url, "kind": "rule_notice"})
        assert endpoint.status_code == 201, endpoint.text
        rule = httpx.post(f"{stack.rest_url}/ticket_rules", headers=rest, timeout=10, json={
            "name": word, "on_events": ["created"],
            "conditions": [{"field": "subject", "op": "contains", "value": word}],
            "actions": [{"action": "notify_webhook", "value": "A ticket the team watches."}]})
        assert rule.status_code == 201, rule.text
        try:
            owner, address = desk.new_user()
            ticket = desk.new_ticket(owner, subject=f"About {word}")
            headers, body = wait_for(lambda: receiver.for_ticket(ticket), 30, "the notice")[0]
            notice = Webhook(endpoint.json()[0]["secret"]).verify(body, headers)
            assert notice["type"] == "ticket.rule_notice"
            assert notice["data"]["notice"] == "A ticket the team watches."
            assert notice["data"]["ticket_id"] == ticket
            desk.reply(desk.new_agent(), ticket, "Marker reply")
            mails = maildev.wait_for_mail(address)
            assert len(mails) == 1 and "Marker reply" in mails[0]["text"]
            assert "watches" not in mails[0]["text"]
        finally:
            desk.db.execute("delete from public.ticket_rules where name = %s", (word,))
            desk.db.execute("delete from public.webhook_endpoints where id = %s",
                            (endpoint.json()[0]["id"],))


def test_the_owners_own_reply_sends_them_nothing(desk, maildev):
    owner, address = desk.new_user()
    agent = desk.new_agent()
    ticket = desk.new_ticket(owner)
    with desk.acting_as(owner) as connection:
        connection.execute("insert into public.ticket_messages (ticket_id, body) "
                           "values (%s, 'Any news?')", (ticket,))
    desk.reply(agent, ticket, "Marker reply")
    mails = maildev.wait_for_mail(address)
    assert len(mails) == 1 and "Any news?" not in mails[0]["text"]


def test_unsubscribe_stops_the_next_email_of_that_kind(stack, desk, maildev):
    owner, address = desk.new_user()
    agent = desk.new_agent()
    ticket = desk.new_ticket(owner)
    desk.reply(agent, ticket, "First answer")
    first = maildev.raw(maildev.wait_for_mail(address)[0]["id"])
    link = str(first["List-Unsubscribe"]).strip("<>")

    # What a mail client does for RFC 8058: one POST, no page, no cookie.
    answer = httpx.post(link, content="List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"unsubscribed": ["reply"]}
    tampered = httpx.post(link.replace("token=", "token=x"), timeout=10)
    assert tampered.status_code == 400
    assert tampered.json()["message"] == "The unsubscribe link is not valid"

    desk.reply(agent, ticket, "Second answer, not emailed")
    with desk.acting_as(agent) as connection:
        connection.execute("select public.support_update_ticket(%s)", (json.dumps(
            {"ticket_id": ticket, "status": "resolved", "resolution": "Refunded"}),))
    mails = maildev.wait_for_mail(address, count=2)
    latest = max(mails, key=lambda mail: mail["time"])
    assert latest["subject"].startswith("Your ticket was resolved")
    assert "Rate our answer" in latest["text"]
    assert all("Second answer" not in mail["text"] for mail in mails)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def companion(stack, desk) -> Iterator[tuple[list[ChatNotice], list[tuple[dict, bytes]], str,
                                             str]]:
    """The companion's receiving module behind a real HTTP server, registered as the bot
    registers it: one endpoint per kind it relays, by an admin through PostgREST."""
    told: list[ChatNotice] = []
    arrived: list[tuple[dict, bytes]] = []
    # The bot's own secret, the same for each kind it registers.
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    app = wsgi_app(Receiver(secret, told.append))

    def recording(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        arrived.append(({k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                         if k.startswith("HTTP_")}, body))
        environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, recording, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/companion/webhook"
    admin = mint_jwt(stack.jwt_secret, sub=desk.new_agent("admin"))
    answer = httpx.post(
        f"{stack.rest_url}/webhook_endpoints",
        headers={"apikey": stack.anon_key, "Authorization": f"Bearer {admin}",
                 "Prefer": "return=representation"},
        json=[{"url": url, "kind": kind, "secret": secret}
              for kind in ("reply", "status_changed", "resolved")],
        timeout=10)
    assert answer.status_code == 201, answer.text
    yield told, arrived, url, secret
    desk.db.execute("delete from public.webhook_endpoints where id = any(%s)",
                    ([row["id"] for row in answer.json()],))
    server.shutdown()
    server.server_close()


def test_the_companion_tells_the_user_of_a_reply_and_refuses_a_tampered_event(
        stack, desk, companion):
    told, arrived, url, secret = companion
    owner, _ = desk.new_user()
    agent = desk.new_agent()
    ticket = desk.new_ticket(owner, subject="Charged twice in March")
    as_agent(stack, agent, "support_reply",
             {"ticket_id": ticket, "body": "We refunded the second charge today."})
    notice = wait_for(lambda: [n for n in told if n.ticket_id == ticket], 30, "the notice")[0]
    event = desk.db.execute("select id from public.ticket_events where ticket_id = %s "
                            "and kind = 'public_reply'", (ticket,)).fetchone()[0]
    assert notice == ChatNotice(f"evt_{event}", owner, ticket,
                                'Support replied to your ticket about "Charged twice in '
                                'March". Open the app to read the answer.')

    headers, body = next((h, b) for h, b in arrived if h["webhook-id"] == f"evt_{event}")
    # The body is what the API reference documents (the OpenAPI document's webhook).
    document = openapi_document()
    Draft202012Validator({"$ref": "#/components/schemas/NotificationEvent",
                          "components": document["components"]}).validate(json.loads(body))
    sent = {**{name: headers[name] for name in ("webhook-id", "webhook-timestamp",
                                                "webhook-signature")},
            "content-type": "application/json"}
    # The same event again (what a retry looks like): accepted, not told twice.
    assert httpx.post(url, content=body, headers=sent, timeout=10).status_code == 204
    tampered = httpx.post(url, content=body.replace(b"Charged twice", b"Charged thrice"),
                          headers=sent, timeout=10)
    assert tampered.status_code == 401
    assert tampered.json() == {"message": "the webhook-signature does not match the body"}
    old = datetime.now(UTC) - timedelta(minutes=10)
    stale = {**sent, "webhook-timestamp": str(int(old.timestamp())),
             "webhook-signature": Webhook(secret).sign(sent["webhook-id"], old, body.decode())}
    refused = httpx.post(url, content=body, headers=stale, timeout=10)
    assert refused.status_code == 401
    assert refused.json() == {"message": "the webhook-timestamp is more than five minutes old"}
    assert [n.text for n in told if n.ticket_id == ticket] == [notice.text]

    # The other kinds the bot relays, as the user reads them.
    for change in ({"status": "in_progress"}, {"status": "resolved", "resolution": "Refunded"}):
        as_agent(stack, agent, "support_update_ticket", {"ticket_id": ticket, **change})
    wait_for(lambda: len([n for n in told if n.ticket_id == ticket]) >= 3, 30, "two notices")
    assert [n.text for n in told if n.ticket_id == ticket][1:] == [
        'The status of your ticket about "Charged twice in March" is now in progress.',
        'Support resolved your ticket about "Charged twice in March". If the answer helped, '
        "you can rate it in the app."]
    assert "Refunded" not in " ".join(n.text for n in told)


def test_a_subject_filed_before_the_one_line_rule_still_heads_its_email():
    """A ticket stored with a CR/LF in its subject (before the database refused one) or a label
    an admin wrote so: each run of controls becomes one space, and the email is built."""
    settings = WorkerSettings(db_url="postgresql://unused", jwt_secret="x" * 40,
                              app_url="http://127.0.0.1:3000", api_url="http://127.0.0.1/api")
    event = Event(event_id=1, kind="reply", label="Support replied\u2028to your ticket.",
                  ticket_id="00000000-0000-4000-8000-000000000001",
                  subject="Charged twice\r\nBcc: someone@example.test", recipient_id="u",
                  recipient_email="owner@example.test", email_wanted=True,
                  event_kind="public_reply", from_value=None, to_value=None, from_label=None,
                  to_label=None, reply="Refunded",
                  occurred_at=datetime.now(UTC))
    mail = build_email([event], settings)
    assert mail["Subject"] == ("Support replied to your ticket: "
                               "Charged twice Bcc: someone@example.test")
    assert mail["Bcc"] is None


def test_an_email_that_cannot_be_built_goes_to_the_dead_letters_at_once(desk, maildev):
    """An address with a line break cannot head an email, on any attempt: its message is
    buried on the first, and the worker goes on with everyone else's mail."""
    broken, _ = desk.new_user()
    desk.db.execute("update auth.users set email = %s where id = %s",
                    ("broken@example.test\r\nBcc: x@example.test", broken))
    owner, address = desk.new_user()
    agent = desk.new_agent()
    stuck, other = desk.new_ticket(broken), desk.new_ticket(owner)
    desk.reply(agent, stuck, "Refunded")
    desk.reply(agent, other, "Marker reply")

    assert len(maildev.wait_for_mail(address)) == 1
    dead = wait_for(lambda: desk.db.execute(
        "select attempts, reason from public.dead_notifications "
        "where message ->> 'ticket_id' = %s", (stuck,)).fetchall(), 30, "the dead letter")
    assert dead == [(1, "email cannot be built: ValueError")]
    assert desk.db.execute("select count(*) from pgmq.q_notifications "
                           "where message ->> 'ticket_id' = %s", (stuck,)).fetchone()[0] == 0
