"""The notification side of the local stack: MailDev as the mail sink and support-worker."""

import signal

from support_dev.stack.config import StackConfig
from support_dev.stack.paths import Binaries
from support_dev.stack.processes import Child, Supervisor
from support_dev.stack.servers import http_ok
from support_runtime.settings import LOCAL_ENV

# Supabase CLI's default site_url: where the app would run, for the links in emails.
LOCAL_APP_URL = "http://127.0.0.1:3000"


def start_maildev(config: StackConfig, binaries: Binaries, supervisor: Supervisor) -> Child:
    argv = [str(binaries.node), str(binaries.maildev),
            "--smtp", str(config.smtp_port), "--ip", "127.0.0.1",
            "--web", str(config.mail_web_port), "--web-ip", "127.0.0.1",
            # Mail stays in this stack's folder (MailDev's default is a shared /tmp/maildev),
            # and its log would name each email's subject, which is ticket content.
            "--mail-directory", str(config.state_dir / "mail"), "--silent"]
    return supervisor.spawn("maildev", argv,
                            ready=lambda: http_ok(config.mail_web_port, "/api/email"))


def worker_env(config: StackConfig) -> dict[str, str]:
    return {
        # The local stack's JWT secret and database password are the well-known local ones.
        "SUPPORT_API_ENV": LOCAL_ENV,
        "SUPPORT_WORKER_DB_URL": config.db_url,
        "SUPABASE_URL": config.gateway_url,
        "SUPABASE_JWT_SECRET": config.jwt_secret,
        # For the attachment clean-up, which calls the gateway's /rest/v1/ and /storage/v1/.
        "SUPABASE_SERVICE_ROLE_KEY": config.service_role_key,
        "SUPPORT_APP_URL": LOCAL_APP_URL,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(config.smtp_port),
        "SMTP_TLS": "none",
        # The companion's and the tests' webhook receivers listen on loopback, over http://.
        "SUPPORT_WORKER_WEBHOOK_ALLOW_LOOPBACK": "true",
    }


def start_workers(config: StackConfig, binaries: Binaries, supervisor: Supervisor
                  ) -> list[Child]:
    # SIGTERM: each worker finishes the batch in hand before it exits.
    return [
        supervisor.spawn(f"worker-{number}", [str(binaries.support_worker)],
                         env=worker_env(config), stop_signal=signal.SIGTERM)
        for number in range(1, config.notification_workers + 1)
    ]
