"""The project's PostgREST client handle: one HTTP connection pool, calls made as a user.

`PostgrestHandle` wraps the official client (`postgrest.SyncPostgrestClient`): every call is
built and sent by that client, on one shared `httpx.Client` (one connection pool per worker
process, safe to share between threads), with the caller's JWT as bearer and the project's
anon key as ``apikey``. It returns the raw answer -- status, body bytes and the headers that
matter -- so that the routes relay PostgREST's answer unchanged; the official client's
`execute()` keeps only the decoded body, so the raw response is captured with an httpx
response hook.

The handle also knows the project's JWT secret, so that the companion can act as a user it
knows only by id (`mint_user_jwt`). This is the ``db`` argument of
`create_ticket_from_companion`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt as pyjwt
from postgrest import APIError, SyncPostgrestClient
from postgrest.constants import DEFAULT_POSTGREST_CLIENT_HEADERS

from support_api.settings import Settings
from support_api.tokens import mint_jwt

# Response headers of PostgREST that a caller of the API needs to see.
RELAYED_HEADERS = ("Retry-After", "WWW-Authenticate", "Content-Range")
# The user token the companion mints lives no longer than this.
COMPANION_TOKEN_SECONDS = 60

_last_response: ContextVar[httpx.Response | None] = ContextVar("_last_response", default=None)


def _remember_response(response: httpx.Response) -> None:
    _last_response.set(response)


class PostgrestUnavailable(Exception):
    """PostgREST could not be reached or did not answer in time (or not with JSON)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RpcResult:
    """PostgREST's answer to one RPC call, as it came."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def error(self) -> dict[str, Any]:
        """The error object ({code, message, details, hint}) of a failed call."""
        data = self.json()
        return data if isinstance(data, dict) else {"message": str(data)}


class PostgrestHandle:
    """A project's PostgREST: its URL, anon key, JWT secret and one connection pool."""

    def __init__(
        self,
        url: str,
        *,
        anon_key: str,
        jwt_secret: str,
        timeout: float = 10.0,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._anon_key = anon_key
        self._jwt_secret = jwt_secret
        self._http = http_client or httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            follow_redirects=False,
        )
        hooks = self._http.event_hooks
        self._http.event_hooks = {
            **hooks,
            "response": [*hooks.get("response", []), _remember_response],
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> PostgrestHandle:
        return cls(
            settings.postgrest_url,
            anon_key=settings.anon_key,
            jwt_secret=settings.jwt_secret,
            timeout=settings.upstream_timeout,
        )

    def close(self) -> None:
        self._http.close()

    def mint_user_jwt(self, user_id: str, *, expires_in: int = COMPANION_TOKEN_SECONDS) -> str:
        """A short-lived token for `user_id` (role authenticated), as the companion uses."""
        return mint_jwt(
            self._jwt_secret,
            sub=user_id,
            expires_in=min(expires_in, COMPANION_TOKEN_SECONDS),
            via="companion",
        )

    def verify_service_role(self, token: str) -> bool:
        """True when `token` is a JWT signed with the project secret for role service_role."""
        try:
            claims = pyjwt.decode(
                token,
                self._jwt_secret,
                algorithms=["HS256"],
                options={"verify_aud": False, "require": ["role"]},
            )
        except pyjwt.PyJWTError:
            return False
        return claims.get("role") == "service_role"

    def client(self, jwt: str, *, headers: Mapping[str, str] | None = None) -> SyncPostgrestClient:
        """The official client acting with `jwt`, on the shared connection pool."""
        return SyncPostgrestClient(
            self.url,
            headers={
                **DEFAULT_POSTGREST_CLIENT_HEADERS,
                **(headers or {}),
                "apikey": self._anon_key,
                "Authorization": f"Bearer {jwt}",
            },
            http_client=self._http,
        )

    def rpc(
        self,
        function: str,
        params: Any,
        *,
        jwt: str,
        get: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> RpcResult:
        """Call ``/rpc/<function>`` as the holder of `jwt`; PostgREST's answer as it came.

        `params` is the JSON body of a POST (any JSON value, passed through as is) or the
        query parameters of a GET. Raises `PostgrestUnavailable` when there is no answer.
        """
        builder = self.client(jwt, headers=headers).rpc(function, params, get=get)
        # Never resend a call on our own: a POST may have been applied already, and a retry
        # loop would turn an outage into a hang.
        builder.retry(False)
        reset = _last_response.set(None)
        try:
            builder.execute()
        except APIError:
            pass  # the raw response below carries the error as PostgREST sent it
        except httpx.TimeoutException:
            raise PostgrestUnavailable("PostgREST did not answer in time") from None
        except httpx.HTTPError:
            raise PostgrestUnavailable("PostgREST could not be reached") from None
        finally:
            response = _last_response.get()
            _last_response.reset(reset)
        if response is None:
            raise PostgrestUnavailable("PostgREST gave no answer")
        content_type = response.headers.get("Content-Type", "")
        if response.status_code >= 500 and "json" not in content_type:
            # A proxy's error page, not PostgREST: there is nothing to relay.
            raise PostgrestUnavailable(f"PostgREST answered {response.status_code}")
        return RpcResult(
            status=response.status_code,
            body=response.content,
            headers={
                name: response.headers[name] for name in RELAYED_HEADERS if name in response.headers
            },
        )
