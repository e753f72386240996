"""The staff queue's default views and its text search, as an agent sees them at each scale.

The queue's data is what an agent works with however large the history grows: a bounded set
of tickets assigned to them and a word that a few dozen tickets contain; the open share of
the generated tickets grows with the table (bench/dataset.py), as an unworked backlog would.
"""

import psycopg

from bench import dataset

AGENT = 900  # the bench agent's user number (bench/dataset.py user ids)
ASSIGNED = 200
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
    """The agent, their assigned tickets and the searched word, on the tickets loaded so far."""
    dataset.create_users(db, AGENT, 1)
    db.execute(
        "insert into public.support_staff (user_id, role, display_name) "
        "values (%s, 'agent', 'Bench Agent') on conflict do nothing",
        (dataset.user_id(AGENT),),
    )
    db.execute(
        "update public.support_tickets set assignee_id = %s where id in ("
        "  select id from public.support_tickets where status in ('open', 'in_progress') "
        "  order by id limit %s)",
        (dataset.user_id(AGENT), ASSIGNED),
    )
    db.execute(
        "update public.support_tickets set description = description || %s where id in ("
        "  select id from public.support_tickets order by created_at desc limit %s)",
        (f" The {SEARCH_WORD} printer jams.", SEARCH_HITS),
    )
    db.execute("vacuum analyze public.support_tickets")


def token(secret: str) -> list[str]:
    return dataset.tokens(secret, AGENT, 1)
