"""The project's PostgREST client handle: connection pools, calls made as a user.

`PostgrestHandle.rpc` calls through the official client (`postgrest.SyncPostgrestClient`) on
one shared `httpx.Client` (one connection pool per worker process, safe to share between
threads), with the caller's JWT as bearer and the project's anon key as ``apikey``. It
returns the raw answer -- status, body bytes and the headers that matter -- so that callers
see PostgREST's answer unchanged; the official client's `execute()` keeps only the decoded
body, so the raw response is captured with an httpx response hook.

`PostgrestHandle.relay_rpc` sends the same request over a lean keep-alive pool: the client
routes, which only relay bytes, use it (why: `support_api.connection_pool`).

The handle also knows the project's JWT secret, so that the companion can act as a user it
knows only by id (`mint_user_jwt`). This is the ``db`` argument of
`create_ticket_from_companion`.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt as pyjwt
from postgrest import APIError, SyncPostgrestClient
from postgrest.constants import DEFAULT_POSTGREST_CLIENT_HEADERS

from support_api.connection_pool import ConnectionPool
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
        self._pool = ConnectionPool(self.url, timeout=timeout)
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
        self._pool.clear()
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
        headers: Mapping[str, str] | None = None,
    ) -> RpcResult:
        """POST ``/rpc/<function>`` as the holder of `jwt`; PostgREST's answer as it came.

        `params` is the JSON body (any JSON value, passed through as is). Raises
        `PostgrestUnavailable` when there is no answer.
        """
        builder = self.client(jwt, headers=headers).rpc(function, params)
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
        return _result(response.status_code, response.content, response.headers)

    def relay_rpc(
        self,
        function: str,
        *,
        jwt: str,
        body: bytes | None = None,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> RpcResult:
        """Call ``/rpc/<function>`` with a JSON `body` as it came (POST) or a `query` (GET).

        The lean path of the client routes (see `support_api.connection_pool`): the same
        request the official client sends, without building it through that client.
        """
        request_headers = {
            **(headers or {}),
            "Accept": "application/json",
            "apikey": self._anon_key,
            "Authorization": f"Bearer {jwt}",
        }
        path = f"/rpc/{function}"
        if body is None:
            path += f"?{urlencode(query or {})}"
        else:
            request_headers["Content-Type"] = "application/json"
        try:
            response = self._pool.request(
                "GET" if body is None else "POST", path, body=body, headers=request_headers
            )
        except TimeoutError:
            raise PostgrestUnavailable("PostgREST did not answer in time") from None
        except (OSError, http.client.HTTPException):
            raise PostgrestUnavailable("PostgREST could not be reached") from None
        return _result(response.status, response.body, response.headers)


def _result(status: int, body: bytes, headers: Mapping[str, str]) -> RpcResult:
    if status in (500, 504):
        # PostgREST 12 answers a statement timeout (57014) with 500 and an exhausted connection
        # pool with 504: "busy, retry", answered as 503 with Retry-After like the gateway does.
        raise PostgrestUnavailable("The database did not answer in time")
    if status >= 500 and "json" not in headers.get("Content-Type", ""):
        # A proxy's error page, not PostgREST: there is nothing to relay.
        raise PostgrestUnavailable(f"PostgREST answered {status}")
    return RpcResult(
        status=status,
        body=body,
        headers={name: headers[name] for name in RELAYED_HEADERS if name in headers},
    )
