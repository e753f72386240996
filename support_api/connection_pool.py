"""Keep-alive HTTP connections to PostgREST for the client routes, which relay bytes.

The client routes do nothing but pass a body on and an answer back, thousands of times a
second under load. Sent through the official client (postgrest-py on httpx), one call costs
about 2 ms of CPU on a 2-core machine; through the standard library's `http.client` it costs
about 0.35 ms. The Flask layer's CPU per request fell from ~4.1 ms to ~2.3 ms with it
(bench/results), so the relay uses this pool and the official client stays with the
companion, where a message is a rare event and its request builder earns its keep.

Safe to share between the threads of a worker. A request is never sent twice: when a
connection fails, the request fails, and every idle connection is dropped with it, since
they all point at the PostgREST that just went away.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

# PostgREST (warp) closes a connection idle for 30 s; one idle longer than this is not reused,
# so that a request never lands on a connection the server is closing.
IDLE_SECONDS = 15.0


@dataclass(frozen=True)
class RawResponse:
    status: int
    body: bytes
    headers: Message


class ConnectionPool:
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
