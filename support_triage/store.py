"""The database side of triage, as role support_triage: the items yet to be scored, the
staff labels, the suggestions and training runs stored, each through its private function
(supabase/migrations/20260114002000_create_triage_worker_role.sql)."""

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from support_triage.embedding import Embedder, as_pgvector
from support_triage.examples import Example, feedback_text, ticket_text
from support_triage.model import FieldRun, Suggester


def connect(db_url: str) -> psycopg.Connection:
    connection = psycopg.connect(db_url, autocommit=True, application_name="support-triage")
    # Least privilege whatever the URL's user: five functions, no table.
    connection.execute("set role support_triage")
    return connection


@dataclass(frozen=True)
class Item:
    kind: str  # ticket or feedback
    id: str
    text: str  # what the model reads
    text_md5: str  # of what the database holds, so a vector of a changed text is not stored


def _items(rows: Iterable[tuple[str, object, str | None, str]]) -> list[Item]:
    """Items of rows (kind, id, subject or feature name, description)."""
    return [Item(kind, str(item_id),
                 ticket_text(first or "", description) if kind == "ticket"
                 else feedback_text(first, description),
                 hashlib.md5(f"{first or ''}\n{description}".encode()).hexdigest())
            for kind, item_id, first, description in rows]


def _save_embeddings(connection: psycopg.Connection, embedder: Embedder,
                     items: list[Item]) -> None:
    vectors = embedder.embed([item.text for item in items])
    rows = [{f"{item.kind}_id": item.id, "text_md5": item.text_md5,
             "embedding": as_pgvector(vector)}
            for item, vector in zip(items, vectors, strict=True)]
    connection.execute("select private.save_embeddings(%s, %s)",
                       (embedder.model_id, json.dumps(rows)))


def suggest_pending(
    connection: psycopg.Connection, suggester: Suggester, *, days: int, batch: int,
    embedder: Embedder | None = None,
) -> int:
    """Suggests for up to `batch` tickets and `batch` feedback entries in one transaction,
    and stores their embeddings (of the same text) when given an embedder."""
    suggestions: list[dict[str, object]] = []
    with connection.transaction():
        items = _items(
            ("ticket", *row) for row in connection.execute(
                "select id, subject, description from private.triage_pending_tickets(%s, %s)",
                (days, batch)))
        items += _items(
            ("feedback", *row) for row in connection.execute(
                "select id, feature_name, description "
                "from private.triage_pending_feedback(%s, %s)", (days, batch)))
        if embedder is not None and items:
            # Embedded in one call, which the classifier's own calls then find remembered.
            _save_embeddings(connection, embedder, items)
        for item in items:
            for s in suggester.suggest(item.kind, item.text):
                suggestions.append({f"{item.kind}_id": item.id, **dataclasses.asdict(s)})
        # Every item read is scored, answered or not: the save takes it off the queue.
        scored = [{f"{item.kind}_id": item.id} for item in items]
        if scored:
            connection.execute("select private.save_triage_suggestions(%s, %s, %s)",
                               (suggester.version, json.dumps(suggestions), json.dumps(scored)))
    return len(items)


def embed_backlog(connection: psycopg.Connection, embedder: Embedder, *, batch: int) -> int:
    """Embeds up to `batch` tickets and `batch` feedback entries that a lookup can meet and
    that have no vector of this model; how many."""
    with connection.transaction():
        items = _items(connection.execute(
            "select kind, id, first_text, description from private.embedding_backlog(%s, %s)",
            (embedder.model_id, batch)))
        if items:
            _save_embeddings(connection, embedder, items)
    return len(items)


def staff_examples(connection: psycopg.Connection) -> list[Example]:
    examples = []
    rows = connection.execute(
        "select kind, field, first_text, description, chosen_value "
        "from private.triage_staff_labels()")
    for kind, field, first, description, label in rows:
        as_text = ticket_text if kind == "ticket" else feedback_text
        examples.append(Example(kind, field, as_text(first, description), label, from_staff=True))
    return examples


def record_runs(connection: psycopg.Connection, version: str, runs: Iterable[FieldRun]) -> None:
    connection.execute("select private.record_triage_runs(%s, %s)",
                       (version, json.dumps([dataclasses.asdict(run) for run in runs])))
