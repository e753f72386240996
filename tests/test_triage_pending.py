"""What support-triage has yet to score (issue 25's defects, issue 28's idle cost): every item
is scored once, answered or not, oldest first, and nothing else; an idle poll reads no item.

Each test runs in one transaction of its own (rolled back), after taking every queued item of
other tests for itself (the stack's worker skips locked queue rows), with a suggester of its
own through the worker's own `suggest_pending`: the plug point of support_triage.model."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from plan_support import explaining

from support_triage.model import Suggestion
from support_triage.store import suggest_pending


@dataclass
class Scripted:
    """Answers every field, except for texts containing a word it is told to leave alone."""

    version: str = "scripted-1"
    silent_on: str = "unanswerable"
    only: tuple[str, ...] = ("ticket_type", "priority", "category")
    texts: list[str] = field(default_factory=list)

    def suggest(self, kind: str, text: str) -> list[Suggestion]:
        self.texts.append(text)
        if self.silent_on in text:
            return []
        values = {"ticket_type": "bug", "priority": "low", "category": "other"}
        fields = ("ticket_type", "priority") if kind == "ticket" else ("category",)
        return [Suggestion(f, values[f], 0.5) for f in fields if f in self.only]


def alone(session: psycopg.Connection) -> None:
    # Locked first: an item another session files meanwhile (the stack is shared) waits for
    # this transaction's rollback instead of showing up in the poll under test.
    session.execute("lock table public.triage_ticket_queue, public.triage_feedback_queue "
                    "in exclusive mode")
    session.execute("delete from public.triage_ticket_queue")
    session.execute("delete from public.triage_feedback_queue")


def file_ticket(session: psycopg.Connection, user_id: str, subject: str, description: str,
                age: str = "0 seconds") -> str:
    ticket_id = str(uuid.uuid4())
    session.execute(
        "insert into public.support_tickets (id, user_id, ticket_type, subject, description, "
        "created_at) values (%s, %s, 'technical', %s, %s, now() - %s::interval)",
        (ticket_id, user_id, subject, description, age))
    return ticket_id


def unanswered(session: psycopg.Connection, ticket_id: str) -> set[str]:
    rows = session.execute("select field from public.triage_unanswered where ticket_id = %s",
                           (ticket_id,)).fetchall()
    return {row[0] for row in rows}


def suggested(session: psycopg.Connection, ticket_id: str) -> set[str]:
    rows = session.execute("select field from public.triage_suggestions where ticket_id = %s",
                           (ticket_id,)).fetchall()
    return {row[0] for row in rows}


def test_unanswered_items_do_not_block_newer_ones(stack, make_user: Callable) -> None:
    owner = make_user()
    with psycopg.connect(stack.db_url) as session:
        alone(session)
        stuck = [file_ticket(session, owner.id, f"Crash {n}", f"unanswerable report {n}",
                             age=f"{10 - n} minutes") for n in range(2)]
        newer = file_ticket(session, owner.id, "Sync fails", "My calendar does not sync")
        suggester = Scripted()
        assert suggest_pending(session, suggester, days=7, batch=2) == 2
        # The two the suggester left unanswered are scored all the same: the next batch is the
        # newer item, not the same two again.
        assert suggest_pending(session, suggester, days=7, batch=2) == 1
        assert suggester.texts[-1] == "Sync fails\nMy calendar does not sync"
        assert suggested(session, newer) == {"ticket_type", "priority"}
        for ticket_id in stuck:
            assert suggested(session, ticket_id) == set()
            assert unanswered(session, ticket_id) == {"ticket_type", "priority"}
        assert suggest_pending(session, suggester, days=7, batch=2) == 0
        session.rollback()


def test_a_half_answered_item_is_recorded_as_deliberately_skipped(stack, make_user) -> None:
    owner = make_user()
    with psycopg.connect(stack.db_url) as session:
        alone(session)
        ticket_id = file_ticket(session, owner.id, "Charged twice", "Twice this month")
        assert suggest_pending(session, Scripted(only=("ticket_type",)), days=7, batch=10) == 1
        assert suggested(session, ticket_id) == {"ticket_type"}
        assert unanswered(session, ticket_id) == {"priority"}
        # Scored: not pending any more, for either field.
        assert suggest_pending(session, Scripted(), days=7, batch=10) == 0
        session.rollback()


def test_a_multi_line_report_is_scored_on_its_whole_text(stack, make_user) -> None:
    owner = make_user()
    description = ("Reminders arrive an hour late\nSince the clocks changed every reminder "
                   "comes an hour after its time, on Android and on the web.")
    with psycopg.connect(stack.db_url) as session:
        alone(session)
        file_ticket(session, owner.id, "Reminders arrive an hour late", description)
        suggester = Scripted()
        assert suggest_pending(session, suggester, days=7, batch=10) == 1
        session.rollback()
    # The subject (the first line) once, and the rest of the report.
    assert suggester.texts == [description]


def test_an_idle_poll_reads_no_ticket_and_no_feedback(stack, make_user) -> None:
    owner = make_user()
    with psycopg.connect(stack.db_url) as session:
        alone(session)
        for n in range(20):
            file_ticket(session, owner.id, f"Report {n}", f"Something broke {n}")
        session.execute(
            "insert into public.user_feedback (user_id, category, description) "
            "select %s, 'other', 'An idea ' || n from generate_series(1, 20) as n", (owner.id,))
        while suggest_pending(session, Scripted(), days=7, batch=100):
            pass
        plans = explaining(session)
        assert session.execute(
            "select count(*) from private.triage_pending_tickets(7, 100)").fetchone()[0] == 0
        assert session.execute(
            "select count(*) from private.triage_pending_feedback(7, 100)").fetchone()[0] == 0
        session.rollback()
    # A week holds these forty scored items (and other tests'); the poll reads none of them.
    items = [line for plan in plans for line in plan.splitlines()
             if re.search(r" on (support_tickets|user_feedback)\b", line)]
    read = [line for line in items
            if "never executed" not in line and not re.search(r"actual .* rows=0 ", line)]
    assert not read, plans
    # What it reads instead is the queue (by its created_at index, or, where the planner
    # judges the queue too small for one, by a scan of the queue alone: either stays constant).
    queue = [line for plan in plans for line in plan.splitlines()
             if re.search(r" on triage_ticket_queue\b|triage_ticket_queue_created_at_idx", line)]
    assert queue, plans
