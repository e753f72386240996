"""support-triage: `train` (retrain and record held-out accuracy) and `run` (the worker)."""

import argparse
import logging
import os
import signal
import threading
import time

import psycopg

from support_triage.examples import seed_examples
from support_triage.model import TextClassifier, train
from support_triage.store import record_runs, staff_examples, suggest_pending

log = logging.getLogger("support_triage")


def retrain(connection: psycopg.Connection) -> TextClassifier:
    classifier, runs = train(seed_examples() + staff_examples(connection))
    record_runs(connection, classifier.version, runs)
    for run in runs:
        log.info(
            "trained %s %s: %d examples (%d from staff), held-out accuracy %.3f on %d",
            classifier.version, run.field, run.examples, run.staff_labels,
            run.held_out_accuracy, run.held_out,
        )
    return classifier


RECONNECT_WAIT = 2.0


def run(db_url: str, args: argparse.Namespace) -> None:
    """Suggests until SIGTERM or SIGINT (or, with --once, until nothing is pending); the batch
    in hand is one transaction and runs to its end. Survives the database going away (a
    restart, `support-stack reset`) by reconnecting, as support-worker does."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    classifier: TextClassifier | None = None
    trained_at = 0.0
    while not stopping.is_set():
        try:
            with _connect(db_url) as connection:
                while not stopping.is_set():
                    if classifier is None or time.monotonic() - trained_at >= args.retrain_every:
                        classifier, trained_at = retrain(connection), time.monotonic()
                    done = suggest_pending(connection, classifier, days=args.lookback_days,
                                           batch=args.batch)
                    if done:
                        log.info("suggested for %d items", done)
                    if args.once and done < args.batch:
                        return
                    if done == 0:
                        stopping.wait(args.interval)
        except psycopg.OperationalError as error:
            if args.once:
                raise
            log.warning("database connection lost (%s); reconnecting", type(error).__name__)
            # Retrained on the way back: the database may be a new one (`support-stack
            # reset`), which should hold this model's run and learn from its own labels.
            classifier = None
            stopping.wait(RECONNECT_WAIT)


def _connect(db_url: str) -> psycopg.Connection:
    return psycopg.connect(db_url, autocommit=True, application_name="support-triage")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="support-triage", description=__doc__)
    parser.add_argument(
        "--db-url", default=os.environ.get("SUPABASE_DB_URL"),
        help="PostgreSQL URL of a role that owns the triage tables (default $SUPABASE_DB_URL)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("train", help="retrain from the seed set and staff labels; record accuracy")
    worker = commands.add_parser("run", help="suggest for new items, retraining on a schedule")
    worker.add_argument("--once", action="store_true", help="stop when nothing is pending")
    worker.add_argument("--interval", type=float, default=2.0, help="seconds between idle polls")
    worker.add_argument("--retrain-every", type=float, default=86400.0, help="seconds")
    worker.add_argument("--lookback-days", type=int, default=7, help="how old an item may be")
    worker.add_argument("--batch", type=int, default=100, help="items per transaction")
    args = parser.parse_args(argv)
    if not args.db_url:
        parser.error("--db-url or SUPABASE_DB_URL is required")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.command == "train":
        with _connect(args.db_url) as connection:
            retrain(connection)
    else:
        run(args.db_url, args)
