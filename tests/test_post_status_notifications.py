"""Voters told (issue 29) end to end through the stack the tests share: an agent moves a public
post and its supervised support-worker emails each voter and the author of a merged entry
(MailDev) and posts the signed webhook the companion turns into a chat notice; the actor, a
voter who turned post_status off and one who unfollowed hear nothing; a second move the same
day tells nobody; the email's one-click link unfollows the post."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator
from notification_support import Desk, MailDev, WebhookReceiver, wait_for
from standardwebhooks.webhooks import Webhook

from support_api.companion.webhook_receiver import ChatNotice, Receiver
from support_api.openapi import openapi_document
from support_runtime.tokens import mint_jwt

pytestmark = pytest.mark.local_stack


@pytest.fixture(scope="module")
def maildev(stack) -> MailDev:
    state = json.loads((Path(stack.state_dir) / "run" / "stack.json").read_text())
    return MailDev(state["mail_url"])


@pytest.fixture(scope="module")
def desk(stack, db) -> Iterator[Desk]:
    desk = Desk(db, stack.db_url)
    before = db.execute("select batch_window, post_status_window "
                        "from public.notification_settings").fetchone()
    desk.settings(batch_window="0", post_status_window="1 day")
    yield desk
    desk.settings(batch_window=before[0], post_status_window=before[1])
    desk.clean_up()


@pytest.fixture(scope="module")
def webhooks(stack, desk) -> Iterator[tuple[WebhookReceiver, str]]:
    """A receiver registered for post_status by an admin through PostgREST, as a bot does."""
    receiver = WebhookReceiver()
    admin = desk.new_agent("admin")
    with receiver.running() as url:
        answer = httpx.post(
            f"{stack.rest_url}/webhook_endpoints",
            headers={"apikey": stack.anon_key,
                     "Authorization": f"Bearer {mint_jwt(stack.jwt_secret, sub=admin)}",
                     "Prefer": "return=representation"},
            json={"url": url, "kind": "post_status"}, timeout=10)
        assert answer.status_code == 201, answer.text
        endpoint = answer.json()[0]
        yield receiver, endpoint["secret"]
        desk.db.execute("delete from public.webhook_endpoints where id = %s", (endpoint["id"],))


def rpc(stack, user: str, function: str, body: dict) -> httpx.Response:
    """A call through PostgREST with the user's JWT, as the app or the dashboard makes it."""
    return httpx.post(
        f"{stack.rest_url}/rpc/{function}", json=body, timeout=10,
        headers={"apikey": stack.anon_key,
                 "Authorization": f"Bearer {mint_jwt(stack.jwt_secret, sub=user)}"})


def post_hooks(receiver: WebhookReceiver, post: str) -> list[tuple[dict[str, str], bytes]]:
    with receiver.lock:
        return [(h, b) for h, b in receiver.received
                if json.loads(b).get("data", {}).get("post_id") == post]


def drained(desk: Desk, post: str) -> bool:
    return desk.db.execute(
        "select count(*) from pgmq.q_notifications where message ->> 'post_id' = %s",
        (post,)).fetchone()[0] == 0


def test_a_posts_move_reaches_its_voters_and_authors_once_and_nobody_else(
        stack, desk, maildev, webhooks):
    receiver, secret = webhooks
    title = f"Dark mode {uuid.uuid4().hex[:6]}"
    voter, voter_mail = desk.new_user()
    author, author_mail = desk.new_user()
    quiet, quiet_mail = desk.new_user()
    unfollower, unfollower_mail = desk.new_user()
    agent = desk.new_agent()
    agent_mail = desk.db.execute("select email from auth.users where id = %s",
                                 (agent,)).fetchone()[0]
    entry = desk.db.execute(
        "insert into public.user_feedback (user_id, category, description) "
        "values (%s, 'feature_request', 'Please, a dark theme') returning id",
        (author,)).fetchone()[0]
    published = rpc(stack, agent, "support_publish_feedback", {
        "feedback_id": str(entry), "title": title, "description": "A dark theme for the app"})
    assert published.status_code == 200, published.text
    post = published.json()["post_id"]
    for user in (voter, quiet, unfollower, agent):
        voted = rpc(stack, user, "vote_for_post", {"post_id": post})
        assert voted.status_code == 200 and voted.json()["voted"] is True, voted.text
    off = rpc(stack, quiet, "set_email_notifications", {"kinds": ["post_status"],
                                                         "enabled": False})
    assert off.status_code in (200, 204), off.text
    unfollowed = rpc(stack, unfollower, "unfollow_post", {"post_id": post})
    assert unfollowed.json() == {"post_id": post, "following": False}

    moved = rpc(stack, agent, "support_update_post", {"post_id": post, "status": "planned"})
    assert moved.status_code == 200 and moved.json()["status"] == "planned", moved.text

    for address in (voter_mail, author_mail):
        listed = maildev.wait_for_mail(address)
        assert len(listed) == 1
        mail = listed[0]
        assert mail["subject"] == f"Planned: {title}"
        assert "moved from under review to planned" in mail["text"]
        assert f'"{title}"' in mail["text"]
        assert f"http://127.0.0.1:3000/board/posts/{post}" in mail["text"]
        assert "style=" in mail["html"] and title in mail["html"]
        raw = maildev.raw(mail["id"])
        assert raw["X-Support-Post"] == post
        assert str(raw["List-Unsubscribe"]).startswith(
            f"<{stack.api_url}/notifications/unfollow?token=")
        assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f"{stack.api_url}/notifications/unsubscribe?token=" in mail["text"]

    # The webhooks: one per person told, signed, as documented; the companion's sentence.
    hooks = wait_for(lambda: len(found := post_hooks(receiver, post)) >= 2 and found, 30,
                     "two webhooks")
    document = openapi_document()
    schema = Draft202012Validator({"$ref": "#/components/schemas/NotificationEvent",
                                   "components": document["components"]})
    told: list[ChatNotice] = []
    companion = Receiver(secret, told.append)
    for headers, body in hooks:
        payload = Webhook(secret).verify(body, headers)
        schema.validate(payload)
        assert payload["type"] == "post.status_changed"
        assert headers["webhook-id"] == f"pst_{payload['data']['notice_id']}"
        assert payload["data"]["status"]["to"] == "planned"
        companion.receive(body, headers)
    assert sorted(payload_user for payload_user in (n.user_id for n in told)) == sorted(
        [voter, author])
    assert {n.text for n in told} == {f'A post you voted for, "{title}", is now planned.'}
    assert all(n.post_id == post and n.ticket_id is None for n in told)

    # Nothing for the actor, the voter who turned the kind off, the one who unfollowed.
    wait_for(lambda: drained(desk, post), 30, "the post's messages delivered")
    for address in (agent_mail, quiet_mail, unfollower_mail):
        assert maildev.to(address) == []
    assert {json.loads(b)["data"]["user_id"] for _, b in post_hooks(receiver, post)} == {
        voter, author}

    # In progress the same day: nobody is told again.
    moved = rpc(stack, agent, "support_update_post", {"post_id": post, "status": "in_progress"})
    assert moved.status_code == 200, moved.text
    time.sleep(3)  # the worker polls every second or so: a message would have gone by now
    assert drained(desk, post)
    assert len(maildev.to(voter_mail)) == 1 and len(maildev.to(author_mail)) == 1

    # The voter's one-click unfollow (what a mail client POSTs), then the shipping is told to
    # the author only (the window set to none, as a new day would).
    link = str(maildev.raw(maildev.to(voter_mail)[0]["id"])["List-Unsubscribe"]).strip("<>")
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and "Stop news of this post?" in page.text
    clicked = httpx.post(link, content="List-Unsubscribe=One-Click", timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert clicked.status_code == 200, clicked.text
    assert clicked.json() == {"post_id": post, "following": False}
    tampered = httpx.post(link.replace("token=", "token=x"), timeout=10)
    assert tampered.status_code == 400
    assert tampered.json()["message"] == "The unfollow link is not valid"
    # An unsubscribe token is no unfollow token.
    unsubscribe = next(word for word in maildev.to(voter_mail)[0]["text"].split()
                       if "/notifications/unsubscribe?token=" in word)
    swapped = httpx.post(link.split("?")[0] + "?" + unsubscribe.split("?", 1)[1], timeout=10)
    assert swapped.status_code == 400

    desk.settings(post_status_window="0")
    try:
        moved = rpc(stack, agent, "support_update_post", {"post_id": post, "status": "shipped"})
        assert moved.status_code == 200, moved.text
        shipped = maildev.wait_for_mail(author_mail, count=2)
        assert sorted(mail["subject"] for mail in shipped) == [f"Planned: {title}",
                                                               f"Shipped: {title}"]
        wait_for(lambda: drained(desk, post), 30, "the shipping delivered")
        assert len(maildev.to(voter_mail)) == 1
    finally:
        desk.settings(post_status_window="1 day")
