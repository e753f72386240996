"""The worker's settings, read once from the environment (and `.env`), with the secret checks
every process makes (support_runtime.settings)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr

from support_runtime.settings import Environment, SettingsError, check_db_url, check_jwt_secret

TLS_MODES = ("none", "starttls", "ssl")

# The worker's callers know its errors by this name; they are the kit's.
WorkerSettingsError = SettingsError


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
    batch_size: int = 200
    poll_interval: float = 1.0
    webhook_timeout: float = 10.0
    # Webhooks go out concurrently: at most this many requests at once, and at most
    # `webhook_endpoint_concurrency` to any one endpoint (its own threads), so a slow one
    # holds no other's.
    webhook_pool_size: int = 16
    webhook_endpoint_concurrency: int = 4
    # An endpoint failing this many times in a row is not tried for `webhook_breaker_cooldown`
    # seconds: its deliveries fail at once and are retried with the backoff.
    webhook_breaker_threshold: int = 3
    webhook_breaker_cooldown: float = 30.0
    smtp_timeout: float = 10.0
    # Servers cap the messages of one connection (often 100): a new one is opened before.
    smtp_max_per_connection: int = 100
    # The attachment clean-up calls Supabase's APIs (PostgREST, Storage) with this key; without
    # it the clean-up is off.
    supabase_url: str = ""
    service_role_key: str | None = None
    attachment_cleanup_interval: float = 3600.0
    # SUPPORT_API_ENV: only "local" accepts the local stack's JWT secret and database password.
    mode: str = "production"
    # Local development only: webhooks may go to loopback receivers, over http:// too. Every
    # other internal address stays refused (support_worker.webhook_address).
    webhook_allow_loopback: bool = False

    def __post_init__(self) -> None:
        check_db_url(self.db_url, mode=self.mode, name="SUPPORT_WORKER_DB_URL")
        check_jwt_secret(self.jwt_secret, mode=self.mode)
        if self.smtp_tls not in TLS_MODES:
            raise WorkerSettingsError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}")
        if "@" not in parseaddr(self.mail_from)[1]:
            raise WorkerSettingsError("SMTP_FROM must be an email address")
        if self.visibility_timeout < 5 or self.batch_size < 1:
            raise WorkerSettingsError("visibility timeout must be >= 5 s and batch size >= 1")
        if min(self.smtp_max_per_connection, self.webhook_pool_size,
               self.webhook_endpoint_concurrency) < 1:
            raise WorkerSettingsError("SMTP_MAX_PER_CONNECTION, SUPPORT_WORKER_WEBHOOK_POOL and "
                                      "SUPPORT_WORKER_WEBHOOK_ENDPOINT_CONCURRENCY must be >= 1")
        if not 0 < self.attachment_cleanup_interval < math.inf:
            raise WorkerSettingsError(
                "SUPPORT_WORKER_ATTACHMENT_CLEANUP_INTERVAL must be a number of seconds > 0")

    @property
    def batch_budget(self) -> float:
        """Seconds a batch may spend delivering: a quarter of the visibility timeout is kept
        for acknowledging, so no batch outlives it and no other worker reads its messages."""
        return self.visibility_timeout * 0.75

    @property
    def mail_domain(self) -> str:
        return parseaddr(self.mail_from)[1].rpartition("@")[2]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerSettings:
        env = Environment.read(environ)
        required, optional = env.required, env.optional
        try:
            return cls(
                mode=env.mode,
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
                batch_size=int(env.get("SUPPORT_WORKER_BATCH_SIZE", "200")),
                smtp_max_per_connection=int(env.get("SMTP_MAX_PER_CONNECTION", "100")),
                webhook_pool_size=int(env.get("SUPPORT_WORKER_WEBHOOK_POOL", "16")),
                webhook_endpoint_concurrency=int(
                    env.get("SUPPORT_WORKER_WEBHOOK_ENDPOINT_CONCURRENCY", "4")),
                poll_interval=float(env.get("SUPPORT_WORKER_POLL_INTERVAL", "1.0")),
                webhook_allow_loopback=env.flag("SUPPORT_WORKER_WEBHOOK_ALLOW_LOOPBACK"),
            )
        except ValueError as error:
            if isinstance(error, WorkerSettingsError):
                raise
            raise WorkerSettingsError(f"a numeric setting is not a number: {error}") from None
