"""The staff queue's default views and its text search, as a team of agents sees them at each
scale.

The queue's data is what agents work with however large the history grows: a bounded set of
tickets assigned to each of them and a word that a few dozen tickets contain; the open share
of the generated tickets grows with the table (bench/dataset.py), as an unworked backlog would.
Each request carries one of AGENTS agents' JWTs in turn: with a single agent the gateway's
per-user fair share (50 requests a second) paced the views, and the figures measured the
gateway's pacing rather than the queue.
"""

import psycopg

from bench import dataset

FIRST_AGENT = 900  # the bench agents' user numbers (bench/dataset.py user ids) start here
AGENTS = 16
ASSIGNED = 200  # tickets assigned to each agent
SEARCH_WORD = "zebra"
SEARCH_HITS = 50
# (figure name, support_queue query string): the three default views and the search.
VIEWS = {
    "queue open unassigned": "status=open&assignee=unassigned",
    "queue mine": "assignee=me&sort=updated",
    "queue open by priority": "status=open&sort=priority",
    "queue search": f"q={SEARCH_WORD}",
}


def prepare(db: psycopg.Connection) -> None:
    """The agents, their assigned tickets and the searched word, on the tickets loaded so far."""
    dataset.create_users(db, FIRST_AGENT, AGENTS)
    db.execute(
        "insert into public.support_staff (user_id, role, display_name) "
        "select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'agent',"
        "       'Bench Agent ' || n"
        " from generate_series(%s::bigint, %s::bigint) as n on conflict do nothing",
        (FIRST_AGENT, FIRST_AGENT + AGENTS - 1),
    )
    db.execute(
        "update public.support_tickets as t"
        " set assignee_id = ('00000000-0000-4000-8000-'"
        "                    || lpad((%s + s.n %% %s)::text, 12, '0'))::uuid"
        " from (select id, row_number() over (order by id) as n from public.support_tickets"
        "       where status in ('open', 'in_progress') order by id limit %s) as s"
        " where t.id = s.id",
        (FIRST_AGENT, AGENTS, AGENTS * ASSIGNED),
    )
    db.execute(
        "update public.support_tickets set description = description || %s where id in ("
        "  select id from public.support_tickets order by created_at desc limit %s)",
        (f" The {SEARCH_WORD} printer jams.", SEARCH_HITS),
    )
    db.execute("vacuum analyze public.support_tickets")


def tokens(secret: str) -> list[str]:
    return dataset.tokens(secret, FIRST_AGENT, AGENTS)
