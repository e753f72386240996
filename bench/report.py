"""The result file: the machine, every figure, and each target as a ratio within one run.

`python -m bench.report bench/results/<run>.json` renders a run's .md again.
"""

import datetime
import json
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Target:
    name: str
    numerator: str
    denominator: str
    field: str
    limit: float
    at_least: bool
    # Why a miss happens, found by profiling; printed under the table when the target is missed.
    why_missed: str = ""

    def check(self, figures: dict) -> tuple[str, str]:
        try:
            ratio = figures[self.numerator][self.field] / figures[self.denominator][self.field]
        except (KeyError, ZeroDivisionError):
            return "n/a", "not measured"
        met = ratio >= self.limit if self.at_least else ratio <= self.limit
        sign = "≥" if self.at_least else "≤"
        return f"{ratio:.2f}", f"{'met' if met else 'MISSED'} ({sign} {self.limit})"


FLASK_WHY = (
    "The Flask layer is a second HTTP hop, in Python, on the same two cores. Both paths are "
    "bound by CPU, so the ratio is about (CPU of a PostgREST request) / (that + the Flask "
    "layer's CPU): see the CPU table. gunicorn and Flask answering a constant, with no I/O, "
    "already cost ~0.6 ms of CPU a request on this machine; relaying adds the call to "
    "PostgREST (a keep-alive connection, ~0.35 ms with the standard library's client) and the "
    "WSGI request and response. Profiled with py-spy: the official client (postgrest-py on "
    "httpx) cost ~2 ms a call and was replaced on this path by a lean keep-alive pool "
    "(before: ~4.1 ms of Flask CPU a request, ratio 0.35-0.45; after: ~2.3 ms). Reaching 0.7 "
    "would need the whole Python hop under ~1.3 ms: a compiled gateway, not a WSGI app. "
    "Where throughput matters, run the Flask layer on its own hosts (README, Scaling): then "
    "it takes no CPU from PostgREST and PostgreSQL and the ratio is that of the hosts."
)

POSTGREST_WHY = (
    "A create through PostgREST pays, on top of the baseline's insert (the same row, triggers "
    "and constraints), PostgREST's own work: about 1 ms of CPU a request for HTTP, the JWT and "
    "JSON (CPU table), close to what the baseline's whole transaction costs PostgreSQL. That "
    "bounds this ratio near 0.5 whatever the function does, and work both paths share (the "
    "triggers) does not move it: made cheaper, it speeds the baseline as much. What the RPC "
    "adds was profiled (pg_stat_statements, pg_stat_user_functions) and cut: the SQL helpers "
    "with a SET clause, which PostgreSQL plans again on every call, became plpgsql; the body "
    "check takes one pass; no hash is computed without an Idempotency-Key (report_bug's time "
    "in the database: -35%). PostgREST runs with +RTS -N1 here (half the cores), ~25% less CPU "
    "a request than its default -N. The RPC now costs about what a naive table insert through "
    "PostgREST costs (the ratio above), while it also checks the body's shape, returns the "
    "contract's answer and honours Idempotency-Key."
)

TARGETS = [
    Target("create via PostgREST / pgbench baseline (req/s)",
           "create bug report: PostgREST RPC", "create: pgbench insert (baseline)",
           "per_second", 0.5, True, POSTGREST_WHY),
    Target("create via PostgREST RPC / naive table insert via PostgREST (req/s): ours costs less",
           "create bug report: PostgREST RPC",
           "create bug report: PostgREST table insert (naive)", "per_second", 1.0, True,
           POSTGREST_WHY),
    Target("PostgREST trivial RPC / pgbench baseline (req/s): the ceiling for any request",
           "PostgREST trivial RPC", "create: pgbench insert (baseline)", "per_second", 0, True),
    *[
        Target(f"create {kind} via Flask / via PostgREST (req/s)",
               f"create {kind}: Flask route", f"create {kind}: PostgREST RPC",
               "per_second", 0.7, True, FLASK_WHY)
        for kind in ("bug report", "ticket", "feedback")
    ],
    *[
        Target(f"{what} p99 at 10M rows / at 10k rows, user with {who}",
               f"10M rows: {what}, user with {who}", f"10k rows: {what}, user with {who}",
               "p99_ms", 2.0, False)
        for what in ("list", "list open", "get")
        for who in ("10 tickets", "10,000 tickets")
    ],
    *[
        Target(f"{view} p99 at 10M rows / at 10k rows (staff)",
               f"10M rows: {view}", f"10k rows: {view}", "p99_ms", limit, False)
        for view, limit in (("queue open unassigned", 2.0), ("queue mine", 2.0),
                            ("queue open by priority", 2.0), ("queue search", 3.0))
    ],
    Target("create ticket with / without the thread's triggers (req/s): at most 10% dearer",
           "create ticket: PostgREST RPC, with the thread's triggers",
           "create ticket: PostgREST RPC, without the thread's triggers", "per_second", 0.9, True),
    Target("rate-limit cost: create p50 with 100,000 past tickets / with 0",
           "rate limit: create, user with 100,000 past tickets",
           "rate limit: create, user with 0 past tickets", "p50_ms", 1.1, False),
    Target("rate-limit cost: create p99 with 100,000 past tickets / with 0",
           "rate limit: create, user with 100,000 past tickets",
           "rate limit: create, user with 0 past tickets", "p99_ms", 1.1, False),
    Target("PostgREST create at 64 / at 16 connections (req/s): no collapse",
           "create bug report: PostgREST RPC, 64 conn", "create bug report: PostgREST RPC",
           "per_second", 0.8, True),
    Target("Flask create at 64 / at 16 connections (req/s): no collapse",
           "create bug report: Flask route, 64 conn", "create bug report: Flask route",
           "per_second", 0.8, True),
]
FAIR_SHARE_TARGET = Target(
    "another user's p99 while one user floods / with the stack idle (creates and lists, both "
    "paths)", "fair share: other user, one user flooding", "fair share: other user, idle",
    "p99_ms", 10.0, False)
TARGETS.append(FAIR_SHARE_TARGET)


def verdict_missed(target: Target, figures: dict) -> bool:
    return target.check(figures)[1].startswith("MISSED")


def render(started_at: datetime.datetime, machine: dict, figures: dict, seconds: int,
           targets: list[Target] = TARGETS) -> str:
    lines = [
        f"# Benchmark results, {started_at:%Y-%m-%d %H:%M} UTC",
        "",
        "Produced by `make bench` (`python -m bench`): the stack on free ports, loaded with wrk",
        "(Lua script, a distinct user's JWT per request) and pgbench, "
        f"{seconds} s per load, 16 connections unless noted.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in machine.items()],
        "",
        "## Targets (ratios within this run)",
        "",
        "| target | ratio | verdict |",
        "|---|---|---|",
    ]
    for target in targets:
        ratio, verdict = target.check(figures)
        lines.append(f"| {target.name} | {ratio} | {verdict} |")
    reasons = {target.why_missed for target in targets
               if target.why_missed and verdict_missed(target, figures)}
    if reasons:
        lines += ["", "Why the missed targets are missed:", ""]
        lines += [f"- {reason}" for reason in sorted(reasons)]
    lines += [
        "",
        "## Figures",
        "",
        "| scenario | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|",
    ]
    for name, value in figures.items():
        if isinstance(value, dict):
            lines.append(f"| {name} | {value['per_second']:,.0f} | {value['p50_ms']:.2f} | "
                         f"{value['p99_ms']:.2f} | {value['errors']} |")
    parts = sorted({part for value in figures.values() if isinstance(value, dict)
                    for part in value.get("cpu_ms", {})})
    lines += [
        "",
        "## CPU per request (ms), by part of the stack",
        "",
        "Where the machine's two cores went in each create load: user + system time of each",
        "part's processes, divided by the requests served.",
        "",
        f"| scenario | {' | '.join(parts)} | total |",
        f"|---|{'---|' * (len(parts) + 1)}",
    ]
    for name, value in figures.items():
        if isinstance(value, dict) and "create" in name and value.get("cpu_ms"):
            used = value["cpu_ms"]
            lines.append(f"| {name} | {' | '.join(f'{used.get(p, 0):.2f}' for p in parts)} | "
                         f"{sum(used.values()):.2f} |")
    lines += ["", "| start | seconds to ready |", "|---|---|"]
    lines += [f"| {name} | {value:.1f} |" for name, value in figures.items()
              if not isinstance(value, dict)]
    return "\n".join(lines) + "\n"


def rewrite(result_json: Path) -> Path:
    """Render the .md next to a result's .json again (after a change of this module)."""
    result = json.loads(result_json.read_text())
    started_at = datetime.datetime.fromisoformat(result["date"])
    markdown = result_json.with_suffix(".md")
    markdown.write_text(render(started_at, result["machine"], result["figures"],
                               result["seconds_per_load"]))
    return markdown


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(rewrite(Path(argument)))
