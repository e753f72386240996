"""Auto-triage on the ticket page, in Debian's Chromium against the real stack and its
support-triage worker: in shadow mode the page shows no suggestion; out of it, an agent sees
each suggestion with its confidence and model version, accepts one in one click, and the API
holds the label and the changed field; a likely duplicate is linked to its problem in one click.
"""

import uuid

from dashboard_support import percent
from playwright.sync_api import expect
from triage_support import shadow_mode_off, wait_for_suggestions


def test_an_agent_accepts_a_suggestion_in_one_click_and_the_label_is_kept(
        stack, db, make_user, user_client, make_staff, signed_in, screenshot, axe_violations):
    user = make_user()
    word = f"acc{uuid.uuid4().hex[:8]}"
    ticket_id = user_client(user).rpc("create_support_ticket", {
        "ticket_type": "technical", "priority": "low",
        "subject": f"Charged twice for Premium {word}",
        "description": "My card was charged twice for the Premium subscription this month.",
    }).execute().data["ticket_id"]
    wait_for_suggestions(db, [("ticket", ticket_id)])
    agent = make_staff()
    as_agent = user_client(agent)

    # Shadow mode (the default): computed and stored, shown to nobody.
    # bypass_csp: axe is injected as an inline script.
    page = signed_in(agent, f"#/ticket/{ticket_id}", bypass_csp=True)
    expect(page.get_by_role("heading", name=f"Charged twice for Premium {word}")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".triage-suggestion")).to_have_count(0)

    with shadow_mode_off(db):
        shown = as_agent.rpc("support_suggestions", {"ticket_id": ticket_id}).execute().data
        suggested = {s["field"]: s for s in shown["suggestions"]}
        ticket_type = suggested["ticket_type"]
        assert ticket_type["decision"] is None
        page.reload()
        item = page.locator(".triage-suggestion[data-field=ticket_type]")
        expect(item).to_contain_text(f"{percent(ticket_type['confidence'])} confident")
        expect(item).to_contain_text(f"model {ticket_type['model_version']}")
        expect(item).to_contain_text("The user chose Technical")
        expect(page.locator(".triage-suggestion[data-field=priority]")).to_be_visible()
        screenshot(page, "ticket-triage")
        assert axe_violations(page) == []

        item.get_by_role("button", name="Accept type").click()
        expect(item).to_contain_text("Accepted")
        expect(item.get_by_role("button")).to_have_count(0)

        after = as_agent.rpc("support_suggestions", {"ticket_id": ticket_id}).execute().data
        decision = {s["field"]: s for s in after["suggestions"]}["ticket_type"]["decision"]
        assert (decision["chosen_value"], decision["accepted"], decision["applied"]) == (
            ticket_type["value"], True, True)
        detail = as_agent.rpc("support_ticket", {"ticket_id": ticket_id}).execute().data
        assert (detail["ticket_type"], detail["priority"]) == (ticket_type["value"], "low")
        owner_view = user_client(user).rpc("get_ticket", {"ticket_id": ticket_id}).execute().data
        assert owner_view["ticket_type"] == ticket_type["value"]
        assert "suggest" not in str(owner_view)


def test_an_agent_links_a_likely_duplicate_to_its_problem_in_one_click(
        db, make_user, user_client, make_staff, signed_in):
    word = f"dup{uuid.uuid4().hex[:8]}"
    problem_id = user_client(make_user()).rpc("report_bug", {
        "description": f"Reminders never go off after the iOS update {word}",
    }).execute().data["ticket_id"]
    report_id = user_client(make_user()).rpc("report_bug", {
        "description": f"My reminders do not go off since the iOS update {word}",
    }).execute().data["ticket_id"]
    agent = make_staff()
    page = signed_in(agent, f"#/ticket/{report_id}")
    match = page.locator(".triage-similar").filter(has_text=word)
    expect(match).to_contain_text("Open report")
    match.get_by_role("button", name="Link to this problem").click()
    expect(match).to_contain_text("Linked: the problem has 1 report.")

    similar = user_client(agent).rpc(
        "support_similar_tickets", {"ticket_id": report_id}).execute().data
    linked = [m for m in similar["similar"] if m["ticket_id"] == problem_id]
    assert [(m["is_problem"], m["reports"]) for m in linked] == [(True, 1)]
    assert db.execute("select problem_id::text from public.support_tickets where id = %s",
                      (report_id,)).fetchone() == (problem_id,)
