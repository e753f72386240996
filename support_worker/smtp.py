"""The one transport to SMTP: one connection per batch, reopened after a failure."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Iterator
from email.message import EmailMessage

from support_worker.settings import WorkerSettings


class SmtpTransport:
    def __init__(self, settings: WorkerSettings) -> None:
        self._settings = settings
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        client: smtplib.SMTP
        if s.smtp_tls == "ssl":
            client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
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

    def send(self, mail: EmailMessage) -> None:
        """Hands `mail` to the server; raises OSError or smtplib.SMTPException on failure."""
        if self._client is None:
            self._client = self._connect()
        try:
            self._client.send_message(mail)
        except (OSError, smtplib.SMTPException):
            # The connection's state is unknown: the next email starts a new one.
            self._close()
            raise

    def _close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                client.quit()
            client.close()
