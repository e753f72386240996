"""The local PostgreSQL cluster: created once, bootstrapped, then migrated and seeded by the
Supabase CLI (`supabase db push`), as a hosted project is."""

import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
from pathlib import Path

from support_dev.stack.config import DB_PASSWORD, StackConfig
from support_dev.stack.extensions import install_pgmq, pg_cron_available
from support_dev.stack.paths import Binaries
from support_dev.stack.processes import Child, Supervisor
from support_dev.stack.supabase_cli import run_supabase

BOOTSTRAP_SQL = Path(__file__).with_name("bootstrap.sql")
# What `supabase db push` prints for each migration it applies.
_APPLYING = re.compile(r"^Applying migration (\S+?)\.\.\.$", re.M)
# The storage schema as Supabase's Storage server creates it (there is no Storage server here).
STORAGE_SQL = Path(__file__).with_name("storage.sql")

# PostgreSQL refuses to run as root; when we are root, the cluster belongs to `postgres`.
SERVER_USER = "postgres" if os.geteuid() == 0 else None

SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "timezone": "UTC",
    "log_timezone": "UTC",
    "shared_preload_libraries": "pg_stat_statements",
    "max_connections": "200",
    "shared_buffers": "256MB",
    # Client errors are the client's to read, and their messages can quote what the client
    # sent (a bad value, a statement); the server log keeps server events only, so no ticket
    # or feedback content ever lands in it.
    "log_min_messages": "log",
    "log_min_error_statement": "panic",
    "log_error_verbosity": "terse",
    "log_statement": "none",
    "log_line_prefix": "%m [%p] %q%u@%d ",
}


class DatabaseError(RuntimeError):
    pass


class Database:
    def __init__(self, config: StackConfig, binaries: Binaries) -> None:
        self.config = config
        self.binaries = binaries

    @property
    def exists(self) -> bool:
        return (self.config.data_dir / "PG_VERSION").is_file()

    def server_major_version(self) -> str:
        """The major version of the server binaries, e.g. "15" or "17"."""
        result = subprocess.run([str(self.binaries.postgres_bindir / "postgres"), "--version"],
                                capture_output=True, text=True, check=True)
        return result.stdout.split()[-1].split(".")[0]

    def check_cluster_version(self) -> None:
        cluster = (self.config.data_dir / "PG_VERSION").read_text().strip()
        server = self.server_major_version()
        if cluster != server:
            raise DatabaseError(
                f"the cluster in {self.config.data_dir} was made by PostgreSQL {cluster}, and "
                f"these binaries are PostgreSQL {server} ({self.binaries.postgres_bindir}): "
                "use another --dir, the matching --pg-bin, or `support-stack reset`"
            )

    def create_cluster(self) -> None:
        data_dir = self.config.data_dir
        if data_dir.exists():
            shutil.rmtree(data_dir)
        data_dir.mkdir(parents=True, mode=0o700)
        password_file = self.config.run_dir / f"pw-{secrets.token_hex(4)}"
        password_file.write_text(DB_PASSWORD)
        if SERVER_USER:
            server_user = pwd.getpwnam(SERVER_USER)
            for path in (data_dir, password_file):
                os.chown(path, server_user.pw_uid, server_user.pw_gid)
        try:
            self._run_as_server(
                str(self.binaries.postgres_bindir / "initdb"),
                "--pgdata", str(data_dir), "--username", "postgres",
                "--pwfile", str(password_file), "--auth-host", "scram-sha-256",
                "--auth-local", "trust", "--encoding", "UTF8", "--locale", "C.UTF-8",
            )
        finally:
            password_file.unlink()

    def start(self, supervisor: Supervisor) -> Child:
        install_pgmq(self.binaries.postgres_bindir)
        settings = {**SERVER_SETTINGS, "port": str(self.config.db_port)}
        if pg_cron_available(self.binaries.postgres_bindir):
            # As on hosted Supabase: pg_cron runs its jobs in the `postgres` database.
            settings["shared_preload_libraries"] += ",pg_cron"
            settings["cron.database_name"] = "postgres"
            # Jobs run in background workers: no login over a socket this cluster does not open.
            settings["cron.use_background_workers"] = "on"
        argv = [str(self.binaries.postgres_bindir / "postgres"), "-D", str(self.config.data_dir)]
        for name, value in settings.items():
            argv += ["-c", f"{name}={value}"]
        return supervisor.spawn("postgres", argv, user=SERVER_USER, stop_signal=signal.SIGINT,
                                ready=self.accepts_connections)

    def accepts_connections(self) -> bool:
        probe = subprocess.run(
            [str(self.binaries.client_bindir / "pg_isready"), "-q", "-h", "127.0.0.1",
             "-p", str(self.config.db_port), "-d", "postgres", "-U", "postgres"],
            check=False,
        )
        return probe.returncode == 0

    def psql(self, script: str, *, database: str = "postgres") -> str:
        """Runs `script` in one transaction; stops at the first error."""
        result = subprocess.run(
            [str(self.binaries.psql), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "--single-transaction", "-h", "127.0.0.1", "-p", str(self.config.db_port),
             "-U", "postgres", "-d", database, "-f", "-"],
            input=script, capture_output=True, text=True, check=False,
            env={**os.environ, "PGPASSWORD": DB_PASSWORD,
                 "PGOPTIONS": "-c client_min_messages=warning"},
        )
        if result.returncode != 0:
            raise DatabaseError(result.stderr.strip())
        return result.stdout

    def recreate(self) -> None:
        """Drops and recreates the `postgres` database, then bootstraps, migrates and seeds."""
        # drop/create database cannot run inside a transaction block: one statement each.
        for statement in ("drop database if exists postgres with (force)",
                          "create database postgres"):
            self._psql_statement(statement, database="template1")
        self.prepare(new=True)

    def prepare(self, *, new: bool) -> list[str]:
        """Bootstraps a new database; the CLI applies pending migrations and seeds a new one."""
        if new:
            self.psql(BOOTSTRAP_SQL.read_text())
            self.psql(STORAGE_SQL.read_text())
        return self.push(seed=new)

    def push(self, *, seed: bool) -> list[str]:
        """`supabase db push`: the migrations it applied, by file name."""
        seed_flag = ("--include-seed",) if seed else ()
        result = run_supabase(self.binaries.supabase, "db", "push", "--yes", *seed_flag,
                              db_url=self.config.db_url)
        output = f"{result.stdout}\n{result.stderr}"
        if result.returncode != 0:
            raise DatabaseError(f"supabase db push failed:\n{output.strip()}")
        return _APPLYING.findall(output)

    def _psql_statement(self, statement: str, *, database: str) -> None:
        result = subprocess.run(
            [str(self.binaries.psql), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.config.db_port), "-U", "postgres", "-d", database, "-c", statement],
            capture_output=True, text=True, check=False,
            env={**os.environ, "PGPASSWORD": DB_PASSWORD},
        )
        if result.returncode != 0:
            raise DatabaseError(result.stderr.strip())

    def _run_as_server(self, *argv: str) -> None:
        result = subprocess.run(
            argv, user=SERVER_USER, group=SERVER_USER,
            extra_groups=[] if SERVER_USER else None,
            cwd="/", capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise DatabaseError(f"{Path(argv[0]).name} failed:\n{result.stderr.strip()}")
