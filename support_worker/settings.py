"""The worker's settings, read once from the environment."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from email.utils import parseaddr

TLS_MODES = ("none", "starttls", "ssl")


class WorkerSettingsError(ValueError):
    """The environment does not describe a usable worker configuration."""


@dataclass(frozen=True)
class WorkerSettings:
    db_url: str
    jwt_secret: str
    app_url: str
    api_url: str
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 54325
    smtp_tls: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = "Sage Support <support@sage.local>"
    visibility_timeout: int = 60
    batch_size: int = 50
    poll_interval: float = 1.0
    webhook_timeout: float = 10.0
    smtp_timeout: float = 10.0
    # The attachment clean-up calls Supabase's APIs (PostgREST, Storage) with this key; without
    # it the clean-up is off.
    supabase_url: str = ""
    service_role_key: str | None = None
    attachment_cleanup_interval: float = 3600.0
    # Local development only: webhooks may go to loopback receivers, over http:// too. Every
    # other internal address stays refused (support_worker.webhook_address).
    webhook_allow_loopback: bool = False

    def __post_init__(self) -> None:
        if self.smtp_tls not in TLS_MODES:
            raise WorkerSettingsError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}")
        if "@" not in parseaddr(self.mail_from)[1]:
            raise WorkerSettingsError("SMTP_FROM must be an email address")
        if self.visibility_timeout < 5 or self.batch_size < 1:
            raise WorkerSettingsError("visibility timeout must be >= 5 s and batch size >= 1")
        if not 0 < self.attachment_cleanup_interval < math.inf:
            raise WorkerSettingsError(
                "SUPPORT_WORKER_ATTACHMENT_CLEANUP_INTERVAL must be a number of seconds > 0")

    @property
    def mail_domain(self) -> str:
        return parseaddr(self.mail_from)[1].rpartition("@")[2]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WorkerSettings:
        env = dict(os.environ if environ is None else environ)

        def required(name: str) -> str:
            value = env.get(name, "")
            if not value:
                raise WorkerSettingsError(f"{name} is required")
            return value

        def optional(name: str) -> str | None:
            return env.get(name) or None

        def flag(name: str) -> bool:
            value = env.get(name, "").strip().lower()
            if value not in ("", "0", "1", "false", "true"):
                raise WorkerSettingsError(f"{name} must be true or false")
            return value in ("1", "true")

        try:
            return cls(
                db_url=required("SUPPORT_WORKER_DB_URL"),
                jwt_secret=required("SUPABASE_JWT_SECRET"),
                app_url=required("SUPPORT_APP_URL").rstrip("/"),
                api_url=required("SUPABASE_URL").rstrip("/") + "/api",
                supabase_url=required("SUPABASE_URL").rstrip("/"),
                service_role_key=optional("SUPABASE_SERVICE_ROLE_KEY"),
                attachment_cleanup_interval=float(
                    env.get("SUPPORT_WORKER_ATTACHMENT_CLEANUP_INTERVAL", "3600")),
                smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
                smtp_port=int(env.get("SMTP_PORT", "54325")),
                smtp_tls=env.get("SMTP_TLS", "none"),
                smtp_user=optional("SMTP_USER"),
                smtp_password=optional("SMTP_PASSWORD"),
                mail_from=env.get("SMTP_FROM", "Sage Support <support@sage.local>"),
                visibility_timeout=int(env.get("SUPPORT_WORKER_VISIBILITY_TIMEOUT", "60")),
                batch_size=int(env.get("SUPPORT_WORKER_BATCH_SIZE", "50")),
                poll_interval=float(env.get("SUPPORT_WORKER_POLL_INTERVAL", "1.0")),
                webhook_allow_loopback=flag("SUPPORT_WORKER_WEBHOOK_ALLOW_LOOPBACK"),
            )
        except ValueError as error:
            if isinstance(error, WorkerSettingsError):
                raise
            raise WorkerSettingsError(f"a numeric setting is not a number: {error}") from None
