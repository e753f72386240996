"""One user floods the most expensive requests they can make while another files and lists.

Shared by the hostile-load test (tests/hostile/test_fair_share.py: every request of the other
user succeeds) and the bench's fair-share part (the other user's p99 under the flood against
their p99 with the stack idle, measured in the same run).

The most expensive requests a signed-in user can make: through PostgREST, a table read with a
regular-expression filter on their own long descriptions, whose pattern PostgreSQL takes about
a quarter of a second of CPU to compile (a new one each time, so no cache helps); through the
Flask layer, the longest page of their tickets. The local gateway refuses pattern filters, so
those reads go to `data_api_url`: PostgREST itself, as a hosted project's Data API passes them,
where the database's per-user share is what bounds them. Loopback only, bounded by `seconds`.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

import httpx
import psycopg

FLOOD_THREADS = 16
LONG_DESCRIPTION = "a" * 5000


@dataclass
class Timings:
    """The other user's requests: (what, status, seconds) each."""

    answers: list[tuple[str, int, float]] = field(default_factory=list)

    def failures(self) -> list[tuple[str, int]]:
        return [(what, status) for what, status, _ in self.answers if status != 200]

    def figures(self, seconds: float) -> dict[str, float]:
        """In the bench's shape: requests, per_second, p50_ms, p99_ms, errors."""
        latencies = sorted(elapsed * 1000 for _, _, elapsed in self.answers)
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        return {"requests": len(latencies), "per_second": len(latencies) / seconds,
                "p50_ms": cuts[49], "p99_ms": cuts[98], "errors": len(self.failures()),
                "cpu_ms": {}}


@dataclass
class FloodRun:
    idle: Timings
    flooded: Timings
    # By status; a 500 with PostgreSQL's code (`500 57014`: a statement timeout, which PostgREST
    # itself answers 500 and the local gateway 503).
    flooder: Counter[str]
    seconds: float


def prepare_flooder(db: psycopg.Connection, user_id: str, rows: int = 5) -> None:
    """Gives the flooding user long descriptions for the filters to run on (as an admin)."""
    for _ in range(rows):
        db.execute(
            "insert into public.support_tickets (user_id, ticket_type, subject, description) "
            "values (%s, 'billing', 'flood', %s)", (user_id, LONG_DESCRIPTION))


def _victim_requests(gateway_url: str, anon_key: str, token: str
                     ) -> list[tuple[str, Callable[[httpx.Client], httpx.Response]]]:
    rest = {"Authorization": f"Bearer {token}", "apikey": anon_key}
    flask = {"Authorization": f"Bearer {token}"}
    bug = {"description": "The calendar shows dates a day off."}
    ticket = {"ticket_type": "billing", "subject": "Charged twice", "description": "Twice."}
    return [
        ("create via PostgREST", lambda http: http.post(
            f"{gateway_url}/rest/v1/rpc/report_bug", json=bug, headers=rest)),
        ("create via Flask", lambda http: http.post(
            f"{gateway_url}/api/support/tickets", json=ticket, headers=flask)),
        ("list via PostgREST", lambda http: http.post(
            f"{gateway_url}/rest/v1/rpc/list_my_tickets", json={}, headers=rest)),
        ("list via Flask", lambda http: http.get(
            f"{gateway_url}/api/support/tickets", headers=flask)),
    ]


def _serve_victim(gateway_url: str, anon_key: str, token: str, seconds: float) -> Timings:
    timings = Timings()
    requests = _victim_requests(gateway_url, anon_key, token)
    with httpx.Client(timeout=30) as http:
        # At least one round, however slowly a loaded machine schedules this thread.
        deadline = time.monotonic() + seconds
        while not timings.answers or time.monotonic() < deadline:
            for what, send in requests:
                started = time.perf_counter()
                status = send(http).status_code
                timings.answers.append((what, status, time.perf_counter() - started))
    return timings


class Flood:
    """FLOOD_THREADS threads sending the flooder's expensive requests until stopped."""

    def __init__(self, gateway_url: str, data_api_url: str, anon_key: str, token: str) -> None:
        self.gateway_url, self.data_api_url = gateway_url, data_api_url
        self.anon_key, self.token = anon_key, token
        self.statuses: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.patterns = count()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True)
                        for n in range(FLOOD_THREADS)]

    def _send(self, http: httpx.Client, through_flask: bool) -> str:
        if through_flask:
            answer = http.get(f"{self.gateway_url}/api/support/tickets?limit=100",
                              headers={"Authorization": f"Bearer {self.token}"})
        else:
            # A pattern PostgreSQL has not compiled before: (.{1,200}){1,N}x for N in 100..199.
            repeat = 100 + next(self.patterns) % 100
            answer = http.get(
                f"{self.data_api_url}/support_tickets",
                params={"select": "id", "description": f"match.(.{{1,200}}){{1,{repeat}}}x"},
                headers={"Authorization": f"Bearer {self.token}", "apikey": self.anon_key},
            )
        if answer.status_code == 500:
            return f"500 {answer.json().get('code')}"
        return str(answer.status_code)

    def _run(self, number: int) -> None:
        with httpx.Client(timeout=30) as http:
            while not self.stop.is_set():
                status = self._send(http, through_flask=number % 4 == 0)
                with self.lock:
                    self.statuses[status] += 1

    def __enter__(self) -> Flood:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def flood_while_serving(gateway_url: str, data_api_url: str, anon_key: str, flooder_token: str,
                        victim_token: str, seconds: float) -> FloodRun:
    """The victim's requests for `seconds` idle, then for `seconds` under the flood."""
    idle = _serve_victim(gateway_url, anon_key, victim_token, seconds)
    with Flood(gateway_url, data_api_url, anon_key, flooder_token) as flood:
        time.sleep(0.5)  # let the flood fill whatever it can take
        flooded = _serve_victim(gateway_url, anon_key, victim_token, seconds)
    return FloodRun(idle, flooded, flood.statuses, seconds)
