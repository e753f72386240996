"""GET /api/staff/tickets.csv and /api/staff/feedback.csv against the real stack: streamed CSV of
a saved view (its columns) or a date range, batch after batch; RFC 4180 quoting; cells that a
spreadsheet would run as formulas defused; staff only; internal notes only when an admin asks."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from support_api.export_routes import BATCH_SIZE, safe_cell


@dataclass
class Desk:
    word: str
    agent: object
    admin: object
    user: object
    view_id: str
    ticket_ids: list[str]


@pytest.fixture(scope="module")
def http(stack) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


SUBJECTS = [
    "=HYPERLINK(\"http://evil.test\") {word}",
    "+1 and -1 {word}",
    "@SUM(A1) {word}",
    "Comma, \"quoted\" {word}",
    "-starts with a minus {word}",
]


@pytest.fixture(scope="module")
def desk(stack, http, db, make_user) -> Desk:
    agent, admin, user = make_user(), make_user(), make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name) values "
               "(%s, 'agent', 'Exporting Agent'), (%s, 'admin', 'Exporting Admin')",
               (agent.id, admin.id))
    word = "xp" + uuid.uuid4().hex[:10]
    ids = []
    for n, subject in enumerate(SUBJECTS):
        ticket_id = str(uuid.uuid4())
        db.execute(
            "insert into public.support_tickets "
            "(id, user_id, ticket_type, subject, description, created_at) "
            "values (%s, %s, 'billing', %s, 'Details', now() - make_interval(mins => %s))",
            (ticket_id, user.id, subject.format(word=word), n))
        ids.append(ticket_id)
    db.execute("insert into public.ticket_messages (ticket_id, author_kind, internal, body) "
               "values (%s, 'agent', true, %s)", (ids[0], f"internal note {word}"))
    saved = http.post(
        f"{stack.rest_url}/saved_views",
        headers={**bearer(agent.jwt), "apikey": stack.anon_key, "Prefer": "return=representation"},
        json={"name": f"Export {word}", "columns": ["subject", "requester", "status"],
              "conditions": {"match": "all", "conditions": [
                  {"field": "text", "op": "matches", "value": word}]}})
    assert saved.status_code == 201, saved.text
    return Desk(word, agent, admin, user, saved.json()[0]["id"], ids)


def rows_of(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))


def test_formula_cells_get_an_apostrophe_and_others_stay():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+1") == "'+1"
    assert safe_cell("-1") == "'-1"
    assert safe_cell("@x") == "'@x"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("plain, \"text\"") == "plain, \"text\""
    assert safe_cell(None) == ""


def test_a_view_exports_its_tickets_in_its_columns(stack, http, desk):
    response = http.get(f"{stack.api_url}/staff/tickets.csv", params={"view": desk.view_id},
                        headers=bearer(desk.agent.jwt))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="tickets.csv"' in response.headers["content-disposition"]
    rows = rows_of(response)
    assert rows[0] == ["Subject", "Requester", "Status"]
    subjects = [row[0] for row in rows[1:]]
    # Newest first; each would-be formula behind an apostrophe; commas and quotes round-trip.
    assert subjects == [safe_cell(s.format(word=desk.word)) for s in SUBJECTS]
    assert subjects[0].startswith("'=HYPERLINK") and subjects[3] == f'Comma, "quoted" {desk.word}'
    assert '"Comma, ""quoted"" ' in response.text
    assert {row[1] for row in rows[1:]} == {desk.user.email}
    assert all(row[2] == "open" for row in rows[1:])
    assert "internal note" not in response.text


def test_internal_notes_only_when_an_admin_asks(stack, http, desk):
    url = f"{stack.api_url}/staff/tickets.csv"
    agent_asks = http.get(url, params={"view": desk.view_id, "include_internal": "true"},
                          headers=bearer(desk.agent.jwt))
    assert agent_asks.status_code == 403
    assert agent_asks.json()["code"] == "export_internal_admins_only"
    admin = http.get(url, params={"created_from": "2000-01-01", "include_internal": "true"},
                     headers=bearer(desk.admin.jwt))
    assert admin.status_code == 200, admin.text
    rows = rows_of(admin)
    assert rows[0][-1] == "Internal notes"
    noted = [row for row in rows if row[0] == desk.ticket_ids[0]]
    assert len(noted) == 1 and noted[0][-1].endswith(f"internal note {desk.word}")
    plain = http.get(url, params={"created_from": "2000-01-01"}, headers=bearer(desk.admin.jwt))
    assert f"internal note {desk.word}" not in plain.text


def test_users_and_strangers_cannot_export(stack, http, desk):
    for path in ("tickets.csv", "feedback.csv"):
        url = f"{stack.api_url}/staff/{path}"
        as_user = http.get(url, headers=bearer(desk.user.jwt))
        assert as_user.status_code == 403, as_user.text
        assert as_user.json().keys() == {"code", "message", "details", "hint"}
        assert http.get(url).status_code == 401
    other_agents_view = http.get(f"{stack.api_url}/staff/tickets.csv",
                                 params={"view": desk.view_id}, headers=bearer(desk.admin.jwt))
    assert other_agents_view.status_code == 404
    unknown = http.get(f"{stack.api_url}/staff/tickets.csv", params={"limit": "5"},
                       headers=bearer(desk.agent.jwt))
    assert unknown.status_code == 400 and "limit" in unknown.json()["message"]


def test_a_large_export_streams_in_batches(stack, http, db, desk):
    word = "xb" + uuid.uuid4().hex[:10]
    count = 2 * BATCH_SIZE + 7
    # Closed, and long ago: no queue or page of the shared test stack shows them.
    db.execute(
        "insert into public.support_tickets "
        "(user_id, ticket_type, subject, description, status, created_at) "
        "select %s, 'other', %s || ' ' || n, 'Bulk', 'closed', "
        "       timestamptz '2001-05-01' + make_interval(secs => n) "
        "from generate_series(1, %s) as n",
        (desk.user.id, word, count))
    chunks = 0
    text = []
    with http.stream("GET", f"{stack.api_url}/staff/tickets.csv",
                     params={"created_from": "2001-05-01", "created_to": "2001-05-02"},
                     headers=bearer(desk.agent.jwt)) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        for chunk in response.iter_text():
            chunks += 1
            text.append(chunk)
    rows = list(csv.reader(io.StringIO("".join(text))))[1:]
    assert len(rows) == count
    assert rows[0][1] == f"{word} {count}" and rows[-1][1] == f"{word} 1"
    assert len({row[0] for row in rows}) == count
    assert chunks >= 1


def test_feedback_exports_a_date_range(stack, http, db, desk):
    word = "xf" + uuid.uuid4().hex[:10]
    db.execute(
        "insert into public.user_feedback (user_id, category, description, created_at) values "
        "(%s, 'praise', %s, '2002-03-02'), (%s, 'praise', %s, '2002-01-02')",
        (desk.user.id, f"=cmd {word}", desk.user.id, f"older {word}"))
    response = http.get(f"{stack.api_url}/staff/feedback.csv",
                        params={"created_from": "2002-03-01", "created_to": "2002-03-03"},
                        headers=bearer(desk.agent.jwt))
    assert response.status_code == 200, response.text
    rows = rows_of(response)
    assert rows[0][:3] == ["Feedback", "Created", "Requester"]
    assert [row[8] for row in rows[1:]] == [f"'=cmd {word}"]
    assert rows[1][2] == desk.user.email
