"""Runs `support-stack start` as a child process on free ports: for tests and benchmarks."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support_dev.stack.config import free_port
from support_dev.stack.processes import die_with_parent


@dataclass(frozen=True)
class RunningStack:
    state_dir: Path
    state: dict
    process: subprocess.Popen[bytes] | None

    def __getattr__(self, name: str) -> object:
        try:
            return self.state[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def log_dir(self) -> Path:
        return Path(self.state["log_dir"])


class LaunchFailed(RuntimeError):
    pass


def start_stack(state_dir: Path, *, timeout: float = 180, extra_args: tuple[str, ...] = (),
                project_root: Path | None = None) -> RunningStack:
    """project_root: run the runner of another copy of the project (a clone elsewhere)."""
    state_file = state_dir / "run" / "stack.json"
    state_file.unlink(missing_ok=True)
    output = (state_dir.parent / f"{state_dir.name}.out").open("ab")
    argv = [sys.executable, "-m", "support_dev.stack", "start", "--dir", str(state_dir),
            "--gateway-port", str(free_port()), "--db-port", str(free_port()),
            "--smtp-port", str(free_port()), "--mail-web-port", str(free_port()), *extra_args]
    # SIGTERM when the launcher dies (a test run stopped with a signal runs no finalizer): the
    # runner then stops every part in order instead of leaving a whole stack behind.
    env = {**os.environ, "PYTHONPATH": str(project_root)} if project_root else None
    process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, cwd=project_root, env=env,
                               preexec_fn=die_with_parent(signal.SIGTERM))
    deadline = time.monotonic() + timeout
    while not state_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (state_dir.parent / f"{state_dir.name}.out").read_text(errors="replace")
            raise LaunchFailed(f"the local stack did not come up:\n{log[-4000:]}")
        time.sleep(0.1)
    return RunningStack(state_dir, json.loads(state_file.read_text()), process)


def stop_stack(stack: RunningStack, timeout: float = 60) -> None:
    if stack.process and stack.process.poll() is None:
        stack.process.send_signal(signal.SIGINT)
        try:
            stack.process.wait(timeout)
        except subprocess.TimeoutExpired:
            stack.process.kill()
            stack.process.wait()


def make_state_dir(prefix: str = "sfa-stack-") -> Path:
    # Outside pytest's own tmp folder: that one is private to root, and the cluster runs as
    # the `postgres` user, which must reach its data folder.
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("STACK_TMPDIR")))
    folder.chmod(0o755)
    return folder


@contextlib.contextmanager
def running_stack(**options: object) -> Iterator[RunningStack]:
    stack = start_stack(make_state_dir() / "stack", **options)
    try:
        yield stack
    finally:
        stop_stack(stack)
