"""Direct table access with supabase-py (`.table(...).insert/select`), and support's work on a
ticket as the user sees it through the RPCs. Same rules as the RPCs: RLS, column grants, CHECKs.
"""

from __future__ import annotations

import httpx
import pytest
from postgrest.exceptions import APIError
from postgrest.types import ReturnMethod

TICKET = {"ticket_type": "billing", "subject": "Charged twice", "description": "Twice on Jan 5th."}
FEEDBACK = {"category": "praise", "description": "Lovely app", "rating": 5}


@pytest.mark.parametrize(
    ("table", "row"), [("support_tickets", TICKET), ("user_feedback", FEEDBACK)]
)
def test_user_inserts_and_reads_only_their_own_rows(make_user, user_client, table, row):
    owner, other = make_user(), make_user()
    # A user names the columns they read (support_tickets' `*` includes support's columns), so
    # the insert returns nothing and the read names them.
    user_client(owner).table(table).insert(row, returning=ReturnMethod.minimal).execute()
    inserted = user_client(owner).table(table).select("id,user_id,created_at").execute().data[0]
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
    # A value outside a vocabulary: the foreign key's 409 quoting it never shows.
    ("support_tickets", "insert", {**TICKET, "ticket_type": "refund"}, "23514"),
    ("support_tickets", "insert", {**TICKET, "priority": "asap"}, "23514"),
    ("support_tickets", "insert", {**TICKET, "subject": "Charged\r\ntwice"}, "23514"),
    ("support_tickets", "update", {"status": "closed"}, "42501"),
    ("support_tickets", "delete", None, "42501"),
    ("user_feedback", "insert", {**FEEDBACK, "status": "planned"}, "42501"),
    ("user_feedback", "insert", {**FEEDBACK, "admin_response": "x"}, "42501"),
    ("user_feedback", "insert", {**FEEDBACK, "reviewed_at": "2026-01-10T16:00:00Z"}, "42501"),
    ("user_feedback", "insert", {**FEEDBACK, "rating": 9}, "23514"),
    ("user_feedback", "insert", {**FEEDBACK, "category": "wish"}, "23514"),
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
        "insert": lambda: query.insert(row, returning=ReturnMethod.minimal),
        "update": lambda: query.update(row).neq("id", "00000000-0000-0000-0000-000000000000"),
        "delete": lambda: query.delete().neq("id", "00000000-0000-0000-0000-000000000000"),
    }[action]()
    with pytest.raises(APIError) as refused:
        request.execute()
    assert refused.value.code == code
    assert refused.value.details is None  # the row is never echoed
    assert not {"refund", "asap", "wish"} & set(str(refused.value.message).split('"'))


def test_a_value_outside_a_vocabulary_is_the_400_its_check_was(make_user, stack):
    user = make_user()
    answer = httpx.post(
        f"{stack.rest_url}/support_tickets",
        json={**TICKET, "ticket_type": "refund"},
        headers={"apikey": stack.anon_key, "Authorization": f"Bearer {user.jwt}"},
        timeout=10,
    )
    assert answer.status_code == 400, answer.text
    assert answer.json() == {
        "code": "23514",
        "message": 'new row for relation "support_tickets" violates check constraint '
                   '"support_tickets_ticket_type_valid"',
        "details": None,
        "hint": None,
    }


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


# What get_ticket shows a user, plus their own id and merged_into: a direct read shows no more.
USER_TICKET_COLUMNS = (
    "id,user_id,ticket_type,subject,description,status,priority,admin_notes,resolution,"
    "created_at,updated_at,resolved_at,steps_to_reproduce,expected_behavior,actual_behavior,"
    "device_info,app_version,screenshot_urls,follow_up_of,merged_into"
)
STAFF_TICKET_COLUMNS = ["assignee_id", "assigned_to", "meta_data", "problem_id",
                        "first_response_due_at", "resolution_due_at", "sla_next_due_at",
                        "sla_breached_at", "sla_paused_for", "priority_order"]


@pytest.fixture
def worked_ticket(stack, db, make_user):
    """A user's ticket held by an agent, linked to another user's problem, with an event."""
    owner, other, agent = make_user(), make_user(), make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name) "
               "values (%s, 'agent', 'Agent Secret')", (agent.id,))
    problem = db.execute(
        "insert into public.support_tickets (user_id, ticket_type, subject, description) "
        "values (%s, 'bug', 'Crash', 'Crash') returning id", (other.id,)).fetchone()[0]
    ticket = db.execute(
        "insert into public.support_tickets (user_id, ticket_type, subject, description, "
        "assignee_id, assigned_to, problem_id, meta_data) values "
        "(%s, 'bug', 'Crash too', 'Crash', %s, 'Agent Secret', %s, '{\"source\": \"crm\"}') "
        "returning id", (owner.id, agent.id, problem)).fetchone()[0]
    db.execute("update public.support_tickets set status = 'in_progress' where id = %s",
               (ticket,))
    return owner, other, agent, str(ticket)


def _get(stack, jwt: str, path: str) -> httpx.Response:
    return httpx.get(f"{stack.rest_url}/{path}", timeout=10,
                     headers={"apikey": stack.anon_key, "Authorization": f"Bearer {jwt}"})


def test_the_owner_reads_directly_what_get_ticket_shows_and_no_more(stack, worked_ticket):
    owner, _, _, ticket = worked_ticket
    rows = _get(stack, owner.jwt, f"support_tickets?select={USER_TICKET_COLUMNS}&id=eq.{ticket}")
    assert rows.status_code == 200, rows.text
    assert rows.json()[0]["status"] == "in_progress"
    for column in STAFF_TICKET_COLUMNS:
        refused = _get(stack, owner.jwt, f"support_tickets?select=id,{column}")
        assert (refused.status_code, refused.json()["code"]) == (403, "42501"), column
    events = _get(stack, owner.jwt, f"ticket_events?select=kind,actor_kind&ticket_id=eq.{ticket}")
    assert events.status_code == 200 and {"kind": "status", "actor_kind": "agent"} in events.json()
    refused = _get(stack, owner.jwt, f"ticket_events?select=kind,actor_id&ticket_id=eq.{ticket}")
    assert (refused.status_code, refused.json()["code"]) == (403, "42501")


def test_select_star_is_refused_to_users_with_a_permission_error(stack, worked_ticket):
    """`*` names support's columns too: refused as a whole, never answered without them."""
    owner = worked_ticket[0]
    for path in ("support_tickets", "support_tickets?select=*", "ticket_events?select=*"):
        answer = _get(stack, owner.jwt, path)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["code"] == "42501"
        assert answer.json()["message"].startswith("permission denied for table")


def test_another_user_agent_and_service_role_read_as_before(stack, worked_ticket):
    _, other, agent, ticket = worked_ticket
    assert _get(stack, other.jwt, f"support_tickets?select=id&id=eq.{ticket}").json() == []
    # Staff hold no read policy: their direct read is empty; support_ticket shows every field.
    assert _get(stack, agent.jwt, f"support_tickets?select=id&id=eq.{ticket}").json() == []
    detail = _get(stack, agent.jwt, f"rpc/support_ticket?ticket_id={ticket}")
    assert detail.status_code == 200, detail.text
    assert detail.json()["assigned_to"] == "Agent Secret"
    service = _get(stack, stack.service_role_key, f"support_tickets?select=*&id=eq.{ticket}")
    assert service.status_code == 200 and service.json()[0]["assigned_to"] == "Agent Secret"


@pytest.fixture
def answered_thread(stack, db, worked_ticket):
    """The worked ticket with the agent's public reply, and the owner's feedback marked a
    duplicate of the other user's entry."""
    owner, other, agent, ticket = worked_ticket
    reply = httpx.post(f"{stack.rest_url}/rpc/support_reply", timeout=10,
                       json={"ticket_id": ticket, "body": "We are on it"},
                       headers={"apikey": stack.anon_key, "Authorization": f"Bearer {agent.jwt}"})
    assert reply.status_code == 200, reply.text
    repeated = db.execute(
        "insert into public.user_feedback (user_id, category, description) "
        "values (%s, 'complaint', 'Slow sync') returning id", (other.id,)).fetchone()[0]
    duplicate = db.execute(
        "insert into public.user_feedback (user_id, category, description, status, duplicate_of) "
        "values (%s, 'complaint', 'Sync is slow', 'duplicate', %s) returning id",
        (owner.id, repeated)).fetchone()[0]
    return owner, other, agent, ticket, str(duplicate)


def test_the_owner_reads_no_staff_author_and_no_other_users_entry(stack, answered_thread):
    owner, _, _, ticket, duplicate = answered_thread
    thread = _get(stack, owner.jwt,
                  f"ticket_messages?select=id,author_kind,body,created_at&ticket_id=eq.{ticket}")
    assert thread.status_code == 200, thread.text
    assert [(m["author_kind"], m["body"]) for m in thread.json()] == [("agent", "We are on it")]
    for path in (f"ticket_messages?select=id,author_id&ticket_id=eq.{ticket}",
                 "ticket_messages?select=*",
                 f"support_tickets?select=id,ticket_messages(author_id)&id=eq.{ticket}",
                 "user_feedback?select=id,duplicate_of", "user_feedback?select=id,meta_data",
                 "user_feedback?select=*"):
        refused = _get(stack, owner.jwt, path)
        assert (refused.status_code, refused.json()["code"]) == (403, "42501"), path
    mine = _get(stack, owner.jwt, f"user_feedback?select=id,status&id=eq.{duplicate}")
    assert mine.json() == [{"id": duplicate, "status": "duplicate"}]
    listed = _get(stack, owner.jwt, "rpc/list_my_feedback").json()["feedback"]
    assert [(f["status"], f["duplicate_of"]) for f in listed] == [("duplicate", None)]


def test_staff_anon_and_service_role_on_the_withheld_columns(stack, answered_thread):
    _, _, agent, ticket, duplicate = answered_thread
    assert _get(stack, agent.jwt, f"ticket_messages?select=id&ticket_id=eq.{ticket}").json() == []
    detail = _get(stack, agent.jwt, f"rpc/support_ticket?ticket_id={ticket}").json()
    assert [m["author_id"] for m in detail["messages"]] == [agent.id]
    feedback = _get(stack, agent.jwt, f"rpc/support_feedback?feedback_id={duplicate}").json()
    assert feedback["duplicate_of"]
    anon = _get(stack, stack.anon_key, "ticket_messages?select=id")
    assert anon.status_code in (401, 403)
    service = _get(stack, stack.service_role_key,
                   f"ticket_messages?select=author_id&ticket_id=eq.{ticket}")
    assert service.json() == [{"author_id": agent.id}]
    service = _get(stack, stack.service_role_key,
                   f"user_feedback?select=duplicate_of&id=eq.{duplicate}")
    assert service.json()[0]["duplicate_of"]
