"""Load generators: wrk (HTTP, Lua-scripted, many users' JWTs) and pgbench (the database's
own ceiling). Both report requests per second and p50/p99 latency in milliseconds."""

import json
import os
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
THREADS = 2


@dataclass(frozen=True)
class Figures:
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    # Milliseconds of CPU per request by part of the stack (bench/cpu.py).
    cpu_ms: dict[str, float] = field(default_factory=dict)

    def row(self) -> str:
        return (f"{self.per_second:,.0f} | {self.p50_ms:.2f} | {self.p99_ms:.2f} | "
                f"{self.errors}")


def _lines_file(suffix: str, lines: list[str]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as file:
        file.write("\n".join(lines) + "\n")
    return file.name


def wrk(url: str, tokens: list[str], *, apikey: str, method: str = "POST",
        body: str = "", connections: int = 16, seconds: int = 10, prefer: str = "",
        bodies: list[str] | None = None) -> Figures:
    """`bodies`, when given, are sent round robin instead of `body`."""
    token_file = _lines_file(".tokens", tokens)
    bodies_file = _lines_file(".bodies", bodies) if bodies else ""
    env = {**os.environ, "BENCH_TOKENS": token_file, "BENCH_METHOD": method,
           "BENCH_BODY": body, "BENCH_APIKEY": apikey, "BENCH_THREADS": str(THREADS),
           "BENCH_PREFER": prefer, "BENCH_BODIES": bodies_file}
    try:
        result = subprocess.run(
            ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds}s",
             "--timeout", "10s", "-s", str(WRK_SCRIPT), url],
            capture_output=True, text=True, env=env, timeout=seconds + 60, check=True,
        )
    finally:
        for name in filter(None, (token_file, bodies_file)):
            os.unlink(name)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    seconds_run = summary["duration_us"] / 1e6
    return Figures(
        requests=summary["requests"],
        per_second=summary["requests"] / seconds_run,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=summary["non2xx"] + summary["socket_errors"] + summary["timeouts"],
    )


def pgbench(pgbench_binary: Path, db_url: str, script: str, *, connections: int = 16,
            seconds: int = 10) -> Figures:
    with tempfile.TemporaryDirectory() as workdir:
        script_path = Path(workdir) / "script.sql"
        script_path.write_text(script)
        result = subprocess.run(
            [str(pgbench_binary), "-n", "-c", str(connections), "-j", str(THREADS),
             "-T", str(seconds), "-f", str(script_path), "-l", "--log-prefix",
             f"{workdir}/log", db_url],
            capture_output=True, text=True, timeout=seconds + 60, check=False, cwd=workdir,
        )
        if result.returncode not in (0, 2):
            raise RuntimeError(f"pgbench failed:\n{result.stderr[-2000:]}")
        latencies = []
        for log in Path(workdir).glob("log*"):
            for line in log.read_text().splitlines():
                latencies.append(int(line.split()[2]) / 1000)
    failed = _pgbench_failures(result.stdout)
    quantiles = statistics.quantiles(latencies, n=100)
    return Figures(
        requests=len(latencies),
        per_second=len(latencies) / seconds,
        p50_ms=quantiles[49],
        p99_ms=quantiles[98],
        errors=failed,
    )


def _pgbench_failures(stdout: str) -> int:
    for line in stdout.splitlines():
        if line.startswith("number of failed transactions"):
            return int(line.split(":")[1].split()[0])
    return 0
