"""The PostgREST transport's keep-alive pool: reuse, and no resend when the upstream goes away.

The upstream here is a real HTTP/1.1 server on loopback that counts what it receives, so that
"never sent twice" is observed on the server's side.
"""

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support_api.postgrest import ConnectionPool


class Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[bytes] = []
        self.peers: set[int] = set()
        self.drop_next = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/rest/v1"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Upstream

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(body)
        self.server.peers.add(self.client_address[1])
        if self.server.drop_next:
            # Gone before answering, as a PostgREST killed in the middle of a request.
            self.server.drop_next = False
            self.close_connection = True
            return
        answer = b'{"path": "' + self.path.encode() + b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_requests_reuse_one_connection_under_the_base_path(upstream):
    pool = ConnectionPool(upstream.url, timeout=2)
    for number in range(3):
        response = pool.request("POST", "/rpc/f", body=b"%d" % number, headers={})
        assert (response.status, response.body) == (200, b'{"path": "/rest/v1/rpc/f"}')
        assert response.headers["Content-Type"] == "application/json"
    assert upstream.received == [b"0", b"1", b"2"]
    assert len(upstream.peers) == 1


def test_a_request_whose_connection_fails_is_not_resent_and_the_next_one_reconnects(upstream):
    pool = ConnectionPool(upstream.url, timeout=2)
    pool.request("POST", "/rpc/f", body=b"first", headers={})
    upstream.drop_next = True
    with pytest.raises((OSError, http.client.HTTPException)):
        pool.request("POST", "/rpc/f", body=b"lost", headers={})
    assert upstream.received == [b"first", b"lost"]
    response = pool.request("POST", "/rpc/f", body=b"after", headers={})
    assert response.status == 200
    assert upstream.received == [b"first", b"lost", b"after"]
    assert len(upstream.peers) == 2


def test_threads_share_the_pool_and_keep_at_most_max_idle_connections(upstream):
    pool = ConnectionPool(upstream.url, timeout=2, max_idle=2)
    barrier = threading.Barrier(6)

    def send(number: int) -> None:
        barrier.wait()
        pool.request("POST", "/rpc/f", body=b"%d" % number, headers={})

    threads = [threading.Thread(target=send, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(upstream.received) == [b"%d" % number for number in range(6)]
    assert len(pool._idle) <= 2
