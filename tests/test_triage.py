"""Auto-triage end to end: items filed through every create path get suggestions from the
support-triage worker the stack runs; the suggestions change nothing of the user's and the
owner never sees them; staff decisions over PostgREST become labels that retraining uses
(docs/triage.md)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from triage_support import shadow_mode_off, wait_for_suggestions

TRIAGE = Path(sys.executable).with_name("support-triage")
TICKET_FIELDS = "ticket_type, priority, subject, description, status"
FEEDBACK_FIELDS = "category, description, feature_name, status"


def triage(stack, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(TRIAGE), *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, "SUPPORT_API_ENV": "local", "SUPABASE_DB_URL": stack.db_url},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def owner(make_user):
    return make_user()


@pytest.fixture(scope="module")
def agent(make_user, db):
    user = make_user()
    db.execute(
        "insert into public.support_staff (user_id, role, display_name) values (%s, 'agent', 'A')",
        (user.id,),
    )
    return user


def _rest(stack, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.jwt}", "apikey": stack.anon_key}


@pytest.fixture(scope="module")
def filed(stack, http, db, owner) -> dict[str, tuple[str, str]]:
    """One item per create path: {path: (kind, id)}, then one run of the triage worker."""
    auth = {"Authorization": f"Bearer {owner.jwt}"}
    posts = {
        "rpc create_support_ticket": (
            f"{stack.rest_url}/rpc/create_support_ticket", _rest(stack, owner),
            {"ticket_type": "technical", "subject": "I was charged twice for Premium",
             "description": "My card was charged twice this month", "priority": "low"},
        ),
        "rpc report_bug": (
            f"{stack.rest_url}/rpc/report_bug", _rest(stack, owner),
            {"description": "The app crashes when I open the calendar week view"},
        ),
        "rpc submit_feedback": (
            f"{stack.rest_url}/rpc/submit_feedback", _rest(stack, owner),
            {"category": "other", "description": "Please add a yearly view to the calendar"},
        ),
        "flask tickets": (
            f"{stack.api_url}/support/tickets", auth,
            {"ticket_type": "other", "subject": "Locked out",
             "description": "I cannot sign in and the password reset email never arrives"},
        ),
        "flask report-bug": (
            f"{stack.api_url}/support/report-bug", auth,
            {"description": "Reminders never go off since the iOS update"},
        ),
        "flask feedback": (
            f"{stack.api_url}/support/feedback", auth,
            {"category": "praise", "description": "The companion makes my calendar sluggish"},
        ),
    }
    items: dict[str, tuple[str, str]] = {}
    for path, (url, headers, body) in posts.items():
        response = http.post(url, json=body, headers=headers)
        assert response.status_code == 200, response.text
        answer = response.json()
        kind = "feedback" if "feedback_id" in answer else "ticket"
        items[path] = (kind, answer.get("ticket_id") or answer["feedback_id"])
    for path, text in (
        ("companion bug", "report bug: the month view is blank on my tablet"),
        ("companion feedback", "I have feedback: the companion should read my reminders aloud"),
    ):
        response = http.post(
            f"{stack.api_url}/companion/messages",
            json={"user_id": owner.id, "text": text},
            headers={"Authorization": f"Bearer {stack.service_role_key}"},
        )
        assert response.status_code == 200, response.text
        data = response.json()["result"]["data"]
        kind = "feedback" if "feedback_id" in data else "ticket"
        items[path] = (kind, data.get("ticket_id") or data["feedback_id"])
    return items


def _user_fields(db, kind: str, item_id: str) -> tuple:
    if kind == "ticket":
        query = f"select {TICKET_FIELDS} from public.support_tickets where id = %s"
    else:
        query = f"select {FEEDBACK_FIELDS} from public.user_feedback where id = %s"
    return db.execute(query, (item_id,)).fetchone()


def _suggestions(db, kind: str, item_id: str) -> dict[str, tuple]:
    column = "ticket_id" if kind == "ticket" else "feedback_id"
    rows = db.execute(
        f"select field, value, confidence, model_version from public.triage_suggestions "
        f"where {column} = %s",
        (item_id,),
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def triaged(stack, db, filed) -> dict[str, tuple]:
    """The user's fields as filed; when it returns, the stack's worker (support_dev/stack/
    triage.py) has suggested for every item, off the request path."""
    before = {path: _user_fields(db, *item) for path, item in filed.items()}
    wait_for_suggestions(db, list(filed.values()))
    return before


def test_every_create_path_gets_suggestions(db, filed, triaged):
    assert len(filed) == 8
    for path, (kind, item_id) in filed.items():
        suggestions = _suggestions(db, kind, item_id)
        expected = {"ticket_type", "priority"} if kind == "ticket" else {"category"}
        assert set(suggestions) == expected, path
        for _value, confidence, version in suggestions.values():
            assert 0 < confidence <= 1
            assert version.startswith("minilm-lr-")
    kind, charged = filed["rpc create_support_ticket"]
    assert _suggestions(db, kind, charged)["ticket_type"][0] == "billing"


def test_suggestions_never_change_the_users_fields(db, filed, triaged):
    for path, item in filed.items():
        assert _user_fields(db, *item) == triaged[path], path
    kind, charged = filed["rpc create_support_ticket"]
    assert _user_fields(db, kind, charged)[:2] == ("technical", "low")


def test_another_worker_run_adds_nothing_for_items_already_suggested(stack, db, filed, triaged):
    # Counted for this module's items only: the stack's worker may be suggesting for other
    # tests' items meanwhile.
    ids = [item_id for _, item_id in filed.values()]
    count = ("select count(*) from public.triage_suggestions "
             "where ticket_id = any(%(ids)s::uuid[]) or feedback_id = any(%(ids)s::uuid[])")
    before = db.execute(count, {"ids": ids}).fetchone()[0]
    assert before == 2 * 5 + 3  # five tickets (type, priority), three feedback entries (category)
    triage(stack, "run", "--once")
    assert db.execute(count, {"ids": ids}).fetchone()[0] == before


def test_the_owner_sees_no_suggestion_on_any_path(stack, http, filed, triaged, owner):
    rest = _rest(stack, owner)
    for table in ("triage_suggestions", "triage_labels", "triage_model_runs"):
        response = http.get(f"{stack.rest_url}/{table}", headers=rest)
        assert (response.status_code, response.json()["code"]) == (403, "42501"), table
    settings = http.get(f"{stack.rest_url}/triage_settings", headers=rest)
    assert (settings.status_code, settings.json()) == (200, [])
    _, ticket_id = filed["rpc create_support_ticket"]
    response = http.get(f"{stack.rest_url}/rpc/support_suggestions",
                        params={"ticket_id": ticket_id}, headers=rest)
    assert response.status_code == 403
    assert response.json()["message"] == "Only support staff can do this"
    detail = http.get(f"{stack.api_url}/support/tickets/{ticket_id}",
                      headers={"Authorization": f"Bearer {owner.jwt}"})
    assert detail.status_code == 200
    assert detail.json()["ticket_type"] == "technical"
    assert "suggest" not in detail.text and "minilm" not in detail.text


@pytest.fixture
def shadow_off(db) -> Iterator[None]:
    with shadow_mode_off(db):
        yield


def test_staff_decisions_are_labels_that_retraining_uses(
    stack, http, db, filed, triaged, agent, shadow_off
):
    rest = _rest(stack, agent)
    kind, ticket_id = filed["rpc create_support_ticket"]
    shown = http.get(f"{stack.rest_url}/rpc/support_suggestions",
                     params={"ticket_id": ticket_id}, headers=rest)
    assert shown.status_code == 200, shown.text
    by_field = {s["field"]: s for s in shown.json()["suggestions"]}
    assert by_field["ticket_type"]["current_value"] == "technical"

    def decide(body: dict) -> dict:
        response = http.post(f"{stack.rest_url}/rpc/support_decide_suggestion", json=body,
                             headers=rest)
        assert response.status_code == 200, response.text
        return response.json()

    accepted = decide({"suggestion_id": by_field["ticket_type"]["suggestion_id"], "apply": True})
    assert (accepted["chosen_value"], accepted["accepted"], accepted["applied"]) == (
        "billing", True, True)
    overridden = decide({"suggestion_id": by_field["priority"]["suggestion_id"], "value": "high"})
    assert (overridden["chosen_value"], overridden["applied"]) == ("high", False)
    assert _user_fields(db, kind, ticket_id)[:2] == ("billing", "low")

    report = http.get(f"{stack.rest_url}/rpc/support_triage_report", headers=rest).json()
    kinds = {k["field"]: k for k in report["kinds"]}
    assert kinds["ticket_type"]["decided"] >= 1 and kinds["priority"]["decided"] >= 1

    triage(stack, "train")
    runs = dict(db.execute(
        "select distinct on (field) field, staff_labels from public.triage_model_runs "
        "order by field, trained_at desc, id desc"
    ).fetchall())
    assert runs["ticket_type"] >= 1 and runs["priority"] >= 1
