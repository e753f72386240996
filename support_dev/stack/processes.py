"""Starts the stack's servers as children that log to files and never outlive the runner."""

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int) -> Callable[[], None]:
    # If the parent is killed outright (SIGKILL, OOM), the kernel signals the child: no
    # postgres, PostgREST, nginx or gunicorn outlives the runner, and no runner outlives the
    # test run or benchmark that launched it.
    def set_parent_death_signal() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)

    return set_parent_death_signal


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    stop_signal: int
    log_path: Path
    argv: list[str]
    env: dict[str, str] | None
    user: str | None
    ready: Callable[[], bool] | None

    def alive(self) -> bool:
        return self.process.poll() is None


class ChildDied(RuntimeError):
    pass


class Supervisor:
    """Owns the children; restarts one that dies; stops them in reverse start order."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[Child] = []

    def spawn(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        user: str | None = None,
        stop_signal: int = signal.SIGTERM,
        ready: Callable[[], bool] | None = None,
        ready_timeout: float = 60,
    ) -> Child:
        child = self._launch(name, argv, env, user, stop_signal, ready)
        self.children.append(child)
        if ready:
            self.wait_until(child, ready, ready_timeout)
        return child

    def restart(self, dead: Child, ready_timeout: float = 60) -> Child:
        """Starts `dead` again in its place, so the stop order stays the start order."""
        child = self._launch(dead.name, dead.argv, dead.env, dead.user, dead.stop_signal,
                             dead.ready)
        self.children[self.children.index(dead)] = child
        if child.ready:
            self.wait_until(child, child.ready, ready_timeout)
        return child

    def _launch(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str] | None,
        user: str | None,
        stop_signal: int,
        ready: Callable[[], bool] | None,
    ) -> Child:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                user=user,
                group=user,
                extra_groups=[] if user else None,
                start_new_session=True,
                preexec_fn=die_with_parent(stop_signal),
            )
        return Child(name, process, stop_signal, log_path, argv, env, user, ready)

    def wait_until(self, child: Child, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not child.alive():
                raise ChildDied(f"{child.name} exited with code {child.process.returncode}; "
                                f"see {child.log_path}")
            if ready():
                return
            time.sleep(0.05)
        raise ChildDied(f"{child.name} was not ready after {timeout:.0f}s; see {child.log_path}")

    def first_dead(self) -> Child | None:
        return next((child for child in self.children if not child.alive()), None)

    def stop(self, child: Child, timeout: float = 20) -> None:
        if child.alive():
            child.process.send_signal(child.stop_signal)
            try:
                child.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
        self.children.remove(child)

    def stop_all(self) -> None:
        for child in reversed(list(self.children)):
            self.stop(child)
