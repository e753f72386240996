"""What every process's settings share: the environment read once, the deployment mode and
the checks on secrets.

``SUPPORT_API_ENV=local`` (the local stack sets it for every process it runs) is the only
mode in which a process accepts the Supabase CLI's well-known local secrets: its JWT secret and
its database password. Any other value, or none, is a deployment, and there a process refuses
them, and JWT secrets shorter than Supabase's own minimum: there is no default secret and no
flag that turns a check off. The API, support-worker and support-triage all call the same
checks, so none of them starts with a secret another would refuse.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from support_runtime.tokens import LOCAL_JWT_SECRET

MODE_VARIABLE = "SUPPORT_API_ENV"
LOCAL_ENV = "local"
# Supabase refuses JWT secrets shorter than this.
MIN_JWT_SECRET_LENGTH = 32
# The password of the Supabase CLI's local database (and of the local stack's).
LOCAL_DB_PASSWORD = "postgres"


class SettingsError(ValueError):
    """The environment does not describe a safe, complete configuration."""


class Environment:
    """The process environment over a `.env` file in the working directory, read once."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    @classmethod
    def read(
        cls,
        environ: Mapping[str, str] | None = None,
        dotenv_path: str | Path | None = None,
    ) -> Environment:
        """`environ` (default: the process environment) over `.env`; real variables win over
        the file, as python-dotenv does by default."""
        path = dotenv_path or _find_dotenv()
        file_values = {
            key: value
            for key, value in (dotenv_values(path) if path else {}).items()
            if value is not None
        }
        return cls({**file_values, **(os.environ if environ is None else environ)})

    def get(self, name: str, default: str = "") -> str:
        return self._values.get(name, "").strip() or default

    def required(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise SettingsError(f"{name} is required")
        return value

    def optional(self, name: str) -> str | None:
        return self.get(name) or None

    def number(self, name: str, default: float, kind: type[int] | type[float] = float) -> float:
        raw = self.get(name)
        if not raw:
            return default
        try:
            return kind(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number") from None

    def flag(self, name: str) -> bool:
        value = self.get(name).lower()
        if value not in ("", "0", "1", "false", "true"):
            raise SettingsError(f"{name} must be true or false")
        return value in ("1", "true")

    @property
    def mode(self) -> str:
        """``local`` for the local stack; anything else (``production`` when unset) deploys."""
        return self.get(MODE_VARIABLE, "production")


def check_jwt_secret(secret: str, *, mode: str, name: str = "SUPABASE_JWT_SECRET") -> None:
    if not secret:
        raise SettingsError(f"{name} is required")
    if mode == LOCAL_ENV:
        return
    if secret == LOCAL_JWT_SECRET:
        raise SettingsError(
            f"refusing to start: {name} is Supabase's public local default, allowed only with "
            f"{MODE_VARIABLE}={LOCAL_ENV}"
        )
    if len(secret) < MIN_JWT_SECRET_LENGTH:
        raise SettingsError(f"{name} must be at least {MIN_JWT_SECRET_LENGTH} characters")


def check_db_url(url: str, *, mode: str, name: str) -> None:
    """A PostgreSQL URL, and outside local mode not one with the local database's password."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        raise SettingsError(f"{name} must be a postgresql:// URL") from None
    if parts.scheme not in ("postgres", "postgresql"):
        raise SettingsError(f"{name} must be a postgresql:// URL")
    if mode != LOCAL_ENV and password == LOCAL_DB_PASSWORD:
        raise SettingsError(
            f"refusing to start: {name} has the local database's well-known password, allowed "
            f"only with {MODE_VARIABLE}={LOCAL_ENV}"
        )


def check_http_url(url: str, *, name: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must be an http(s) URL")


def _find_dotenv() -> str | None:
    """`.env` in the working directory, if there is one (never searched for upwards)."""
    path = Path.cwd() / ".env"
    return str(path) if path.is_file() else None
