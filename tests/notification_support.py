"""What the notification tests share: MailDev's API, a webhook receiver, a switchable SMTP
relay, and the database side (staff, tickets, replies, the settings)."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import psycopg


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class MailDev:
    """MailDev's REST API: `/api/email` lists what it received, `/source` is the raw message."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def listing(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/api/email", timeout=10).json()

    def raw(self, email_id: str) -> EmailMessage:
        source = httpx.get(f"{self.url}/api/email/{email_id}/source", timeout=10).content
        return message_from_bytes(source, policy=policy.default)  # type: ignore[return-value]

    def to(self, address: str) -> list[dict[str, Any]]:
        return [mail for mail in self.listing()
                if any(to["address"] == address for to in mail["to"])]

    def wait_for_mail(self, address: str, count: int = 1, timeout: float = 30) -> list[dict]:
        return wait_for(lambda: (found := self.to(address)) and len(found) >= count and found,
                        timeout, f"{count} email(s) to {address}")


def event_ids_of(mail: EmailMessage) -> list[int]:
    return [int(part) for part in str(mail["X-Support-Events"]).split(",")]


@dataclass
class WebhookReceiver:
    """An HTTP server on loopback that records every request and answers 204; one made with
    `hanging=True` holds every request unanswered until `release()` (or a minute)."""

    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hanging: bool = False
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()

    @contextmanager
    def running(self) -> Iterator[str]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender died mid-request (a SIGKILL test): nothing arrived
                if receiver.hanging and not receiver.released.wait(60):
                    return
                with receiver.lock:
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()},
                                              body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/hook"
        finally:
            server.shutdown()
            server.server_close()

    def for_ticket(self, ticket_id: str) -> list[tuple[dict[str, str], bytes]]:
        with self.lock:
            return [(h, b) for h, b in self.received
                    if json.loads(b)["data"]["ticket_id"] == ticket_id]


class SmtpRelay:
    """A TCP relay in front of MailDev's SMTP port that the test switches off and on."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: socket.socket | None = None

    def up(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def down(self) -> None:
        if self._server:
            self._server.close()
            self._server = None

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


@dataclass
class Desk:
    """The database side of the tests: staff, tickets and agents' actions, as PostgREST runs
    them (role authenticated with the agent's claims), in transactions the test commits."""

    db: psycopg.Connection
    db_url: str
    users: list[str] = field(default_factory=list)

    def clean_up(self) -> None:
        """Deletes the users made here with all they own (tickets, thread, history, staff
        rows), owners before staff, so other suites of a shared stack count only their own.
        Deleting an account keeps its tickets and feedback anonymised (docs/privacy.md): they
        are deleted first here."""
        self.db.execute("delete from public.support_tickets where user_id = any(%s::uuid[])",
                        (self.users,))
        self.db.execute("delete from public.user_feedback where user_id = any(%s::uuid[])",
                        (self.users,))
        self.db.execute("delete from auth.users as u where u.id = any(%s::uuid[]) and not exists "
                        "(select 1 from public.support_staff as s where s.user_id = u.id)",
                        (self.users,))
        self.db.execute("delete from auth.users where id = any(%s::uuid[])", (self.users,))
        self.users.clear()

    def new_user(self) -> tuple[str, str]:
        user_id = str(uuid.uuid4())
        self.users.append(user_id)
        email = f"n-{user_id[:12]}@example.test"
        self.db.execute(
            "insert into auth.users (id, aud, role, email, created_at, updated_at) "
            "values (%s, 'authenticated', 'authenticated', %s, now(), now())", (user_id, email))
        return user_id, email

    def new_agent(self, role: str = "agent") -> str:
        agent_id, _ = self.new_user()
        self.db.execute("insert into public.support_staff (user_id, role, display_name) "
                        "values (%s, %s, 'Agent')", (agent_id, role))
        return agent_id

    def new_ticket(self, owner_id: str, subject: str = "Charged twice") -> str:
        ticket_id = str(uuid.uuid4())
        self.db.execute(
            "insert into public.support_tickets (id, user_id, ticket_type, subject, description) "
            "values (%s, %s, 'billing', %s, 'The card was charged twice')",
            (ticket_id, owner_id, subject))
        return ticket_id

    @contextmanager
    def acting_as(self, user_id: str, *, commit: bool = True) -> Iterator[psycopg.Connection]:
        with psycopg.connect(self.db_url) as connection:
            connection.execute("select set_config('request.jwt.claims', %s, true)",
                               (json.dumps({"sub": user_id, "role": "authenticated"}),))
            connection.execute("set local role authenticated")
            yield connection
            if commit:
                connection.commit()
            else:
                connection.rollback()

    def reply(self, agent_id: str, ticket_id: str, body: str, *, internal: bool = False) -> None:
        self.replies(agent_id, [(ticket_id, body)], internal=internal)

    def replies(self, agent_id: str, replies: list[tuple[str, str]], *, internal: bool = False,
                pace: float = 0.0) -> None:
        """One committed transaction per (ticket, body), on one connection: a burst of events."""
        with psycopg.connect(self.db_url) as connection:
            for ticket_id, body in replies:
                connection.execute("select set_config('request.jwt.claims', %s, true)",
                                   (json.dumps({"sub": agent_id, "role": "authenticated"}),))
                connection.execute("set local role authenticated")
                connection.execute("select public.support_reply(%s)", (json.dumps(
                    {"ticket_id": ticket_id, "body": body, "internal": internal}),))
                connection.commit()
                time.sleep(pace)

    def settings(self, **values: str | int) -> None:
        assignments = ", ".join(f"{name} = %s" for name in values)
        self.db.execute(f"update public.notification_settings set {assignments}",
                        tuple(values.values()))

    def queued(self) -> int:
        return self.db.execute("select count(*) from pgmq.q_notifications").fetchone()[0]
