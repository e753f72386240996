"""Webhook endpoints never point inside the network: refused at registration by the database
(a 400 naming the rule, through PostgREST) and at delivery by the worker, after DNS resolution
and without following redirects; loopback receivers only with the local-development setting."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from notification_support import Desk, WebhookReceiver

from support_runtime.tokens import mint_jwt
from support_worker.queue import Event, Webhook
from support_worker.settings import WorkerSettings, WorkerSettingsError
from support_worker.webhook_address import RefusedAddress, resolve
from support_worker.webhooks import WebhookFailed, WebhookSender

INTERNAL = "url must point to a public address: loopback, private, link-local, unique-local, " \
    "multicast and unspecified addresses are refused"
SCHEME = "url must be an https:// URL without spaces or control characters"
HOST = "url's host must be a DNS name, a dotted-decimal IPv4 address or a bracketed IPv6 " \
    "address (no decimal, hexadecimal or octal numbers, no IPv4-mapped IPv6)"

EVENT = Event(event_id=1, kind="reply", label="Support replied", ticket_id="t", subject="s",
              recipient_id="u", recipient_email=None, email_wanted=False, event_kind="public_reply",
              from_value=None, to_value=None, from_label=None, to_label=None,
              reply="hello", occurred_at=datetime.now(UTC))
SECRET = "whsec_" + "A" * 32


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5432/", "https://127.0.0.1/", "https://localhost:5432/", "https://[::1]/",
    "https://169.254.169.254/latest/meta-data/", "https://10.1.2.3/", "https://172.20.0.1/",
    "https://192.168.0.1/", "https://0.0.0.0/", "https://[::]/", "https://[fe80::1]/",
    "https://[fd12::1]/", "https://239.1.1.1/", "https://[ff02::1]/", "https://100.64.0.1/",
    "https://0x7f000001/", "https://2130706433/", "https://0177.0.0.1/", "https://127.1/",
    "https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/", "https://%31%32%37.0.0.1/",
    "https://127.0.0.1\\@bot.example/", "file:///etc/passwd", "gopher://bot.example/",
    "http://bot.example/",
])
def test_the_worker_refuses_internal_and_numeric_trick_addresses(url):
    with pytest.raises(RefusedAddress):
        resolve(url, allow_loopback=False)


def test_a_name_is_judged_by_the_addresses_it_resolves_to():
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 443)}
    except OSError:
        pytest.skip("this machine's name does not resolve")
    if not all(address.startswith(("127.", "::1")) for address in addresses):
        pytest.skip("this machine's name resolves to a public address")
    with pytest.raises(RefusedAddress, match="loopback"):
        resolve(f"https://{name}/hook", allow_loopback=False)


def test_loopback_is_allowed_only_by_the_local_setting_and_nothing_else_is():
    assert str(resolve("http://127.0.0.1:8080/hook", allow_loopback=True).address) == "127.0.0.1"
    assert str(resolve("http://localhost:8080/hook", allow_loopback=True).address) == "127.0.0.1"
    for url in ("http://10.0.0.1/", "https://169.254.169.254/", "https://0x7f000001/"):
        with pytest.raises(RefusedAddress):
            resolve(url, allow_loopback=True)
    assert not WorkerSettings.from_env(worker_env()).webhook_allow_loopback
    assert WorkerSettings.from_env(
        worker_env(SUPPORT_WORKER_WEBHOOK_ALLOW_LOOPBACK="true")).webhook_allow_loopback
    with pytest.raises(WorkerSettingsError, match="SUPPORT_WORKER_WEBHOOK_ALLOW_LOOPBACK"):
        WorkerSettings.from_env(worker_env(SUPPORT_WORKER_WEBHOOK_ALLOW_LOOPBACK="maybe"))


def worker_env(**extra: str) -> dict[str, str]:
    return {"SUPPORT_WORKER_DB_URL": "postgresql://x", "SUPABASE_JWT_SECRET": "s" * 32,
            "SUPPORT_APP_URL": "http://127.0.0.1:3000", "SUPABASE_URL": "http://127.0.0.1:1",
            **extra}


def test_the_sender_posts_to_a_loopback_receiver_only_with_the_local_setting():
    receiver = WebhookReceiver()
    with receiver.running() as url:
        refusing = WebhookSender(timeout=5, allow_loopback=False)
        with pytest.raises(WebhookFailed, match="refused, a loopback address"):
            refusing.send(Webhook(id=1, url=url, kind="reply", secret=SECRET), EVENT)
        assert receiver.received == []
        local = WebhookSender(timeout=5, allow_loopback=True)
        local.send(Webhook(id=1, url=url, kind="reply", secret=SECRET), EVENT)
        assert len(receiver.received) == 1
        assert receiver.received[0][0]["host"] == url.split("/")[2]


@contextmanager
def redirecting_to(location: str) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("location", location)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_not_followed():
    target = WebhookReceiver()
    with target.running() as inside, redirecting_to(inside) as url:
        sender = WebhookSender(timeout=5, allow_loopback=True)
        with pytest.raises(WebhookFailed, match="HTTP 307"):
            sender.send(Webhook(id=1, url=url, kind="reply", secret=SECRET), EVENT)
        assert target.received == [], "the redirect's target got nothing"


@pytest.fixture(scope="module")
def admin(stack, db) -> Iterator[str]:
    desk = Desk(db, stack.db_url)
    yield mint_jwt(stack.jwt_secret, sub=desk.new_agent("admin"))
    desk.clean_up()


def register(stack, admin: str, url: str) -> httpx.Response:
    return httpx.post(f"{stack.rest_url}/webhook_endpoints", timeout=10,
                      headers={"apikey": stack.anon_key, "Authorization": f"Bearer {admin}"},
                      json={"url": url, "kind": "reply"})


@pytest.mark.parametrize(("url", "message"), [
    ("http://169.254.169.254/latest/meta-data/", INTERNAL),
    ("http://10.0.0.7:8080/", INTERNAL),
    ("https://[fd00::1]/", INTERNAL),
    ("http://0x7f000001/", HOST),
    ("http://2130706433/", HOST),
    ("file:///etc/passwd", SCHEME),
    ("gopher://bot.example/", SCHEME),
])
def test_registration_refuses_an_internal_url_with_a_400_naming_the_rule(stack, admin, url,
                                                                         message):
    answer = register(stack, admin, url)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == message
    assert url not in answer.text


def test_the_local_stack_registers_a_loopback_receiver(stack, admin, db):
    answer = register(stack, admin, "http://127.0.0.1:9/hook")
    assert answer.status_code == 201, answer.text
    db.execute("delete from public.webhook_endpoints where url = 'http://127.0.0.1:9/hook'")
