"""`support-worker`: delivers queued notifications until SIGTERM or SIGINT, and removes
attachment uploads never linked to their ticket on a schedule (support_worker.attachments).

Run several at once: pgmq hands each message to one reader for its visibility timeout. On
SIGTERM the worker finishes the batch in hand (deliveries and acknowledgements) and exits; a
worker killed outright leaves its messages to reappear after the visibility timeout.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
import time

import psycopg

from support_worker.attachments import run_rounds
from support_worker.delivery import Deliverer
from support_worker.queue import NotificationQueue
from support_worker.settings import WorkerSettings, WorkerSettingsError

log = logging.getLogger("support_worker")
RECONNECT_WAIT = 2.0


def serve(settings: WorkerSettings, stopping: threading.Event) -> None:
    while not stopping.is_set():
        try:
            queue = NotificationQueue(settings.db_url)
        except psycopg.OperationalError as error:
            log.warning("database unreachable (%s); retrying", type(error).__name__)
            stopping.wait(RECONNECT_WAIT)
            continue
        deliverer = Deliverer(settings, queue)
        try:
            while not stopping.is_set():
                if deliverer.run_batch() is None:
                    stopping.wait(settings.poll_interval)
        except psycopg.OperationalError as error:
            # Messages read but not acknowledged reappear after their visibility timeout.
            log.warning("database connection lost (%s); reconnecting", type(error).__name__)
            stopping.wait(RECONNECT_WAIT)
        finally:
            deliverer.close()
            with contextlib.suppress(psycopg.Error):
                queue.close()


def main() -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s support-worker %(levelname)s %(message)s")
    # httpx logs each request's URL at INFO: a webhook URL can carry its receiver's token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = WorkerSettings.from_env()
    except WorkerSettingsError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        # Only a flag: the batch in hand runs to its end, then the loop sees it.
        log.info("%s: finishing the batch in hand", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    started = time.monotonic()
    log.info("delivering notifications (batch %s, visibility %ss)",
             settings.batch_size, settings.visibility_timeout)
    cleanup = None
    if settings.service_role_key:
        log.info("removing unlinked attachment uploads every %ss",
                 settings.attachment_cleanup_interval)
        cleanup = threading.Thread(target=run_rounds, args=(settings, stopping),
                                   name="attachment-cleanup")
        cleanup.start()
    else:
        log.warning("attachment clean-up off: SUPABASE_SERVICE_ROLE_KEY is not set")
    serve(settings, stopping)
    if cleanup:
        # A round in hand ends with its current call (each has a timeout).
        cleanup.join()
    log.info("stopped after %.0fs", time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
