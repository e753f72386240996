"""Runs the pinned Supabase CLI (node_modules/.bin/supabase) against a database URL."""

import os
import subprocess

from support_dev.stack.paths import PROJECT_ROOT

# The CLI reports no usage and looks for no update: it runs offline, on every start.
_ENV = {"SUPABASE_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1",
        "SUPABASE_NO_UPDATE_NOTIFIER": "1"}


def cli_db_url(db_url: str) -> str:
    # The local server has no TLS; the CLI tries TLS first unless told not to.
    return f"{db_url}?sslmode=disable"


def run_supabase(binary: os.PathLike[str] | str, *args: str, db_url: str,
                 timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`supabase <args> --db-url <db_url>` in this project; never raises on its exit code."""
    return subprocess.run(
        [str(binary), *args, "--db-url", cli_db_url(db_url), "--workdir", str(PROJECT_ROOT)],
        capture_output=True, text=True, check=False, timeout=timeout,
        env={**os.environ, **_ENV},
    )
