"""The worker's SMTP transport against a small SMTP server on loopback that keeps what it
receives: the server's limits are respected (a new connection after `smtp_max_per_connection`
messages), and a server that answers 421 or drops the connection gets the same message again
on a new connection, once."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from support_worker.settings import WorkerSettings
from support_worker.smtp import SmtpTransport


@dataclass
class Server:
    """Counts connections and messages; `refuse_after` messages on one connection, it answers
    the next MAIL FROM with 421 and hangs up (what Postfix does at its per-connection limit)."""

    refuse_after: int | None = None
    connections: int = 0
    messages: list[bytes] = field(default_factory=list)


@contextmanager
def smtp_server(server: Server) -> Iterator[int]:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            server.connections += 1
            taken = 0
            self.wfile.write(b"220 test ESMTP\r\n")
            while line := self.rfile.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    self.wfile.write(b"250 test\r\n")
                elif verb == b"MAIL":
                    if server.refuse_after is not None and taken >= server.refuse_after:
                        self.wfile.write(b"421 4.7.0 too many messages, reconnect\r\n")
                        return
                    self.wfile.write(b"250 ok\r\n")
                elif verb == b"RCPT":
                    self.wfile.write(b"250 ok\r\n")
                elif verb == b"DATA":
                    self.wfile.write(b"354 go on\r\n")
                    body = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                    server.messages.append(body)
                    taken += 1
                    self.wfile.write(b"250 queued\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    listener = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    listener.daemon_threads = True
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    try:
        yield listener.server_address[1]
    finally:
        listener.shutdown()
        listener.server_close()


def transport(port: int, per_connection: int) -> SmtpTransport:
    return SmtpTransport(WorkerSettings(
        db_url="postgresql://support_worker@127.0.0.1/postgres", jwt_secret="s" * 40,
        app_url="http://127.0.0.1:3000", api_url="http://127.0.0.1:54321/api", mode="local",
        smtp_port=port, smtp_max_per_connection=per_connection))


def mail(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = "support@sage.local", "user@example.test"
    message["Subject"] = f"Message {number}"
    message.set_content(f"Body {number}")
    return message


def test_a_connection_carries_at_most_the_configured_number_of_messages():
    server = Server()
    with smtp_server(server) as port:
        smtp = transport(port, per_connection=2)
        with smtp.session():
            for number in range(5):
                smtp.send(mail(number))
    assert len(server.messages) == 5
    assert server.connections == 3


def test_a_421_from_the_server_sends_the_same_message_once_on_a_new_connection():
    server = Server(refuse_after=2)
    with smtp_server(server) as port:
        smtp = transport(port, per_connection=100)
        with smtp.session():
            for number in range(5):
                smtp.send(mail(number))
    subjects = [next(line for line in body.split(b"\r\n") if line.startswith(b"Subject"))
                for body in server.messages]
    assert subjects == [f"Subject: Message {n}".encode() for n in range(5)]
    assert server.connections == 3
