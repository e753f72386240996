"""The likely-duplicates scoring of the database's own public.support_similar_tickets: on shared
words alone (the reports without a vector), or with the reports' sentence embeddings and the
weights of a calibration.

Each call loads the pool into the database as open bug reports (with the vectors the worker
would store for them), in one transaction that is rolled back, and asks the real function as a
staff member, so the figures are the SQL's and nothing stays behind. The connection must be a
superuser's (the local stack's `postgres`): triggers and foreign keys are switched off for that
transaction (session_replication_role), which lets it hide the database's own open tickets, file
reports without users, and make an agent of a user that does not exist. Until the rollback the
hidden tickets stay locked: use a development or scratch database."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg

from support_dev.triage_eval import Report
from support_dev.triage_eval.similarity import Hit
from support_triage.embedding import Embedder, as_pgvector
from support_triage.examples import ticket_text

SMALLEST_SETTING = 0.001


@dataclass(frozen=True)
class Calibration:
    """The settings of the score with vectors (public.triage_settings)."""

    intercept: float
    cosine_weight: float
    lexical_weight: float
    min_probability: float


class SqlScorer:
    def __init__(self, db_url: str, embedder: Embedder | None = None,
                 calibration: Calibration | None = None) -> None:
        self._db_url, self._embedder, self._calibration = db_url, embedder, calibration
        if embedder is None:
            self.name = "sql support_similar_tickets, words alone (pg_trgm, full-text overlap)"
            setting = "similar_min_score"
        else:
            self.name = f"sql support_similar_tickets with {embedder.model_id} vectors"
            setting = "similar_min_probability"
        if calibration is not None:
            self.threshold = calibration.min_probability
            return
        with psycopg.connect(db_url) as connection:
            row = connection.execute(f"select {setting} from public.triage_settings").fetchone()
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
            if self._embedder is not None:
                self._store_vectors(connection, pool, ids)
            connection.execute(
                "insert into public.support_staff (user_id, role, display_name)"
                " values (%s, 'agent', 'Evaluation')", (agent,))
            if self._calibration is not None:
                c = self._calibration
                connection.execute(
                    "update public.triage_settings set similar_intercept = %s,"
                    " similar_cosine_weight = %s, similar_lexical_weight = %s,"
                    " similar_min_probability = %s",
                    (c.intercept, c.cosine_weight, c.lexical_weight, c.min_probability))
            if min_score is not None:
                # The settings must be positive; scores are answered rounded to 0.001, so a
                # pair left out scored 0.000 as rounded.
                floor = max(min_score, SMALLEST_SETTING)
                connection.execute("update public.triage_settings set similar_min_score = %s,"
                                   " similar_min_probability = %s", (floor, min(floor, 0.999)))
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

    def _store_vectors(self, connection: psycopg.Connection, pool: Sequence[Report],
                       ids: dict[str, str]) -> None:
        assert self._embedder is not None
        # The text the worker embeds a ticket on (support_triage.store).
        vectors = self._embedder.embed([ticket_text(r.subject, r.description) for r in pool])
        with connection.cursor() as cursor:
            cursor.executemany(
                "insert into private.ticket_embeddings (ticket_id, model, embedding)"
                " values (%s, %s, %s::extensions.vector)",
                [(ids[r.id], self._embedder.model_id, as_pgvector(v))
                 for r, v in zip(pool, vectors, strict=True)])
