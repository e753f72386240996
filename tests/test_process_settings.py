"""The secret checks every process makes (support_runtime.settings): outside
SUPPORT_API_ENV=local, the API, support-worker and support-triage each refuse to start with
the Supabase CLI's well-known local JWT secret or the local database's password, and a JWT
secret shorter than Supabase's minimum; in local mode they accept them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support_api.settings import Settings
from support_runtime.settings import SettingsError
from support_runtime.tokens import LOCAL_JWT_SECRET
from support_worker.settings import WorkerSettings

BIN = Path(sys.executable).parent
STRONG_SECRET = "a-project-secret-that-is-long-enough-for-supabase-0123"
LOCAL_DB_URL = "postgresql://postgres:postgres@127.0.0.1:1/postgres"
DEPLOYED_DB_URL = "postgresql://support_worker:a-real-password@db.example.test:5432/postgres"
API_ENV = {"SUPABASE_URL": "https://example.supabase.co", "SUPABASE_ANON_KEY": "anon-key"}
WORKER_ENV = {"SUPABASE_URL": "https://example.supabase.co", "SUPPORT_APP_URL": "https://app.test"}

# (SUPPORT_API_ENV, JWT secret, database URL, refused)
CASES = [
    ("production", LOCAL_JWT_SECRET, DEPLOYED_DB_URL, True),
    ("", LOCAL_JWT_SECRET, DEPLOYED_DB_URL, True),  # unset means a deployment, not local
    ("staging", "too-short", DEPLOYED_DB_URL, True),
    ("production", STRONG_SECRET, LOCAL_DB_URL, True),
    ("local", LOCAL_JWT_SECRET, LOCAL_DB_URL, False),
    ("production", STRONG_SECRET, DEPLOYED_DB_URL, False),
]


@pytest.mark.parametrize(("mode", "secret", "db_url", "refused"), CASES)
def test_the_worker_checks_secrets_as_the_api_does(mode, secret, db_url, refused):
    environ = {**WORKER_ENV, "SUPPORT_API_ENV": mode, "SUPABASE_JWT_SECRET": secret,
               "SUPPORT_WORKER_DB_URL": db_url}
    if refused:
        with pytest.raises(SettingsError):
            WorkerSettings.from_env(environ)
    else:
        assert WorkerSettings.from_env(environ).jwt_secret == secret
    # The API has no database URL: the same JWT secret gets the same answer there.
    api = {**API_ENV, "SUPPORT_API_ENV": mode, "SUPABASE_JWT_SECRET": secret}
    if secret == STRONG_SECRET or mode == "local":
        assert Settings.from_env(api).jwt_secret == secret
    else:
        with pytest.raises(SettingsError):
            Settings.from_env(api)


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env={"PATH": "/usr/bin:/bin", **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_each_process_refuses_to_start_with_the_local_secrets_outside_local_mode(tmp_path):
    deployed = {"SUPPORT_API_ENV": "production"}
    api = _run([sys.executable, "-c", "import support_api.wsgi"],
               {**API_ENV, **deployed, "SUPABASE_JWT_SECRET": LOCAL_JWT_SECRET}, tmp_path)
    worker = _run([str(BIN / "support-worker")],
                  {**WORKER_ENV, **deployed, "SUPABASE_JWT_SECRET": LOCAL_JWT_SECRET,
                   "SUPPORT_WORKER_DB_URL": DEPLOYED_DB_URL}, tmp_path)
    triage = _run([str(BIN / "support-triage"), "run"],
                  {**deployed, "SUPABASE_DB_URL": LOCAL_DB_URL}, tmp_path)
    for name, result in (("api", api), ("worker", worker), ("triage", triage)):
        assert result.returncode != 0, name
        assert "refusing to start" in result.stderr, (name, result.stderr)
        assert "postgres@" not in result.stderr, "a refusal never quotes the URL"


def test_a_dotenv_file_sets_the_mode_for_the_worker_too(tmp_path):
    # Settings are read the same way everywhere: the environment over `.env`.
    (tmp_path / ".env").write_text(
        f"SUPPORT_API_ENV=local\nSUPABASE_JWT_SECRET={LOCAL_JWT_SECRET}\n")
    result = _run([sys.executable, "-c",
                   "from support_worker.settings import WorkerSettings; "
                   "print(WorkerSettings.from_env().mode)"],
                  {**WORKER_ENV, "SUPPORT_WORKER_DB_URL": LOCAL_DB_URL}, tmp_path)
    assert result.stdout.strip() == "local", result.stderr


def test_a_database_url_must_be_a_postgresql_url():
    environ = {**WORKER_ENV, "SUPABASE_JWT_SECRET": STRONG_SECRET,
               "SUPPORT_WORKER_DB_URL": "host=db password=postgres"}
    with pytest.raises(SettingsError, match="SUPPORT_WORKER_DB_URL must be a postgresql:// URL"):
        WorkerSettings.from_env(environ)
