"""The service loop of the workers: run until SIGTERM or SIGINT, reconnect when the database
goes away.

A signal only sets a flag, so the work in hand (a batch: deliveries and acknowledgements, or
one transaction of suggestions) runs to its end before the loop sees it. A lost connection (a
restart of the database, `support-stack reset`, a failover) is not an exit: the loop waits
`reconnect_wait` seconds and opens a new session, as long as no signal came.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

RECONNECT_WAIT = 2.0

Session = TypeVar("Session")


def stop_on_signals(log: logging.Logger) -> threading.Event:
    """An event set by SIGTERM or SIGINT (each logged); call from the main thread."""
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("%s: finishing the work in hand", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stopping


def serve(
    open_session: Callable[[], AbstractContextManager[Session]],
    step: Callable[[Session], bool],
    stopping: threading.Event,
    *,
    idle_wait: float,
    lost: type[Exception] | tuple[type[Exception], ...],
    log: logging.Logger,
    reconnect_wait: float = RECONNECT_WAIT,
) -> None:
    """Runs `step` in a session from `open_session` until `stopping` is set.

    `step` answers whether it found work: if so it runs again at once, else after `idle_wait`
    seconds (or as soon as `stopping` is set). `lost` is the error of a connection gone
    (psycopg.OperationalError for the workers): opening or working, it ends the session, and
    a new one is opened `reconnect_wait` seconds later.
    """
    while not stopping.is_set():
        opened = False
        try:
            with open_session() as session:
                opened = True
                while not stopping.is_set():
                    if not step(session):
                        stopping.wait(idle_wait)
        except lost as error:
            # Only the error's type: its text can quote a connection string.
            log.warning("%s (%s); reconnecting",
                        "database connection lost" if opened else "database unreachable",
                        type(error).__name__)
            stopping.wait(reconnect_wait)
