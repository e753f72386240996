"""The app's settings: read once from the environment (and `.env`), typed, checked.

Environment variables (the local stack runner sets all of them):

- ``SUPPORT_API_ENV``            ``local`` for the local stack; anything else is a deployment.
- ``SUPABASE_URL``               the project's API gateway, e.g. ``https://<ref>.supabase.co``.
- ``SUPABASE_JWT_SECRET``        the project's JWT secret (HS256; Supabase's "legacy" secret).
- ``SUPABASE_ANON_KEY``          sent as ``apikey`` on every PostgREST call.
- ``SUPABASE_SERVICE_ROLE_KEY``  not used by the app itself (the companion bot sends it);
                                 read only so that a missing value is reported early.
- ``POSTGREST_URL``              PostgREST itself; default ``SUPABASE_URL + "/rest/v1"``.
- ``SUPPORT_API_MAX_BODY_BYTES`` request body cap (default 1 MiB; larger bodies get 413).
- ``SUPPORT_API_UPSTREAM_TIMEOUT`` seconds to wait for PostgREST (default 10).

Outside ``SUPPORT_API_ENV=local`` the app refuses Supabase's well-known local JWT secret
and secrets shorter than Supabase's own minimum: there is no default secret and no flag
that turns authentication off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from support_api.tokens import LOCAL_JWT_SECRET

LOCAL_ENV = "local"
# Supabase refuses JWT secrets shorter than this.
MIN_JWT_SECRET_LENGTH = 32
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_UPSTREAM_TIMEOUT = 10.0


class SettingsError(ValueError):
    """The environment does not describe a safe, complete configuration."""


@dataclass(frozen=True)
class Settings:
    env: str
    supabase_url: str
    postgrest_url: str
    jwt_secret: str
    anon_key: str
    service_role_key: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    upstream_timeout: float = DEFAULT_UPSTREAM_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("supabase_url", "postgrest_url"):
            url = urlsplit(getattr(self, name))
            if url.scheme not in ("http", "https") or not url.netloc:
                raise SettingsError(f"{name} must be an http(s) URL")
        if not self.jwt_secret:
            raise SettingsError("SUPABASE_JWT_SECRET is required")
        if not self.anon_key:
            raise SettingsError("SUPABASE_ANON_KEY is required")
        if not self.is_local:
            if self.jwt_secret == LOCAL_JWT_SECRET:
                raise SettingsError(
                    "refusing to start: SUPABASE_JWT_SECRET is Supabase's public local "
                    f"default, allowed only with SUPPORT_API_ENV={LOCAL_ENV}"
                )
            if len(self.jwt_secret) < MIN_JWT_SECRET_LENGTH:
                raise SettingsError(
                    f"SUPABASE_JWT_SECRET must be at least {MIN_JWT_SECRET_LENGTH} characters"
                )
        if self.max_body_bytes <= 0:
            raise SettingsError("SUPPORT_API_MAX_BODY_BYTES must be positive")
        if self.upstream_timeout <= 0:
            raise SettingsError("SUPPORT_API_UPSTREAM_TIMEOUT must be positive")

    @property
    def is_local(self) -> bool:
        return self.env == LOCAL_ENV

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        dotenv_path: str | Path | None = None,
    ) -> Settings:
        """Settings from `environ` (default: the process environment) over a `.env` file.

        Real environment variables win over the file, as python-dotenv does by default.
        """
        path = dotenv_path or _find_dotenv()
        file_values = {
            key: value
            for key, value in (dotenv_values(path) if path else {}).items()
            if value is not None
        }
        env = {**file_values, **(os.environ if environ is None else environ)}

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise SettingsError(f"{name} is required")
            return value

        def number(name: str, default: float, kind: type[int] | type[float]) -> float:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                return kind(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a number") from None

        supabase_url = required("SUPABASE_URL").rstrip("/")
        return cls(
            env=env.get("SUPPORT_API_ENV", "").strip() or "production",
            supabase_url=supabase_url,
            postgrest_url=(
                env.get("POSTGREST_URL", "").strip() or f"{supabase_url}/rest/v1"
            ).rstrip("/"),
            jwt_secret=required("SUPABASE_JWT_SECRET"),
            anon_key=required("SUPABASE_ANON_KEY"),
            service_role_key=env.get("SUPABASE_SERVICE_ROLE_KEY", "").strip() or None,
            max_body_bytes=int(number("SUPPORT_API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, int)),
            upstream_timeout=float(
                number("SUPPORT_API_UPSTREAM_TIMEOUT", DEFAULT_UPSTREAM_TIMEOUT, float)
            ),
        )


def _find_dotenv() -> str | None:
    """`.env` in the working directory, if there is one (never searched for upwards)."""
    path = Path.cwd() / ".env"
    return str(path) if path.is_file() else None
