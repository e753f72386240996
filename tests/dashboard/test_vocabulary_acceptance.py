"""Adding a ticket type or a priority is one row of its vocabulary (a migration's insert): the
create path accepts it, the queue filters and orders by it, the dashboard lists it, the
emails say it, and the OpenAPI check reports the enumeration the document now lacks."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from notification_support import MailDev
from playwright.sync_api import expect
from vocabulary_check import openapi_mismatches, vocabulary_codes

from support_api.openapi import openapi_document

pytestmark = pytest.mark.local_stack

NEW_ROWS = [
    "insert into public.ticket_types (code, label, position) values ('refund', 'Refund', 6)",
    "insert into public.ticket_priorities (code, label, position, rank)"
    " values ('critical', 'Critical', 5, -1)",
    # Not part of adding a priority: users hear of priority changes only if a kind says so.
    "insert into public.notification_kinds (kind, event_kind, label)"
    " values ('priority_changed', 'priority', 'The priority of your ticket changed.')",
]
REMOVE_ROWS = [
    "delete from public.support_tickets where ticket_type = 'refund' or priority = 'critical'",
    "delete from public.notification_kinds where kind = 'priority_changed'",
    "delete from public.ticket_priorities where code = 'critical'",
    "delete from public.ticket_types where code = 'refund'",
]


def rpc(stack, jwt: str, name: str, body: dict) -> dict:
    answer = httpx.post(f"{stack.rest_url}/rpc/{name}", json=body, timeout=10,
                        headers={"apikey": stack.anon_key, "Authorization": f"Bearer {jwt}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_new_ticket_type_and_priority_are_one_row_each(stack, db, make_user, make_staff,
                                                         signed_in):
    for statement in NEW_ROWS:
        db.execute(statement)
    try:
        user, agent = make_user(), make_staff()
        created = rpc(stack, user.jwt, "create_support_ticket", {
            "ticket_type": "refund", "subject": "Refund my plan", "description": "Please.",
            "priority": "high"})
        assert created["ticket_type"] == "refund"

        rpc(stack, agent.jwt, "support_update_ticket",
            {"ticket_id": created["ticket_id"], "priority": "critical"})
        queue = rpc(stack, agent.jwt, "support_queue", {"ticket_type": "refund"})
        assert [t["ticket_id"] for t in queue["tickets"]] == [created["ticket_id"]]
        first = rpc(stack, agent.jwt, "support_queue", {"status": "open", "sort": "priority"})
        assert first["tickets"][0]["ticket_id"] == created["ticket_id"]

        page = signed_in(agent)
        expect(page.locator("#filter-type option")).to_contain_text(["Any", "Bug", "Refund"])
        expect(page.locator("#filter-priority option").nth(1)).to_have_text("Critical")
        row = page.get_by_role("row").filter(has_text="Refund my plan")
        expect(row).to_contain_text("Critical")

        state = json.loads((Path(stack.state_dir) / "run" / "stack.json").read_text())
        mail = MailDev(state["mail_url"]).wait_for_mail(user.email, timeout=60)[0]
        assert "Priority: high -> critical" in mail["text"]

        reported = "\n".join(openapi_mismatches(openapi_document(), vocabulary_codes(db)))
        assert "components.schemas.CreateTicketRequest.ticket_type" in reported
        assert "components.schemas.CreateTicketRequest.priority" in reported
        assert "'refund'" in reported and "'critical'" in reported
    finally:
        for statement in REMOVE_ROWS:
            db.execute(statement)
