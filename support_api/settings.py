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

The JWT secret is checked as every process checks it (support_runtime.settings): outside
``SUPPORT_API_ENV=local`` the Supabase CLI's well-known local secret and secrets shorter than
Supabase's own minimum are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from support_runtime.settings import (
    LOCAL_ENV,
    Environment,
    SettingsError,
    check_http_url,
    check_jwt_secret,
)

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_UPSTREAM_TIMEOUT = 10.0


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
            check_http_url(getattr(self, name), name=name)
        check_jwt_secret(self.jwt_secret, mode=self.env)
        if not self.anon_key:
            raise SettingsError("SUPABASE_ANON_KEY is required")
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
        """Settings from `environ` (default: the process environment) over a `.env` file."""
        env = Environment.read(environ, dotenv_path)
        supabase_url = env.required("SUPABASE_URL").rstrip("/")
        return cls(
            env=env.mode,
            supabase_url=supabase_url,
            postgrest_url=env.get("POSTGREST_URL", f"{supabase_url}/rest/v1").rstrip("/"),
            jwt_secret=env.required("SUPABASE_JWT_SECRET"),
            anon_key=env.required("SUPABASE_ANON_KEY"),
            service_role_key=env.optional("SUPABASE_SERVICE_ROLE_KEY"),
            max_body_bytes=int(env.number("SUPPORT_API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES,
                                          int)),
            upstream_timeout=env.number("SUPPORT_API_UPSTREAM_TIMEOUT", DEFAULT_UPSTREAM_TIMEOUT),
        )
