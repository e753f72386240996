"""Today's likely-duplicates scoring: the database's own public.support_similar_tickets.

Each call loads the pool into the database as open bug reports, in one transaction that is
rolled back, and asks the real function as a staff member, so the figures are the SQL's and
nothing stays behind. The connection must be a superuser's (the local stack's `postgres`):
triggers and foreign keys are switched off for that transaction (session_replication_role),
which lets it hide the database's own open tickets, file reports without users, and make an
agent of a user that does not exist. Until the rollback the hidden tickets stay locked: use a
development or scratch database."""

import json
import uuid
from collections.abc import Sequence

import psycopg

from support_dev.triage_eval import Report
from support_dev.triage_eval.similarity import Hit

SMALLEST_SETTING = 0.001


class SqlScorer:
    name = "sql support_similar_tickets (pg_trgm subject similarity, full-text word overlap)"

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url
        with psycopg.connect(db_url) as connection:
            row = connection.execute(
                "select similar_min_score from public.triage_settings").fetchone()
        self.threshold = float(row[0]) if row else 0.0

    def rank(self, pool: Sequence[Report], queries: Sequence[Report], limit: int,
             min_score: float | None) -> dict[str, list[Hit]]:
        ids = {r.id: str(uuid.uuid4()) for r in pool}
        names = {v: k for k, v in ids.items()}
        agent = str(uuid.uuid4())
        ranked: dict[str, list[Hit]] = {}
        with psycopg.connect(self._db_url) as connection, connection.transaction():
            connection.execute("set local session_replication_role = replica")
            connection.execute(
                "delete from public.support_tickets where status in ('open', 'in_progress')")
            with connection.cursor() as cursor:
                cursor.executemany(
                    "insert into public.support_tickets"
                    " (id, user_id, ticket_type, subject, description, status)"
                    " values (%s, %s, 'bug', %s, %s, 'open')",
                    [(ids[r.id], agent, r.subject, r.description) for r in pool],
                )
            connection.execute(
                "insert into public.support_staff (user_id, role, display_name)"
                " values (%s, 'agent', 'Evaluation')", (agent,))
            if min_score is not None:
                # The setting must be positive; scores are answered rounded to 0.001, so a
                # pair left out scored 0.000 as rounded.
                connection.execute("update public.triage_settings set similar_min_score = %s",
                                   (max(min_score, SMALLEST_SETTING),))
            claims = json.dumps({"sub": agent, "role": "authenticated"})
            connection.execute("set local role authenticated")
            connection.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
            for query in queries:
                answer = connection.execute(
                    "select public.support_similar_tickets(%s, %s)", (ids[query.id], limit)
                ).fetchone()[0]
                ranked[query.id] = [Hit(names[m["ticket_id"]], float(m["score"]))
                                    for m in answer["similar"]]
            raise psycopg.Rollback
        return ranked
