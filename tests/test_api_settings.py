"""Settings and safety of the Flask layer: no local secret outside local mode, settings read
once from the environment or `.env`, and no business rule of the contract in Python."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from support_api.app import create_app
from support_api.settings import Settings, SettingsError
from support_runtime.tokens import LOCAL_JWT_SECRET

PACKAGE = Path(__file__).resolve().parents[1] / "support_api"
STRONG_SECRET = "a-project-secret-that-is-long-enough-for-supabase-0123"
BASE_ENV = {
    "SUPABASE_URL": "https://example.supabase.co",
    "SUPABASE_ANON_KEY": "anon-key",
}


@pytest.mark.parametrize(
    ("env", "secret", "refused"),
    [
        ("production", LOCAL_JWT_SECRET, True),
        ("", LOCAL_JWT_SECRET, True),  # unset means a deployment, not local
        ("staging", LOCAL_JWT_SECRET, True),
        ("production", "too-short", True),
        ("local", LOCAL_JWT_SECRET, False),
        ("production", STRONG_SECRET, False),
    ],
)
def test_local_default_secret_is_refused_outside_local_mode(env, secret, refused):
    environ = {**BASE_ENV, "SUPPORT_API_ENV": env, "SUPABASE_JWT_SECRET": secret}
    if refused:
        with pytest.raises(SettingsError):
            Settings.from_env(environ)
    else:
        assert Settings.from_env(environ).jwt_secret == secret


@pytest.mark.parametrize("missing", ["SUPABASE_URL", "SUPABASE_JWT_SECRET", "SUPABASE_ANON_KEY"])
def test_required_settings_are_required(missing):
    environ = {**BASE_ENV, "SUPABASE_JWT_SECRET": STRONG_SECRET}
    environ.pop(missing, None)
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(environ)


def test_settings_come_from_dotenv_and_the_environment_wins(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "SUPABASE_URL=https://from-file.supabase.co/\n"
        f"SUPABASE_JWT_SECRET={STRONG_SECRET}\n"
        "SUPABASE_ANON_KEY=file-key\n"
        "SUPPORT_API_UPSTREAM_TIMEOUT=2.5\n"
    )
    settings = Settings.from_env({"SUPABASE_ANON_KEY": "env-key"}, dotenv_path=dotenv)
    assert settings.supabase_url == "https://from-file.supabase.co"
    assert settings.postgrest_url == "https://from-file.supabase.co/rest/v1"
    assert settings.anon_key == "env-key"
    assert settings.upstream_timeout == 2.5
    assert not settings.is_local


def test_wsgi_refuses_to_start_with_the_local_secret_in_production(tmp_path):
    environ = {
        **BASE_ENV,
        "SUPPORT_API_ENV": "production",
        "SUPABASE_JWT_SECRET": LOCAL_JWT_SECRET,
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import support_api.wsgi"],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "refusing to start" in result.stderr


def test_health_needs_no_database():
    settings = Settings.from_env({**BASE_ENV, "SUPABASE_JWT_SECRET": STRONG_SECRET})
    response = create_app(settings).test_client().get("/api/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


# The contract's rules, as they would look if someone wrote one in Python: its lengths, its
# enumerations as string literals, its rate limits. The Flask layer must hold none of them.
CONTRACT_RULES = [
    r"\b(5000|5001|255|256|2048|2049|50|100|101)\b",
    r"""["'](technical|billing|account|low|medium|high|urgent)["']""",
    r"""["'](open|in_progress|resolved|closed|improvement|complaint|praise)["']""",
    r"max_per_hour|per_hour|\b(5|10) per hour",
]
# Where the contract's words may appear: the local stack runner is not the Flask layer, the
# companion names the feedback categories it files (never checks them), and the
# companion's webhook receiver runs in the bot, where it puts a ticket's status into words.
NOT_FLASK_LAYER = {"local", "webhook_receiver.py"}


def _flask_layer_sources() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if not ({part for part in path.relative_to(PACKAGE).parts} & NOT_FLASK_LAYER)
    ]


@pytest.mark.parametrize("rule", CONTRACT_RULES)
def test_no_business_rule_in_the_flask_layer(rule):
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in _flask_layer_sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(rule, line, flags=re.IGNORECASE)
    ]
    assert found == []
