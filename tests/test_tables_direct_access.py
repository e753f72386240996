"""Direct table access with supabase-py (`.table(...).insert/select`), and support's work on a
ticket as the user sees it through the RPCs. Same rules as the RPCs: RLS, column grants, CHECKs.
"""

from __future__ import annotations

import pytest
from postgrest.exceptions import APIError

TICKET = {"ticket_type": "billing", "subject": "Charged twice", "description": "Twice on Jan 5th."}
FEEDBACK = {"category": "praise", "description": "Lovely app", "rating": 5}


@pytest.mark.parametrize(
    ("table", "row"), [("support_tickets", TICKET), ("user_feedback", FEEDBACK)]
)
def test_user_inserts_and_reads_only_their_own_rows(make_user, user_client, table, row):
    owner, other = make_user(), make_user()
    inserted = user_client(owner).table(table).insert(row).execute().data[0]
    assert inserted["user_id"] == owner.id
    assert inserted["created_at"]
    mine = user_client(owner).table(table).select("id").execute().data
    assert [r["id"] for r in mine] == [inserted["id"]]
    assert user_client(other).table(table).select("id").execute().data == []


REFUSED = [
    ("support_tickets", "insert", {**TICKET, "status": "resolved"}, "42501"),
    ("support_tickets", "insert", {**TICKET, "admin_notes": "x"}, "42501"),
    ("support_tickets", "insert", {**TICKET, "resolution": "x"}, "42501"),
    ("support_tickets", "insert", {**TICKET, "assigned_to": "me"}, "42501"),
    ("support_tickets", "insert", {**TICKET, "resolved_at": "2026-01-10T16:00:00Z"}, "42501"),
    ("support_tickets", "insert", {**TICKET, "created_at": "2020-01-01T00:00:00Z"}, "42501"),
    ("support_tickets", "insert", {**TICKET, "description": "   "}, "23514"),
    ("support_tickets", "insert", {**TICKET, "device_info": "bug detail on billing"}, "23514"),
    ("support_tickets", "insert", {**TICKET, "subject": "Charged\r\ntwice"}, "23514"),
    ("support_tickets", "update", {"status": "closed"}, "42501"),
    ("support_tickets", "delete", None, "42501"),
    ("user_feedback", "insert", {**FEEDBACK, "status": "planned"}, "42501"),
    ("user_feedback", "insert", {**FEEDBACK, "admin_response": "x"}, "42501"),
    ("user_feedback", "insert", {**FEEDBACK, "reviewed_at": "2026-01-10T16:00:00Z"}, "42501"),
    ("user_feedback", "insert", {**FEEDBACK, "rating": 9}, "23514"),
    ("user_feedback", "insert", {**FEEDBACK, "feature_name": "dark\nmode"}, "23514"),
    ("user_feedback", "update", {"rating": 1}, "42501"),
    ("user_feedback", "delete", None, "42501"),
]


@pytest.mark.parametrize(
    ("table", "action", "row", "code"), REFUSED, ids=[f"{t}-{a}-{r}" for t, a, r, _ in REFUSED]
)
def test_what_users_may_not_do_directly(make_user, user_client, table, action, row, code):
    client = user_client(make_user())
    query = client.table(table)
    request = {
        "insert": lambda: query.insert(row),
        "update": lambda: query.update(row).neq("id", "00000000-0000-0000-0000-000000000000"),
        "delete": lambda: query.delete().neq("id", "00000000-0000-0000-0000-000000000000"),
    }[action]()
    with pytest.raises(APIError) as refused:
        request.execute()
    assert refused.value.code == code
    assert refused.value.details is None  # the row is never echoed


def test_user_cannot_insert_in_another_users_name(make_user, user_client):
    owner, other = make_user(), make_user()
    with pytest.raises(APIError) as refused:
        user_client(other).table("support_tickets").insert(
            {**TICKET, "user_id": owner.id}
        ).execute()
    assert refused.value.code == "42501"


def test_supports_status_changes_show_in_the_users_list_and_detail(make_user, user_client, db):
    client = user_client(make_user())
    created = client.rpc("create_support_ticket", TICKET).execute().data
    ticket_id = created["ticket_id"]

    def seen() -> tuple[dict, dict]:
        listed = client.rpc("list_my_tickets", {}).execute().data["tickets"][0]
        return listed, client.rpc("get_ticket", {"ticket_id": ticket_id}).execute().data

    # Support (an admin in Studio) works the ticket; it was filed two hours ago.
    db.execute(
        "update public.support_tickets set created_at = created_at - interval '2 hours',"
        " updated_at = updated_at - interval '2 hours' where id = %s",
        (ticket_id,),
    )
    listed, detail = seen()
    created_at = detail["created_at"]

    db.execute(
        "update public.support_tickets set status = 'in_progress', assigned_to = 'sam'"
        " where id = %s",
        (ticket_id,),
    )
    listed, detail = seen()
    assert listed["status"] == detail["status"] == "in_progress"
    assert listed["updated_at"] == detail["updated_at"] > created_at
    assert detail["resolved_at"] is None

    db.execute(
        "update public.support_tickets set status = 'resolved', resolution = 'Refund processed.'"
        " where id = %s",
        (ticket_id,),
    )
    listed, detail = seen()
    assert listed["status"] == detail["status"] == "resolved"
    assert detail["resolution"] == "Refund processed."
    assert detail["resolved_at"] == detail["updated_at"] == listed["updated_at"]
    assert detail["created_at"] == created_at

    db.execute("update public.support_tickets set status = 'open' where id = %s", (ticket_id,))
    listed, detail = seen()
    assert listed["status"] == "open"
    assert detail["resolved_at"] is None
