"""The one transport to SMTP: one connection reused across a batch's emails, within the
server's limits (a new connection after `smtp_max_per_connection` messages, and once more when
the server closes it or answers 421, its "try again on a new connection")."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Iterator
from email.message import EmailMessage

from support_worker.email_messages import OutgoingEmail
from support_worker.settings import WorkerSettings


def _closed_by_server(error: Exception) -> bool:
    """The server ended the session (421 or a dropped connection): no message was refused,
    so the same message goes again on a new connection."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421


class SmtpTransport:
    def __init__(self, settings: WorkerSettings) -> None:
        self._settings = settings
        self._client: smtplib.SMTP | None = None
        self._sent_on_connection = 0

    def _connect(self, timeout: float) -> smtplib.SMTP:
        s = self._settings
        client: smtplib.SMTP
        if s.smtp_tls == "ssl":
            client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=timeout)
        try:
            if s.smtp_tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password or "")
        except BaseException:
            client.close()
            raise
        return client

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """The emails of one batch share a connection; it is closed at the end."""
        try:
            yield
        finally:
            self._close()

    def send(self, mail: OutgoingEmail | EmailMessage, budget: float | None = None) -> None:
        """Hands `mail` to the server within `budget` seconds (at most the SMTP timeout);
        raises OSError or smtplib.SMTPException on failure."""
        timeout = max(0.1, min(self._settings.smtp_timeout, budget or self._settings.smtp_timeout))
        try:
            self._send_once(mail, timeout)
        except (OSError, smtplib.SMTPException) as error:
            if not _closed_by_server(error):
                raise
            self._send_once(mail, timeout)

    def _send_once(self, mail: OutgoingEmail | EmailMessage, timeout: float) -> None:
        if self._sent_on_connection >= self._settings.smtp_max_per_connection:
            self._close()
        if self._client is None:
            self._client = self._connect(timeout)
        elif self._client.sock is not None:
            self._client.sock.settimeout(timeout)
        try:
            if isinstance(mail, EmailMessage):
                self._client.send_message(mail)
            elif mail.message is not None:
                self._client.send_message(mail.message)
            else:
                # The bytes as built: CRLF already, smtplib only doubles leading dots.
                self._client.sendmail(mail.sender, mail.recipients, mail.data)
        except (OSError, smtplib.SMTPException):
            # The connection's state is unknown: the next email starts a new one.
            self._close()
            raise
        self._sent_on_connection += 1

    def _close(self) -> None:
        client, self._client = self._client, None
        self._sent_on_connection = 0
        if client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                client.quit()
            client.close()
