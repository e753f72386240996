"""support-triage: `train` (retrain and record held-out accuracy) and `run` (the worker)."""

import argparse
import contextlib
import logging
import sys
import time
from collections.abc import Iterator

import psycopg

from support_runtime import service
from support_runtime.settings import Environment, SettingsError, check_db_url
from support_triage.embedding import Embedder
from support_triage.examples import seed_examples
from support_triage.model import EmbeddingClassifier, train
from support_triage.store import (
    connect,
    embed_backlog,
    record_runs,
    staff_examples,
    suggest_pending,
)

log = logging.getLogger("support_triage")


def retrain(connection: psycopg.Connection, embedder: Embedder) -> EmbeddingClassifier:
    classifier, runs = train(seed_examples() + staff_examples(connection), embedder)
    record_runs(connection, classifier.version, runs)
    for run in runs:
        log.info(
            "trained %s %s: %d examples (%d from staff), held-out accuracy %.3f on %d",
            classifier.version, run.field, run.examples, run.staff_labels,
            run.held_out_accuracy, run.held_out,
        )
    return classifier


class Suggesting:
    """`run`'s state across database sessions: the model, when it was trained, and when the
    embedding backlog was last found empty."""

    def __init__(self, db_url: str, args: argparse.Namespace) -> None:
        self.db_url = db_url
        self.args = args
        self.embedder = Embedder()
        self.classifier: EmbeddingClassifier | None = None
        self.trained_at = 0.0
        self.backlog_empty_at: float | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[psycopg.Connection]:
        # Retrained in every new session: after a reconnect the database may be a new one
        # (`support-stack reset`), which should hold this model's run and learn from its labels.
        self.classifier = None
        # Looked at again in each session: texts changed or items filed while away.
        self.backlog_empty_at = None
        with connect(self.db_url) as connection:
            yield connection

    def step(self, connection: psycopg.Connection) -> bool:
        """One batch (one transaction); whether there was anything to suggest for."""
        if self.classifier is None or time.monotonic() - self.trained_at >= self.args.retrain_every:
            self.classifier = retrain(connection, self.embedder)
            self.trained_at = time.monotonic()
        done = suggest_pending(connection, self.classifier, days=self.args.lookback_days,
                               batch=self.args.batch, embedder=self.embedder)
        if done:
            log.info("suggested for %d items", done)
            return True
        # New items first; then, while there is one, what has no vector of this model (the
        # items there before embeddings, or before a change of model), a batch at a time.
        # Once found empty it is looked at again every --backlog-every seconds: a text changed
        # since (its vector deleted) gets a new one then.
        if (self.backlog_empty_at is None
                or time.monotonic() - self.backlog_empty_at >= self.args.backlog_every):
            embedded = embed_backlog(connection, self.embedder, batch=self.args.batch)
            if embedded:
                log.info("embedded %d items of the backlog", embedded)
            self.backlog_empty_at = None if embedded else time.monotonic()
            return embedded > 0
        return False


def run(db_url: str, args: argparse.Namespace) -> None:
    """Suggests until SIGTERM or SIGINT; the batch in hand is one transaction and runs to its
    end. Survives the database going away by reconnecting (support_runtime.service)."""
    suggesting = Suggesting(db_url, args)
    service.serve(suggesting.session, suggesting.step, service.stop_on_signals(log),
                  idle_wait=args.interval, lost=psycopg.OperationalError, log=log)


def run_once(db_url: str, args: argparse.Namespace) -> None:
    """Suggests until nothing is pending; a lost connection is an error here, not a wait."""
    embedder = Embedder()
    with connect(db_url) as connection:
        classifier = retrain(connection, embedder)
        while True:
            done = suggest_pending(connection, classifier, days=args.lookback_days,
                                   batch=args.batch, embedder=embedder)
            if done:
                log.info("suggested for %d items", done)
            if done < args.batch:
                break
        while embed_backlog(connection, embedder, batch=args.batch):
            pass


def main(argv: list[str] | None = None) -> None:
    env = Environment.read()
    parser = argparse.ArgumentParser(prog="support-triage", description=__doc__)
    parser.add_argument(
        "--db-url", default=env.get("SUPABASE_DB_URL"),
        help="PostgreSQL URL of a role that may `set role support_triage` "
             "(default $SUPABASE_DB_URL)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("train", help="retrain from the seed set and staff labels; record accuracy")
    worker = commands.add_parser("run", help="suggest for new items, retraining on a schedule")
    worker.add_argument("--once", action="store_true", help="stop when nothing is pending")
    worker.add_argument("--interval", type=float, default=2.0, help="seconds between idle polls")
    worker.add_argument("--retrain-every", type=float, default=86400.0, help="seconds")
    worker.add_argument("--lookback-days", type=int, default=7, help="how old an item may be")
    worker.add_argument("--batch", type=int, default=100, help="items per transaction")
    worker.add_argument("--backlog-every", type=float, default=300.0,
                        help="seconds between looks for items without a vector, once none is left")
    args = parser.parse_args(argv)
    if not args.db_url:
        parser.error("--db-url or SUPABASE_DB_URL is required")
    try:
        check_db_url(args.db_url, mode=env.mode, name="--db-url (SUPABASE_DB_URL)")
    except SettingsError as problem:
        parser.error(str(problem))
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    if args.command == "train":
        with connect(args.db_url) as connection:
            retrain(connection, Embedder())
    elif args.once:
        run_once(args.db_url, args)
    else:
        run(args.db_url, args)
