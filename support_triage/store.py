"""The database side of triage: items lacking suggestions, staff labels, training runs."""

from collections.abc import Iterable

import psycopg

from support_triage.examples import Example, feedback_text, ticket_text
from support_triage.model import FieldRun, Suggester

# No row lock on the items: a lock held for a batch would make a staff change or a user's
# reply to a new ticket wait for the model. Two workers may therefore score the same item; the
# unique indexes on (item, field) keep the first suggestion and make the second a no-op.
PENDING_TICKETS = """
    select t.id, t.subject, t.description
    from public.support_tickets as t
    where t.created_at >= now() - make_interval(days => %(days)s)
        and not exists (select 1 from public.triage_suggestions as s where s.ticket_id = t.id)
    order by t.created_at
    limit %(batch)s
"""
PENDING_FEEDBACK = """
    select f.id, f.feature_name, f.description
    from public.user_feedback as f
    where f.created_at >= now() - make_interval(days => %(days)s)
        and not exists (select 1 from public.triage_suggestions as s where s.feedback_id = f.id)
    order by f.created_at
    limit %(batch)s
"""
INSERT_SUGGESTION = """
    insert into public.triage_suggestions
        (ticket_id, feedback_id, field, value, confidence, model_version)
    values (%s, %s, %s, %s, %s, %s)
    on conflict do nothing
"""
STAFF_LABELS = """
    select 'ticket', l.field, t.subject, t.description, l.chosen_value
    from public.triage_labels as l join public.support_tickets as t on t.id = l.ticket_id
    union all
    select 'feedback', l.field, f.feature_name, f.description, l.chosen_value
    from public.triage_labels as l join public.user_feedback as f on f.id = l.feedback_id
"""


def suggest_pending(
    connection: psycopg.Connection, suggester: Suggester, *, days: int, batch: int
) -> int:
    """Suggests for up to `batch` tickets and `batch` feedback entries in one transaction."""
    done = 0
    with connection.transaction(), connection.cursor() as cursor:
        params = {"days": days, "batch": batch}
        rows: list[tuple] = []
        for item_id, subject, description in cursor.execute(PENDING_TICKETS, params).fetchall():
            for s in suggester.suggest("ticket", ticket_text(subject, description)):
                rows.append((item_id, None, s.field, s.value, s.confidence, suggester.version))
            done += 1
        for item_id, feature, description in cursor.execute(PENDING_FEEDBACK, params).fetchall():
            for s in suggester.suggest("feedback", feedback_text(feature, description)):
                rows.append((None, item_id, s.field, s.value, s.confidence, suggester.version))
            done += 1
        if rows:
            cursor.executemany(INSERT_SUGGESTION, rows)
    return done


def staff_examples(connection: psycopg.Connection) -> list[Example]:
    examples = []
    for kind, field, first, description, label in connection.execute(STAFF_LABELS):
        as_text = ticket_text if kind == "ticket" else feedback_text
        examples.append(Example(kind, field, as_text(first, description), label, from_staff=True))
    return examples


def record_runs(connection: psycopg.Connection, version: str, runs: Iterable[FieldRun]) -> None:
    with connection.transaction():
        connection.cursor().executemany(
            "insert into public.triage_model_runs "
            "(model_version, field, examples, staff_labels, held_out, held_out_accuracy) "
            "values (%s, %s, %s, %s, %s, %s)",
            [(version, r.field, r.examples, r.staff_labels, r.held_out, r.held_out_accuracy)
             for r in runs],
        )
