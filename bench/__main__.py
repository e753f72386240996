"""`make bench`: bring up the stack on free ports, load it, write bench/results/<date>-<host>.md.

Every figure is reported with the baseline measured in the same run, as a ratio.
BENCH_SECONDS (default 10) sets the length of each load; BENCH_SCALE=0 skips the 1M/10M loads;
BENCH_ONLY=creates,companion,scale,rate_limit_cost,fair_share,trigger_cost runs only those
parts (a quick check while profiling); BENCH_ONLY=fair_share writes its own result file under
bench/results/fair-share/. The scale part measures the users' reads and the staff queue at
each size.
"""

import datetime
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import psycopg

from bench import cpu, dataset, machine, queue
from bench.load import Figures, pgbench, wrk
from bench.report import FAIR_SHARE_TARGET, render
from support_dev.hostile_load import flood_while_serving, prepare_flooder
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack
from support_dev.stack.paths import Binaries
from support_runtime.tokens import mint_jwt

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SCALE = os.environ.get("BENCH_SCALE", "1") != "0"
PARTS = ("creates", "companion", "scale", "rate_limit_cost", "fair_share", "trigger_cost")
# The triggers of the thread (history, follow-ups) that run on every create.
THREAD_TRIGGERS = ("support_tickets_record_history", "support_tickets_check_follow_up")
ONLY = [part for part in os.environ.get("BENCH_ONLY", ",".join(PARTS)).split(",") if part]
RESULTS = Path(__file__).with_name("results")

BUG = {
    "description": "The calendar integration shows wrong dates",
    "steps_to_reproduce": "1. Open calendar\n2. Check tomorrow's events\n3. Dates are off",
    "expected_behavior": "Dates should match my Google Calendar",
    "actual_behavior": "All dates are shifted by one day",
    "device_info": "iPhone 15 Pro, iOS 18.1",
    "app_version": "1.0.0",
    "screenshot_urls": ["https://example.com/screenshot.png"],
}
FEEDBACK = {"category": "feature_request", "description": "Track my fitness goals",
            "rating": 4, "feature_name": "fitness_tracking", "would_recommend": True}
TICKET = {"ticket_type": "billing", "subject": "Charged twice for subscription",
          "description": "I was charged $15 twice on January 5th.", "priority": "high"}

BASELINE_SCRIPT = """
\\set n random({first}, {last})
begin;
set local role authenticated;
select set_config('request.jwt.claims', json_build_object('sub', '00000000-0000-4000-8000-'
    || lpad(:n::text, 12, '0'), 'role', 'authenticated')::text, true);
insert into public.support_tickets (ticket_type, description, steps_to_reproduce,
    expected_behavior, actual_behavior, device_info, app_version, screenshot_urls)
values ('bug', 'The calendar integration shows wrong dates',
    E'1. Open calendar\\n2. Check tomorrow''s events\\n3. Dates are off',
    'Dates should match my Google Calendar', 'All dates are shifted by one day',
    'iPhone 15 Pro, iOS 18.1', '1.0.0', array['https://example.com/screenshot.png']);
commit;
"""

USERS_PER_SCENARIO = 10_000
LIGHT, HEAVY = 1, 2  # users with 10 and 10,000 tickets in the scale runs


class Bench:
    def __init__(self, stack, db: psycopg.Connection) -> None:
        self.stack = stack
        self.db = db
        self.next_user = 1_000
        self.figures: dict[str, dict] = {}

    def fresh_tokens(self, count: int = USERS_PER_SCENARIO) -> list[str]:
        first = self.next_user
        self.next_user += count
        dataset.create_users(self.db, first, count)
        return dataset.tokens(self.stack.jwt_secret, first, count)

    def measure(self, load: Callable[[], Figures]) -> Figures:
        """Run `load`, with the CPU each part of the stack spent on it per request."""
        before = cpu.snapshot(self.stack.pids)
        figures = load()
        return replace(figures, cpu_ms=cpu.per_request_ms(
            before, cpu.snapshot(self.stack.pids), figures.requests))

    def record(self, name: str, figures: Figures) -> Figures:
        self.figures[name] = asdict(figures)
        print(f"  {name:<40} {figures.row()}", flush=True)
        return figures

    def http(self, name: str, path: str, tokens: list[str], body: dict | None = None,
             method: str = "POST", connections: int = 16, seconds: int = SECONDS,
             prefer: str = "") -> Figures:
        return self.record(name, self.measure(lambda: wrk(
            f"{self.stack.gateway_url}{path}", tokens, apikey=self.stack.anon_key,
            method=method, body=json.dumps(body if body is not None else {}),
            connections=connections, seconds=seconds, prefer=prefer)))

    @contextmanager
    def raised_rate_limits(self) -> Iterator[None]:
        """Every create still runs the rate-limit trigger; the limits are raised only so that
        a load of thousands of requests a second is not refused."""
        saved = self.db.execute("select kind, max_per_hour from public.rate_limits").fetchall()
        self.db.execute("update public.rate_limits set max_per_hour = 1000000000")
        try:
            yield
        finally:
            with self.db.transaction():
                for kind, limit in saved:
                    self.db.execute("update public.rate_limits set max_per_hour = %s "
                                    "where kind = %s", (limit, kind))

    def creates(self) -> None:
        with self.raised_rate_limits():
            first = self.next_user
            self.fresh_tokens()
            binary = Binaries.locate().client_bindir / "pgbench"
            authenticator_url = self.stack.db_url.replace("postgres:postgres@",
                                                          "authenticator:postgres@")
            script = BASELINE_SCRIPT.format(first=first, last=first + USERS_PER_SCENARIO - 1)
            self.record("create: pgbench insert (baseline)", self.measure(
                lambda: pgbench(binary, authenticator_url, script, seconds=SECONDS)))
            self.db.execute(dataset.NOOP_RPC)
            time.sleep(1)
            self.http("PostgREST trivial RPC", "/rest/v1/rpc/bench_noop", self.fresh_tokens())
            # What a client gets without the RPC: the row inserted into the table directly,
            # returned (the columns a user may read), under the same policies and trigger.
            self.http("create bug report: PostgREST table insert (naive)",
                      "/rest/v1/support_tickets?select=id,status,created_at", self.fresh_tokens(),
                      {"ticket_type": "bug", **BUG}, prefer="return=representation")
            for kind, rpc, route, body in (
                ("bug report", "report_bug", "report-bug", BUG),
                ("ticket", "create_support_ticket", "tickets", TICKET),
                ("feedback", "submit_feedback", "feedback", FEEDBACK),
            ):
                self.http(f"create {kind}: PostgREST RPC", f"/rest/v1/rpc/{rpc}",
                          self.fresh_tokens(), body)
                self.http(f"create {kind}: Flask route", f"/api/support/{route}",
                          self.fresh_tokens(), body)
            self.http("create bug report: PostgREST RPC, 64 conn", "/rest/v1/rpc/report_bug",
                      self.fresh_tokens(), BUG, connections=64)
            self.http("create bug report: Flask route, 64 conn", "/api/support/report-bug",
                      self.fresh_tokens(), BUG, connections=64)

    def companion(self) -> None:
        """The companion bot's route: one message files a bug report, another lists tickets.

        Every request carries the service_role key and names another user in its body; the
        route mints that user's JWT and calls PostgREST twice (the pending conversation, then
        the RPC), so this measures the companion's own path to PostgREST.
        """
        with self.raised_rate_limits():
            for name, text in (("companion: report bug", f"report bug: {BUG['description']}"),
                               ("companion: my tickets", "my tickets")):
                first = self.next_user
                self.fresh_tokens()
                bodies = [json.dumps({"user_id": dataset.user_id(number), "text": text})
                          for number in range(first, first + USERS_PER_SCENARIO)]
                self.record(name, self.measure(lambda bodies=bodies: wrk(
                    f"{self.stack.gateway_url}/api/companion/messages",
                    [self.stack.service_role_key], apikey=self.stack.anon_key,
                    bodies=bodies, seconds=SECONDS)))

    def reads(self, level: str) -> None:
        # These loads measure what a read costs, from one user at hundreds of requests a
        # second: far past that user's fair share (public.request_limits, the gateway's
        # per-token rate), which is lifted meanwhile; the tokens differ for the same user.
        saved = self.db.execute("select role, max_concurrent_reads from public.request_limits "
                                "where role = 'authenticated'").fetchall()
        self.db.execute("update public.request_limits set max_concurrent_reads = 1000")
        try:
            self._reads(level)
        finally:
            for role, reads in saved:
                self.db.execute("update public.request_limits set max_concurrent_reads = %s "
                                "where role = %s", (reads, role))

    def _reads(self, level: str) -> None:
        for label, number in (("10 tickets", LIGHT), ("10,000 tickets", HEAVY)):
            token = [mint_jwt(self.stack.jwt_secret, sub=dataset.user_id(number),
                              expires_in=6 * 3600, session_id=str(n)) for n in range(64)]
            ticket = dataset.any_ticket_of(self.db, number)
            seconds = max(3, SECONDS // 2)
            self.http(f"{level}: list, user with {label}", "/rest/v1/rpc/list_my_tickets",
                      token, {}, connections=4, seconds=seconds)
            self.http(f"{level}: list open, user with {label}", "/rest/v1/rpc/list_my_tickets",
                      token, {"status": "open"}, connections=4, seconds=seconds)
            self.http(f"{level}: get, user with {label}",
                      f"/rest/v1/rpc/get_ticket?ticket_id={ticket}", token, method="GET",
                      connections=4, seconds=seconds)

    def queue_views(self, level: str) -> None:
        token = queue.tokens(self.stack.jwt_secret)
        for name, query in queue.VIEWS.items():
            self.http(f"{level}: {name}", f"/rest/v1/rpc/support_queue?{query}", token,
                      method="GET", connections=4, seconds=max(3, SECONDS // 2))

    def scale(self) -> None:
        # History is append-only (a trigger refuses truncating ticket_events); the benchmark
        # starts from empty tables as a new project would, triggers off for the truncate.
        with self.db.transaction():
            self.db.execute("set local session_replication_role = replica")
            self.db.execute("truncate public.support_tickets cascade")
        dataset.create_users(self.db, LIGHT, 2)
        dataset.add_tickets(self.db, LIGHT, 1, 10)
        dataset.add_tickets(self.db, HEAVY, 1, 10_000, indexes_afterwards=True)
        queue.prepare(self.db)
        self.reads("10k rows")
        self.queue_views("10k rows")
        if not SCALE:
            return
        for level, target in (("1M rows", 1_000_000), ("10M rows", 10_000_000)):
            started = time.monotonic()
            missing = target - dataset.ticket_count(self.db)
            users = missing // 20
            first = self.next_user
            self.next_user += users
            dataset.create_users(self.db, first, users)
            dataset.add_tickets(self.db, first, users, 20, indexes_afterwards=True)
            rows = dataset.ticket_count(self.db)
            print(f"  loaded {rows:,} tickets in {time.monotonic() - started:.0f}s", flush=True)
            self.reads(level)
            self.queue_views(level)

    def rate_limit_cost(self) -> None:
        groups = {}
        for history in (0, 1_000, 100_000):
            first = self.next_user
            self.next_user += 20
            dataset.create_users(self.db, first, 20)
            if history:
                dataset.add_tickets(self.db, first, 20, history)
            groups[history] = dataset.tokens(self.stack.jwt_secret, first, 20)
        saved = self.db.execute(
            "select max_per_hour from public.rate_limits where kind = 'bug_report'").fetchone()
        # 20 users per group are measured many times each, so the limit is raised; the trigger
        # still locks and counts the (few) rows of the last hour exactly as for any user.
        self.db.execute("update public.rate_limits set max_per_hour = 1000000000 "
                        "where kind = 'bug_report'")
        try:
            # Each group twice, in the order 0, 1k, 100k, 100k, 1k, 0, keeping its better run:
            # what the machine does meanwhile weighs on every group alike.
            order = [*groups, *reversed(groups)]
            runs: dict[int, list[Figures]] = {}
            for history in order:
                measured = self.measure(lambda tokens=groups[history]: wrk(
                    f"{self.stack.gateway_url}/rest/v1/rpc/report_bug", tokens,
                    apikey=self.stack.anon_key, body=json.dumps(BUG), connections=8,
                    seconds=SECONDS))
                runs.setdefault(history, []).append(measured)
            for history, measured in runs.items():
                self.record(f"rate limit: create, user with {history:,} past tickets",
                            min(measured, key=lambda figures: figures.p50_ms))
        finally:
            self.db.execute("update public.rate_limits set max_per_hour = %s "
                            "where kind = 'bug_report'", saved)


    def fair_share(self) -> None:
        first = self.next_user
        flooder, victim = self.fresh_tokens(2)
        prepare_flooder(self.db, dataset.user_id(first))
        saved = self.db.execute("select kind, max_per_hour from public.rate_limits").fetchall()
        # The other user creates for the whole run: their rate limits are lifted, not the
        # flooder's fair share, which is what is measured.
        self.db.execute("update public.rate_limits set max_per_hour = 1000000000")
        seconds = max(3, SECONDS // 2)
        try:
            run = flood_while_serving(self.stack.gateway_url, self.stack.postgrest_url,
                                      self.stack.anon_key, flooder, victim, seconds)
        finally:
            for kind, limit in saved:
                self.db.execute("update public.rate_limits set max_per_hour = %s "
                                "where kind = %s", (limit, kind))
        for name, timings in (("idle", run.idle), ("one user flooding", run.flooded)):
            figures = timings.figures(seconds)
            self.figures[f"fair share: other user, {name}"] = figures
            print(f"  fair share: other user, {name:<22} p99 {figures['p99_ms']:.1f} ms, "
                  f"{figures['errors']} errors", flush=True)
        print(f"  the flooder's answers by status: {dict(run.flooder)}", flush=True)

    def trigger_cost(self) -> None:
        """Creates through PostgREST without and with the thread's triggers, in one run."""
        saved = self.db.execute(
            "select max_per_hour from public.rate_limits where kind = 'support_ticket'").fetchone()
        self.db.execute("update public.rate_limits set max_per_hour = 1000000000 "
                        "where kind = 'support_ticket'")
        try:
            # Without, with, with, without, keeping each side's better run: what the machine
            # does meanwhile weighs on both alike.
            runs: dict[bool, list[Figures]] = {}
            for with_triggers in (False, True, True, False):
                action = "enable" if with_triggers else "disable"
                self.db.execute("alter table public.support_tickets " + ", ".join(
                    f"{action} trigger {name}" for name in THREAD_TRIGGERS))
                tokens = self.fresh_tokens()
                runs.setdefault(with_triggers, []).append(self.measure(lambda tokens=tokens: wrk(
                    f"{self.stack.gateway_url}/rest/v1/rpc/create_support_ticket", tokens,
                    apikey=self.stack.anon_key, body=json.dumps(TICKET), seconds=SECONDS)))
            for with_triggers, measured in runs.items():
                label = "with" if with_triggers else "without"
                self.record(f"create ticket: PostgREST RPC, {label} the thread's triggers",
                            max(measured, key=lambda figures: figures.per_second))
        finally:
            self.db.execute("alter table public.support_tickets " + ", ".join(
                f"enable trigger {name}" for name in THREAD_TRIGGERS))
            self.db.execute("update public.rate_limits set max_per_hour = %s "
                            "where kind = 'support_ticket'", saved)


def main() -> int:
    if unknown := set(ONLY) - set(PARTS):
        print(f"BENCH_ONLY: unknown {', '.join(sorted(unknown))}; known: {', '.join(PARTS)}")
        return 2
    if not shutil.which("wrk"):
        print("wrk is not installed: run `make bench` (it installs it)")
        return 2
    started_at = datetime.datetime.now(datetime.UTC)
    info = machine.describe()
    folder = make_state_dir("sfa-bench-")
    state_dir = folder / "stack"
    figures: dict[str, object] = {}
    try:
        began = time.monotonic()
        cold = start_stack(state_dir)
        figures["start: cold (new cluster)"] = time.monotonic() - began
        stop_stack(cold)
        began = time.monotonic()
        stack = start_stack(state_dir)
        figures["start: warm"] = time.monotonic() - began
        print(f"stack up: cold {figures['start: cold (new cluster)']:.1f}s, "
              f"warm {figures['start: warm']:.1f}s", flush=True)
        try:
            with psycopg.connect(stack.db_url, autocommit=True) as db:
                bench = Bench(stack, db)
                for part in PARTS:
                    if part in ONLY:
                        getattr(bench, part)()
                figures.update(bench.figures)
        finally:
            stop_stack(stack)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report = render(started_at, info, figures, SECONDS)
    print(report)
    stem = f"{started_at:%Y-%m-%d}-{info['host']}"
    if ONLY == ["fair_share"]:
        write_result(RESULTS / "fair-share" / stem, started_at, info, figures,
                     [FAIR_SHARE_TARGET])
        return 0
    if set(ONLY) != set(PARTS):
        print("(a partial run: no result file written)")
        return 0
    write_result(RESULTS / stem, started_at, info, figures)
    return 0


def write_result(stem: Path, started_at: datetime.datetime, info: dict, figures: dict,
                 targets: list | None = None) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(
        {"date": started_at.isoformat(), "machine": info, "seconds_per_load": SECONDS,
         "figures": figures}, indent=2) + "\n")
    stem.with_suffix(".md").write_text(
        render(started_at, info, figures, SECONDS, *([targets] if targets else [])))


if __name__ == "__main__":
    sys.exit(main())
