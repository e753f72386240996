"""GET /api/me/export (RPC export_my_data) against the real stack: the export holds exactly what
the user reads through the API's other routes, never an internal note, and nobody else's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from support_api.openapi import openapi_document


@pytest.fixture(scope="module")
def http(stack) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def staff_rpc(stack, http, agent, function: str, body: dict[str, Any]) -> Any:
    response = http.post(f"{stack.rest_url}/rpc/{function}", json=body,
                         headers={"apikey": stack.anon_key, **bearer(agent.jwt)})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_export_is_what_the_user_reads_through_the_api(stack, http, db, make_user):
    owner, other, agent = make_user(), make_user(), make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name) "
               "values (%s, 'agent', 'Ana')", (agent.id,))
    word = uuid.uuid4().hex[:8]
    api = stack.api_url
    tickets = []
    for subject in (f"Charged twice {word}", f"Locked out {word}"):
        created = http.post(f"{api}/support/tickets", headers=bearer(owner.jwt), json={
            "ticket_type": "billing", "subject": subject, "description": "Details."})
        assert created.status_code == 200, created.text
        tickets.append(created.json()["ticket_id"])
    note = f"Refund failed once ({word}, internal)"
    staff_rpc(stack, http, agent, "support_reply", {"ticket_id": tickets[0], "body": "Refunded."})
    staff_rpc(stack, http, agent, "support_reply",
              {"ticket_id": tickets[0], "body": note, "internal": True})
    staff_rpc(stack, http, agent, "support_update_ticket", {
        "ticket_id": tickets[1], "status": "resolved", "resolution": "Unlocked."})
    rated = http.post(f"{api}/support/tickets/{tickets[1]}/rating", headers=bearer(owner.jwt),
                      json={"rating": 4, "comment": "Quick"})
    assert rated.status_code == 200, rated.text
    sent = http.post(f"{api}/support/feedback", headers=bearer(owner.jwt),
                     json={"category": "praise", "description": f"Kind people {word}"})
    assert sent.status_code == 200, sent.text
    http.post(f"{api}/support/tickets", headers=bearer(other.jwt), json={
        "ticket_type": "billing", "subject": f"Someone else {word}", "description": "Not theirs."})

    response = http.get(f"{api}/me/export", headers=bearer(owner.jwt))
    assert response.status_code == 200, response.text
    export = response.json()
    schema = openapi_document()["paths"]["/api/me/export"]["get"]["responses"]["200"]
    Draft202012Validator({**schema["content"]["application/json"]["schema"],
                          "components": openapi_document()["components"]}).validate(export)

    listed = http.get(f"{api}/support/tickets", headers=bearer(owner.jwt)).json()["tickets"]
    details = [http.get(f"{api}/support/tickets/{t['ticket_id']}", headers=bearer(owner.jwt)).json()
               for t in reversed(listed)]
    feedback = http.get(f"{api}/support/feedback", headers=bearer(owner.jwt)).json()["feedback"]
    assert export["user_id"] == owner.id
    assert export["tickets"] == details
    assert [t["ticket_id"] for t in export["tickets"]] == tickets
    assert export["feedback"] == list(reversed(feedback))
    assert [(r["ticket_id"], r["rating"], r["comment"]) for r in export["ratings"]] == [
        (tickets[1], 4, "Quick")]
    assert note not in response.text and "Someone else" not in response.text


def test_only_a_signed_in_user_exports(stack, http):
    assert http.get(f"{stack.api_url}/me/export").status_code == 401
    service = http.get(f"{stack.api_url}/me/export", headers=bearer(stack.service_role_key))
    assert service.status_code == 403, service.text
    unknown = http.get(f"{stack.api_url}/me/export?user_id=x",
                       headers=bearer(stack.service_role_key))
    assert unknown.status_code == 400 and "user_id" in unknown.json()["message"]
