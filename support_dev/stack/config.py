"""The local stack's ports, folders and keys, as `supabase start` would have them."""

import socket
from dataclasses import dataclass, field
from pathlib import Path

from support_runtime.settings import LOCAL_DB_PASSWORD
from support_runtime.tokens import LOCAL_JWT_SECRET, project_api_key

# The processes accept this password only in local mode (support_runtime.settings).
DB_PASSWORD = LOCAL_DB_PASSWORD
DEMO_USER_ID = "00000000-0000-4000-8000-000000000001"
DEMO_USER_EMAIL = "demo@example.com"


class PortTaken(RuntimeError):
    """Another program listens on a port the stack was told to use."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_port_free(port: int, what: str) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise PortTaken(
                f"port {port} ({what}) is already in use: stop what holds it "
                f"(`ss -ltnp 'sport = :{port}'` shows it) or choose another port"
            ) from error


@dataclass(frozen=True)
class StackConfig:
    state_dir: Path
    gateway_port: int = 54321
    db_port: int = 54322
    postgrest_port: int = field(default_factory=free_port)
    postgrest_admin_port: int = field(default_factory=free_port)
    flask_port: int = field(default_factory=free_port)
    # Local only: the stand-in for Storage's remove endpoint, behind the gateway's /storage/v1/.
    storage_port: int = field(default_factory=free_port)
    flask_workers: int = 2
    flask_threads: int = 8
    postgrest_pool: int = 10
    # MailDev on the Supabase CLI's mail ports (Inbucket/Mailpit there).
    smtp_port: int = 54325
    mail_web_port: int = 54324
    notification_workers: int = 1
    triage_worker: bool = True
    jwt_secret: str = LOCAL_JWT_SECRET

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "db"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def postgrest_url(self) -> str:
        return f"http://127.0.0.1:{self.postgrest_port}"

    @property
    def db_url(self) -> str:
        return f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:{self.db_port}/postgres"

    @property
    def mail_url(self) -> str:
        return f"http://127.0.0.1:{self.mail_web_port}"

    @property
    def anon_key(self) -> str:
        return project_api_key(self.jwt_secret, "anon")

    @property
    def service_role_key(self) -> str:
        return project_api_key(self.jwt_secret, "service_role")

    def check_ports(self) -> None:
        for port, what in (
            (self.gateway_port, "gateway"),
            (self.db_port, "PostgreSQL"),
            (self.postgrest_port, "PostgREST"),
            (self.postgrest_admin_port, "PostgREST admin"),
            (self.flask_port, "Flask"),
            (self.storage_port, "Storage stand-in"),
            (self.smtp_port, "MailDev SMTP"),
            (self.mail_web_port, "MailDev web"),
        ):
            ensure_port_free(port, what)
