"""The one transport to SMTP."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from support_worker.settings import WorkerSettings


class SmtpTransport:
    def __init__(self, settings: WorkerSettings) -> None:
        self._settings = settings

    def send(self, mail: EmailMessage) -> None:
        """Hands `mail` to the server; raises OSError or smtplib.SMTPException on failure."""
        s = self._settings
        client: smtplib.SMTP
        if s.smtp_tls == "ssl":
            client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        with client:
            if s.smtp_tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password or "")
            client.send_message(mail)
