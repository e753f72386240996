"""The database side of triage, as role support_triage: the items yet to be scored, the
staff labels, the suggestions and training runs stored, each through its private function
(supabase/migrations/20260114002000_create_triage_worker_role.sql)."""

import dataclasses
import json
from collections.abc import Iterable

import psycopg

from support_triage.examples import Example, feedback_text, ticket_text
from support_triage.model import FieldRun, Suggester


def connect(db_url: str) -> psycopg.Connection:
    connection = psycopg.connect(db_url, autocommit=True, application_name="support-triage")
    # Least privilege whatever the URL's user: five functions, no table.
    connection.execute("set role support_triage")
    return connection


def suggest_pending(
    connection: psycopg.Connection, suggester: Suggester, *, days: int, batch: int
) -> int:
    """Suggests for up to `batch` tickets and `batch` feedback entries in one transaction."""
    suggestions: list[dict[str, object]] = []
    # Every item read is scored, answered or not: the save takes it off the queue.
    scored: list[dict[str, str]] = []
    with connection.transaction():
        tickets = connection.execute(
            "select id, subject, description from private.triage_pending_tickets(%s, %s)",
            (days, batch)).fetchall()
        for item_id, subject, description in tickets:
            for s in suggester.suggest("ticket", ticket_text(subject, description)):
                suggestions.append({"ticket_id": str(item_id), **dataclasses.asdict(s)})
            scored.append({"ticket_id": str(item_id)})
        feedback = connection.execute(
            "select id, feature_name, description from private.triage_pending_feedback(%s, %s)",
            (days, batch)).fetchall()
        for item_id, feature, description in feedback:
            for s in suggester.suggest("feedback", feedback_text(feature, description)):
                suggestions.append({"feedback_id": str(item_id), **dataclasses.asdict(s)})
            scored.append({"feedback_id": str(item_id)})
        if scored:
            connection.execute("select private.save_triage_suggestions(%s, %s, %s)",
                               (suggester.version, json.dumps(suggestions), json.dumps(scored)))
    return len(scored)


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
