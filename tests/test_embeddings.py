"""Sentence embeddings end to end (docs/triage.md): reports filed over PostgREST and the Flask
layer are embedded by the stack's support-triage worker with the real model, off the request
path, and the likely-duplicates lookup finds a report of the same problem that shares no word
with it, and not an unrelated one; the owner sees none of it and keeps the fields they chose."""

import time

import httpx
import psycopg
import pytest
from triage_support import SUGGESTION_TIMEOUT

from support_triage.embedding import MODEL_ID

CHARGED = ("I was charged twice for my subscription this month",
           "I was charged twice for my subscription this month")
BILLED = ("My card got billed two times for Premium in November",
          "My card got billed two times for Premium in November, please refund one")
UNRELATED = ("Printing cuts off the last column of the page",
             "Printing cuts off the last column of the page")


def _rest(stack, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.jwt}", "apikey": stack.anon_key}


def _file_over_postgrest(stack, http: httpx.Client, user, text: tuple[str, str]) -> str:
    answer = http.post(f"{stack.rest_url}/rpc/create_support_ticket", headers=_rest(stack, user),
                       json={"ticket_type": "bug", "subject": text[0], "description": text[1],
                             "priority": "low"})
    assert answer.status_code == 200, answer.text
    return answer.json()["ticket_id"]


def _wait_for_vectors(db: psycopg.Connection, ticket_ids: list[str]) -> None:
    deadline = time.monotonic() + SUGGESTION_TIMEOUT
    while True:
        rows = db.execute("select ticket_id::text, model from private.ticket_embeddings"
                          " where ticket_id = any(%s::uuid[])", (ticket_ids,)).fetchall()
        if len(rows) == len(ticket_ids):
            assert {model for _, model in rows} == {MODEL_ID}
            return
        assert time.monotonic() < deadline, "the triage worker embedded nothing in time"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def http():
    with httpx.Client(timeout=30) as client:
        yield client


def test_a_report_in_other_words_is_found_by_meaning(stack, db, make_user, http) -> None:
    owner, other, agent = make_user(), make_user(), make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name)"
               " values (%s, 'agent', 'A')", (agent.id,))
    charged = _file_over_postgrest(stack, http, owner, CHARGED)
    filed = http.post(f"{stack.api_url}/support/tickets",
                      headers={"Authorization": f"Bearer {other.jwt}"},
                      json={"ticket_type": "bug", "subject": BILLED[0], "description": BILLED[1]})
    assert filed.status_code == 200, filed.text
    billed = filed.json()["ticket_id"]
    unrelated = _file_over_postgrest(stack, http, other, UNRELATED)
    _wait_for_vectors(db, [charged, billed, unrelated])

    lookup = http.get(f"{stack.rest_url}/rpc/support_similar_tickets",
                      params={"ticket_id": charged, "page_size": 50}, headers=_rest(stack, agent))
    assert lookup.status_code == 200, lookup.text
    scores = {m["ticket_id"]: m["score"] for m in lookup.json()["similar"]}
    least = db.execute("select similar_min_probability from public.triage_settings").fetchone()[0]
    assert billed in scores and least <= scores[billed] <= 1, scores
    assert unrelated not in scores

    refused = http.get(f"{stack.rest_url}/rpc/support_similar_tickets",
                       params={"ticket_id": charged}, headers=_rest(stack, owner))
    assert refused.status_code == 403
    assert refused.json()["message"] == "Only support staff can do this"
    mine = http.get(f"{stack.rest_url}/support_tickets", headers=_rest(stack, owner),
                    params={"id": f"eq.{charged}", "select": "ticket_type,priority,subject"})
    assert mine.json() == [{"ticket_type": "bug", "priority": "low", "subject": CHARGED[0]}]
