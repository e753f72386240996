"""`support-worker`: delivers queued notifications until SIGTERM or SIGINT, applies the chunks
of bulk jobs in a thread of its own (support_worker.bulk), and removes attachment uploads never
linked to their ticket on a schedule (support_worker.attachments).

Run several at once: pgmq hands each message to one reader for its visibility timeout. On
SIGTERM the worker finishes the batch in hand (deliveries and acknowledgements) and exits; a
worker killed outright leaves its messages to reappear after the visibility timeout. Messages
read but not acknowledged when the database goes away reappear the same way, and the worker
reconnects (support_runtime.service).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterator

import psycopg

from support_runtime import service
from support_runtime.settings import SettingsError
from support_worker import bulk
from support_worker.attachments import run_rounds
from support_worker.delivery import Deliverer
from support_worker.queue import NotificationQueue
from support_worker.settings import WorkerSettings

log = logging.getLogger("support_worker")


@contextlib.contextmanager
def delivering(settings: WorkerSettings) -> Iterator[Deliverer]:
    queue = NotificationQueue(settings.db_url)
    deliverer = Deliverer(settings, queue)
    try:
        yield deliverer
    finally:
        deliverer.close()
        with contextlib.suppress(psycopg.Error):
            queue.close()


def serve(settings: WorkerSettings, stopping: threading.Event) -> None:
    service.serve(
        lambda: delivering(settings),
        lambda deliverer: deliverer.run_batch() is not None,
        stopping, idle_wait=settings.poll_interval, lost=psycopg.OperationalError, log=log,
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s support-worker %(levelname)s %(message)s")
    # httpx logs each request's URL at INFO: a webhook URL can carry its receiver's token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = WorkerSettings.from_env()
    except SettingsError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    stopping = service.stop_on_signals(log)
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
    log.info("applying bulk jobs (queue %s)", bulk.QUEUE)
    bulk_loop = threading.Thread(target=bulk.serve,
                                 args=(settings.db_url, stopping, settings.poll_interval),
                                 name="bulk-actions")
    bulk_loop.start()
    try:
        serve(settings, stopping)
    finally:
        # Whatever ends the deliveries ends the other threads too: the process never lives on
        # with a thread of its own. The ticket in hand ends with its transaction; the rest of
        # its chunk comes back after the visibility timeout.
        stopping.set()
        bulk_loop.join()
    if cleanup:
        # A round in hand ends with its current call (each has a timeout).
        cleanup.join()
    log.info("stopped after %.0fs", time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
