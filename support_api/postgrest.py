"""The one way to PostgREST: `PostgrestHandle`, for the routes and the companion helper alike.

A handle is a project's PostgREST (its URL, anon key and JWT secret) and one pool of keep-alive
connections to it. `rpc` calls a function as the holder of a JWT and returns PostgREST's answer
as it came: status, body bytes and the headers a caller needs. Nothing here knows a rule of
the contract; the database decides.

Inside the app, flaskr's pattern: `init_app(app)` gives the process one handle, made from the
app's settings, and `get_postgrest()` returns it to a request. gunicorn forks its workers
before any request and the pool opens its first connection lazily, so each worker has its own.
Bot code running in-process makes its own handle and passes it to
`create_ticket_from_companion(..., db=handle)`.

Why the standard library's `http.client` and not the official client (postgrest-py on httpx):
a call through that client cost about 2 ms of CPU on a 2-core machine, as much as PostgREST
spends on the request; through this pool it costs about 0.35 ms (bench/results). No caller
needs a query builder: every call is an RPC.

A request is never sent twice: a POST may have been applied already, and a retry loop would
turn an outage into a hang. When a connection fails, its request fails (`PostgrestUnavailable`)
and every idle connection is dropped with it, since they all point at the PostgREST that just
went away.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app

from support_api.settings import Settings
from support_runtime.tokens import mint_jwt

# Response headers of PostgREST that a caller of the API needs to see.
RELAYED_HEADERS = ("Retry-After", "WWW-Authenticate", "Content-Range")
# The user token the companion mints lives no longer than this.
COMPANION_TOKEN_SECONDS = 60
# PostgREST (warp) closes a connection idle for 30 s; one idle longer than this is not reused,
# so that a request never lands on a connection the server is closing.
IDLE_SECONDS = 15.0
_EXTENSION = "support_api.postgrest"


# PostgreSQL's codes for a statement stopped by a timeout (statement, lock, idle transaction)
# or cancelled, and for the server shutting down or starting: PostgREST 12 answers them 500, as
# it does a real failure; only these mean "busy, retry". The gateway's twin:
# support_dev/stack/postgrest_errors.js.
RETRY_CODES = frozenset({"57014", "55P03", "25P03", "57P01", "57P02", "57P03"})


def _error_code(body: bytes) -> str | None:
    try:
        error = json.loads(body)
    except ValueError:
        return None
    return str(error.get("code")) if isinstance(error, dict) else None


class PostgrestFailed(Exception):
    """PostgREST answered 500 for something other than a timeout: a bug or a deadlock, whose
    text (internals, submitted values) is not relayed."""


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


@dataclass(frozen=True)
class RawResponse:
    status: int
    body: bytes
    headers: Message


class ConnectionPool:
    """Keep-alive HTTP connections to one server, safe to share between threads."""

    def __init__(self, url: str, *, timeout: float, max_idle: int = 32) -> None:
        parts = urlsplit(url)
        self._connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._base_path = parts.path.rstrip("/")
        self._timeout = timeout
        self._max_idle = max_idle
        self._idle: list[tuple[http.client.HTTPConnection, float]] = []
        self._lock = threading.Lock()

    def request(
        self, method: str, path: str, *, body: bytes | None, headers: dict[str, str]
    ) -> RawResponse:
        """Send one request; raises OSError or http.client.HTTPException when it fails."""
        connection = self._take()
        try:
            connection.request(method, self._base_path + path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except BaseException:
            connection.close()
            self.clear()
            raise
        if response.will_close:
            connection.close()
        else:
            self._give_back(connection)
        return RawResponse(response.status, data, response.headers)

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection, _ in idle:
            connection.close()

    def _take(self) -> http.client.HTTPConnection:
        now = time.monotonic()
        stale = []
        connection = None
        with self._lock:
            while self._idle:
                candidate, since = self._idle.pop()
                if now - since < IDLE_SECONDS:
                    connection = candidate
                    break
                stale.append(candidate)
        for old in stale:
            old.close()
        return connection or self._connection_class(self._host, self._port, timeout=self._timeout)

    def _give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append((connection, time.monotonic()))
                return
        connection.close()


class PostgrestHandle:
    """A project's PostgREST: its URL, anon key, JWT secret and one connection pool."""

    def __init__(self, url: str, *, anon_key: str, jwt_secret: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._anon_key = anon_key
        self._jwt_secret = jwt_secret
        self._pool = ConnectionPool(self.url, timeout=timeout)

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

    def mint_user_jwt(self, user_id: str, *, expires_in: int = COMPANION_TOKEN_SECONDS,
                      via: str = "companion") -> str:
        """A short-lived token for `user_id` (role authenticated), as the companion uses;
        `via` names the part of the API that acted for the user (it shows in the claims)."""
        return mint_jwt(
            self._jwt_secret,
            sub=user_id,
            expires_in=min(expires_in, COMPANION_TOKEN_SECONDS),
            via=via,
        )

    def rpc(
        self,
        function: str,
        *,
        jwt: str,
        body: Any = None,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> RpcResult:
        """Call ``/rpc/<function>`` as the holder of `jwt`; PostgREST's answer as it came.

        With a `body` the call is a POST: bytes are sent as they are (JSON the caller already
        checked), any other value is encoded as JSON. Without one it is a GET with `query`.
        Raises `PostgrestUnavailable` when there is no answer.
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
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
        try:
            response = self._pool.request(
                "GET" if body is None else "POST", path, body=body, headers=request_headers
            )
        except TimeoutError:
            raise PostgrestUnavailable("PostgREST did not answer in time") from None
        except (OSError, http.client.HTTPException):
            raise PostgrestUnavailable("PostgREST could not be reached") from None
        if response.status == 504 or (response.status == 500
                                       and _error_code(response.body) in RETRY_CODES):
            # An exhausted connection pool (504) or a statement timeout: "busy, retry",
            # answered as 503 with Retry-After like the gateway does.
            raise PostgrestUnavailable("The database did not answer in time")
        if response.status >= 500 and "json" not in response.headers.get("Content-Type", ""):
            # A proxy's error page, not PostgREST: there is nothing to relay.
            raise PostgrestUnavailable(f"PostgREST answered {response.status}")
        if response.status == 500:
            raise PostgrestFailed()
        return RpcResult(
            status=response.status,
            body=response.body,
            headers={
                name: response.headers[name]
                for name in RELAYED_HEADERS
                if name in response.headers
            },
        )


def init_app(app: Flask) -> None:
    """Give the app's process its PostgREST handle, made from the app's settings."""
    app.extensions[_EXTENSION] = PostgrestHandle.from_settings(app.config["SUPPORT_API_SETTINGS"])


def get_postgrest() -> PostgrestHandle:
    """This process's PostgREST handle, shared by all requests."""
    return current_app.extensions[_EXTENSION]
