"""What the figures were measured on."""

import os
import platform
import re
import socket
import subprocess
import sys
from pathlib import Path

from support_dev.stack.paths import Binaries


def _first_line(argv: list[str]) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "not found"
    return (result.stdout or result.stderr).strip().splitlines()[0]


def describe() -> dict[str, str]:
    binaries = Binaries.locate()
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    return {
        "host": socket.gethostname(),
        "cpu": model[1] if model else platform.processor(),
        "cores": str(os.cpu_count()),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "postgresql": _first_line([str(binaries.postgres_bindir / "postgres"), "--version"]),
        "postgrest": _first_line([str(binaries.postgrest), "--version"]),
        "nginx": _first_line([str(binaries.nginx), "-v"]),
        "wrk": _first_line(["wrk", "--version"]),
        "pgbench": _first_line([str(binaries.client_bindir / "pgbench"), "--version"]),
    }
