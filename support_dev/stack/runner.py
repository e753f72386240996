"""Brings the whole local stack up in order, reports it, and takes it down on a signal."""

import dataclasses
import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from support_dev.stack import dashboard
from support_dev.stack.config import DEMO_USER_EMAIL, DEMO_USER_ID, StackConfig
from support_dev.stack.database import SERVER_USER, Database, DatabaseError
from support_dev.stack.extensions import install_pgmq, pg_cron_available
from support_dev.stack.notifications import start_maildev, start_workers
from support_dev.stack.paths import Binaries, require_reachable, server_bindir_for
from support_dev.stack.processes import ChildDied, Supervisor
from support_dev.stack.servers import (
    GATEWAY_WORKER_USER,
    start_flask,
    start_nginx,
    start_postgrest,
    start_storage_standin,
)
from support_dev.stack.triage import start_triage
from support_runtime.tokens import mint_jwt

DEMO_TOKEN_LIFETIME = 24 * 3600
# A part that dies more often than this is broken, not unlucky: the runner stops instead.
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
# What pg_cron runs on hosted Supabase and locally where it is loaded
# (20260112000700_schedule_cron_jobs.sql); the runner runs them only where it is not.
SCHEDULED_JOBS = ("select private.close_resolved_tickets(); "
                  "select private.purge_archived_notifications(); "
                  "select private.run_time_rules(); "
                  "select private.continue_erasures(); "
                  "select private.apply_retention();")
SCHEDULE_EVERY = 60.0
T = TypeVar("T")


def runner_jobs(postgres_bindir: Path) -> str | None:
    """The jobs the runner runs itself: none where pg_cron runs them (Debian's PostgreSQL 15
    has it, as hosted Supabase does), so that one scheduler runs each job, never two; all of
    them where PostgreSQL has no pg_cron (PostgreSQL 17 from npm)."""
    return None if pg_cron_available(postgres_bindir) else SCHEDULED_JOBS


class Stop(Exception):
    """Raised from the signal handler to unwind into an orderly shutdown."""


@dataclass
class Stack:
    config: StackConfig
    binaries: Binaries
    supervisor: Supervisor
    say: Callable[[str], None]
    first_start: dict[str, object] = field(default_factory=dict)

    def prepare_folders(self) -> None:
        for folder in (self.config.state_dir, self.config.log_dir, self.config.run_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # The cluster runs as `postgres`, which must be able to reach its data folder.
            self.config.state_dir.chmod(0o755)

    def check_reachable(self) -> None:
        """Run as root, PostgreSQL and the gateway's workers are other users: refuse to start,
        saying what to do, where they could not reach their folders (a clone in a private
        folder), rather than fail later with a log line or an HTML 403."""
        elsewhere = ("start the stack with its state in a folder every user may enter: "
                     "`support-stack start --dir /var/tmp/support-stack` "
                     "(`make dev STACK_DIR=/var/tmp/support-stack`)")
        if SERVER_USER:
            require_reachable(self.config.state_dir, SERVER_USER, "PostgreSQL", elsewhere)
        if GATEWAY_WORKER_USER:
            require_reachable(self.config.run_dir, GATEWAY_WORKER_USER,
                              "The gateway's worker processes (nginx)", elsewhere)

    def start(self) -> None:
        self.config.check_ports()
        self.prepare_folders()
        if SERVER_USER:
            # Into the installation itself first, so that its copy (and the binaries' own
            # folder, which tests and later stacks read) carry it.
            install_pgmq(self.binaries.postgres_bindir)
            self.binaries = dataclasses.replace(self.binaries, postgres_bindir=server_bindir_for(
                self.binaries.postgres_bindir, SERVER_USER))
        database = Database(self.config, self.binaries)
        new = not database.exists
        started = time.monotonic()
        if not new:
            database.check_cluster_version()
        self.check_reachable()
        if new:
            self._step("PostgreSQL: creating a new cluster", database.create_cluster)
        self._step(f"PostgreSQL {database.server_major_version()} on port {self.config.db_port}",
                   lambda: database.start(self.supervisor))
        applied = self._step(("Database: bootstrap, " if new else "Database: ")
                             + "supabase db push" + (" --include-seed" if new else ""),
                             lambda: database.prepare(new=new))
        for name in applied:
            self.say(f"    applied {name}")
        self._step("PostgREST 12.0.2",
                   lambda: start_postgrest(self.config, self.binaries, self.supervisor))
        self._step("Flask layer (gunicorn)",
                   lambda: start_flask(self.config, self.binaries, self.supervisor))
        self._step("Storage stand-in (local only: DELETE /storage/v1/object/{bucket})",
                   lambda: start_storage_standin(self.config, self.supervisor))
        self._step(f"Gateway (nginx) on port {self.config.gateway_port}",
                   lambda: start_nginx(self.config, self.binaries, self.supervisor))
        self._step(f"MailDev (SMTP {self.config.smtp_port}, web {self.config.mail_web_port})",
                   lambda: start_maildev(self.config, self.binaries, self.supervisor))
        if self.config.notification_workers:
            self._step(f"support-worker x{self.config.notification_workers}",
                       lambda: start_workers(self.config, self.binaries, self.supervisor))
        if self.config.triage_worker:
            self._step("support-triage (suggestions, retrained hourly)",
                       lambda: start_triage(self.config, self.binaries, self.supervisor))
        self.first_start = {"ready_in_seconds": round(time.monotonic() - started, 2),
                            "new_cluster": new}
        self.write_state()

    def _step(self, label: str, action: Callable[[], T]) -> T:
        self.say(f"  starting {label} ...")
        began = time.monotonic()
        result = action()
        self.say(f"  ready    {label} ({time.monotonic() - began:.1f}s)")
        return result

    def state(self) -> dict[str, object]:
        config = self.config
        return {
            "gateway_url": config.gateway_url,
            "rest_url": f"{config.gateway_url}/rest/v1",
            "api_url": f"{config.gateway_url}/api",
            "db_url": config.db_url,
            "postgrest_url": config.postgrest_url,
            "postgrest_admin_url": f"http://127.0.0.1:{config.postgrest_admin_port}",
            "flask_url": f"http://127.0.0.1:{config.flask_port}",
            "storage_url": f"{config.gateway_url}/storage/v1",
            "anon_key": config.anon_key,
            "service_role_key": config.service_role_key,
            "jwt_secret": config.jwt_secret,
            "mail_url": config.mail_url,
            "smtp_port": config.smtp_port,
            "log_dir": str(config.log_dir),
            "runner_pid": os.getpid(),
            "pids": {child.name: child.process.pid for child in self.supervisor.children},
        }

    def write_state(self) -> None:
        state = {**self.state(), **self.first_start}
        path = self.config.run_dir / "stack.json"
        # Written aside and renamed: a reader polling the file never sees half of it.
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(state, indent=2))
        partial.chmod(0o600)
        os.replace(partial, path)

    def dashboard_summary(self) -> str:
        try:
            rows = Database(self.config, self.binaries).psql(dashboard.demo_staff_query())
        except DatabaseError as failure:
            return f"  (could not look up the demo staff: {failure})"
        links = dashboard.sign_in_links(self.config, rows)
        if not links:
            return "  (no demo staff in this database: add rows to public.support_staff)"
        return "\n".join(links)

    def summary(self) -> str:
        config = self.config
        demo_jwt = mint_jwt(config.jwt_secret, sub=DEMO_USER_ID, email=DEMO_USER_EMAIL,
                            expires_in=DEMO_TOKEN_LIFETIME)
        return f"""
Support & Feedback API is running locally.

         API URL: {config.gateway_url}
        REST URL: {config.gateway_url}/rest/v1
   Flask API URL: {config.gateway_url}/api
          DB URL: {config.db_url}
         Mail UI: {config.mail_url}   (MailDev: every email the stack sends)
       SMTP port: {config.smtp_port}
      JWT secret: {config.jwt_secret}
        anon key: {config.anon_key}
service_role key: {config.service_role_key}

Demo user {DEMO_USER_EMAIL} ({DEMO_USER_ID}), JWT valid 24 h:
{demo_jwt}

Support dashboard: {config.gateway_url}/dashboard/
Sign-in links (local only: a JWT in the URL fragment, valid 12 h):
{self.dashboard_summary()}

Try it:
  curl -H "Authorization: Bearer <demo JWT>" {config.gateway_url}/rest/v1/rpc/list_my_tickets
Admins: psql '{config.db_url}'
  (Supabase Studio comes with `supabase start` and hosted projects, not with this stack.)
Logs: {config.log_dir}/
Press Ctrl-C to stop every part.
"""

    def serve_until_signal(self) -> str:
        """Restarts a part that dies, as a service manager would; returns why it gave up."""
        restarts: list[float] = []
        jobs = runner_jobs(self.binaries.postgres_bindir)
        next_jobs = time.monotonic() + SCHEDULE_EVERY
        while True:
            if jobs and time.monotonic() >= next_jobs:
                self.run_scheduled_jobs(jobs)
                next_jobs = time.monotonic() + SCHEDULE_EVERY
            dead = self.supervisor.first_dead()
            if dead is None:
                time.sleep(0.2)
                continue
            code = dead.process.returncode
            now = time.monotonic()
            restarts = [moment for moment in restarts if now - moment < RESTART_WINDOW] + [now]
            if len(restarts) > MAX_RESTARTS:
                return f"{dead.name} keeps exiting (code {code}); see {dead.log_path}"
            self.say(f"  {dead.name} exited with code {code}; restarting it")
            try:
                self.supervisor.restart(dead)
            except ChildDied as failure:
                # E.g. a killed PostgreSQL's backends still hold its shared memory for a
                # moment; the failed child is in place and is found dead on the next turn.
                self.say(f"  {failure}; trying again")
                time.sleep(1)
                continue
            self.say(f"  ready    {dead.name} again")
            self.write_state()


    def run_scheduled_jobs(self, jobs: str) -> None:
        try:
            Database(self.config, self.binaries).psql(jobs)
        except DatabaseError as failure:
            # PostgreSQL may be restarting; the next turn tries again.
            self.say(f"  scheduled jobs failed: {failure}")


def install_stop_handlers() -> None:
    def raise_stop(signum: int, _frame: object) -> None:
        raise Stop(signal.Signals(signum).name)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, raise_stop)
