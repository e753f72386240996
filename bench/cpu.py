"""CPU time spent by each part of the stack during a load, per request.

Throughput on a small machine is bought with CPU: when a ratio misses its target, these
figures say which process paid for the difference. Read from /proc (Linux), for each part's
process and all its descendants (PostgreSQL backends, nginx and gunicorn workers), the
exited ones included (the kernel adds their time to their parent's once reaped).
"""

import os
from collections.abc import Mapping
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system seconds) of a live process and its reaped children."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after it are plain numbers.
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), sum(int(ticks) for ticks in fields[11:15]) / TICKS


def snapshot(parts: Mapping[str, int]) -> dict[str, float]:
    """Seconds of CPU used so far by each part's process tree (living processes only)."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))):
            stats[int(entry)] = stat
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    used = {}
    for name, root in parts.items():
        total, pending = 0.0, [root]
        while pending:
            pid = pending.pop()
            if pid in stats:
                total += stats[pid][1]
                pending.extend(children.get(pid, []))
        used[name] = total
    return used


def per_request_ms(before: Mapping[str, float], after: Mapping[str, float],
                   requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request by part of the stack."""
    return {name: round((after[name] - before.get(name, 0.0)) * 1000 / max(requests, 1), 2)
            for name in after}
