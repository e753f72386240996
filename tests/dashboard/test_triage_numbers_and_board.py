"""Auto-triage on the Numbers page and the feedback board, in Debian's Chromium against the real
stack and its support-triage worker: the Numbers page shows what support_triage_report answers
and says whether shadow mode is on; the board shows each entry's suggested category only out of
shadow mode, an agent accepts it in one click and the API holds the label while the person's
category stays; both pages still render from one round of requests and pass axe.
"""

import uuid

from dashboard_support import figures, open_counting_requests, percent
from playwright.sync_api import Page, expect
from triage_support import shadow_mode_off, wait_for_suggestions

CATEGORIES = {"feature_request": "Feature request", "improvement": "Improvement",
              "complaint": "Complaint", "praise": "Praise", "other": "Other"}
KINDS = {"ticket_type": "Ticket type", "priority": "Priority", "category": "Feedback category"}


def report_figures(report: dict) -> dict[str, list[str]]:
    return {KINDS[kind["field"]]: [
        str(kind["suggestions"]), str(kind["decided"]), str(kind["accepted"]),
        percent(kind["acceptance_rate"]), percent(kind["agreement_rate"])]
        for kind in report["kinds"]}


def model_figures(report: dict) -> dict[str, list[str]]:
    """The latest run per kind, without the training time (the page prints it localised)."""
    return {KINDS[run["field"]]: [
        run["model_version"], str(run["examples"]), str(run["staff_labels"]),
        str(run["held_out"]), percent(run["held_out_accuracy"])]
        for run in report["model"]}


def shown_model_figures(page: Page) -> dict[str, list[str]]:
    shown = figures(page, "triage-model-figures")
    return {kind: cells[:1] + cells[2:] for kind, cells in shown.items()}


def test_the_numbers_page_shows_what_support_triage_report_answers(
        db, make_user, user_client, make_staff, signed_in, screenshot, axe_violations):
    user = make_user()
    ticket_id = user_client(user).rpc("create_support_ticket", {
        "ticket_type": "technical", "priority": "low",
        "subject": f"Reminder never fires {uuid.uuid4().hex[:8]}",
        "description": "The reminder for my dentist appointment did not go off.",
    }).execute().data["ticket_id"]
    wait_for_suggestions(db, [("ticket", ticket_id)])
    agent = make_staff()
    as_agent = user_client(agent)

    page = signed_in(agent, "#/numbers", bypass_csp=True)
    expect(page.locator("#triage-kinds-figures")).to_be_visible()
    expect(page.locator("#triage-shadow")).to_contain_text("Shadow mode is on")
    report = as_agent.rpc("support_triage_report", {"days": 30}).execute().data
    assert report["shadow_mode"] is True
    assert figures(page, "triage-kinds-figures") == report_figures(report)
    assert int(figures(page, "triage-kinds-figures")["Ticket type"][0]) >= 1
    assert report["model"], "the stack's worker trains a model at start"
    assert shown_model_figures(page) == model_figures(report)

    with shadow_mode_off(db):
        shown = as_agent.rpc("support_suggestions", {"ticket_id": ticket_id}).execute().data
        priority = {s["field"]: s for s in shown["suggestions"]}["priority"]
        as_agent.rpc("support_decide_suggestion",
                     {"suggestion_id": priority["suggestion_id"]}).execute()
        page.reload()
        expect(page.locator("#triage-shadow")).to_contain_text("Shadow mode is off")
        report = as_agent.rpc("support_triage_report", {"days": 30}).execute().data
        assert figures(page, "triage-kinds-figures") == report_figures(report)
        decided = {kind["field"]: kind for kind in report["kinds"]}["priority"]
        assert decided["decided"] >= 1 and decided["accepted"] >= 1
        screenshot(page, "numbers-triage")
        assert axe_violations(page) == []

        # The window chooser asks the report for the same days.
        page.get_by_label("Window", exact=True).select_option("7")
        expect(page.locator("#triage-kinds-figures caption")).to_have_text(
            "Suggestions made in the last 7 days")
        week = as_agent.rpc("support_triage_report", {"days": 7}).execute().data
        assert figures(page, "triage-kinds-figures") == report_figures(week)


def test_an_agent_accepts_a_feedback_category_suggestion_on_the_board(
        db, make_user, user_client, make_staff, signed_in, screenshot, axe_violations):
    user = make_user()
    feature = f"Yearly view {uuid.uuid4().hex[:6]}"
    # Not the word "calendar": pgTAP 74 searches for it and expects its own entry only.
    feedback_id = user_client(user).rpc("submit_feedback", {
        "category": "other", "feature_name": feature, "rating": 4,
        "description": "Please add a yearly view so I can plan my holidays ahead.",
    }).execute().data["feedback_id"]
    wait_for_suggestions(db, [("feedback", feedback_id)])
    agent = make_staff()
    as_agent = user_client(agent)

    page = signed_in(agent, "#/feedback", bypass_csp=True)
    entry = page.locator(f".feedback-entry[data-id='{feedback_id}']")
    expect(entry).to_be_visible()
    page.wait_for_load_state("networkidle")
    # Shadow mode (the default): stored, shown to nobody.
    expect(entry.locator(".feedback-suggestion")).to_have_count(0)

    with shadow_mode_off(db):
        # Each page from one round, its suggestions shown: every request is sent before the first
        # answer (the Numbers page's four: stats, staff, dead count, triage report; the board's
        # three: queue, moves, the page's suggestions).
        for path, heading, requests in (("#/numbers", "Numbers", 4), ("#/feedback", "Feedback", 3)):
            events = open_counting_requests(page, path, heading)
            assert events.count("sent") == requests, (path, events)
            assert "done" not in events[:requests], (path, events)
        [suggestion] = as_agent.rpc(
            "support_suggestions", {"feedback_id": feedback_id}).execute().data["suggestions"]
        assert suggestion["decision"] is None and suggestion["current_value"] == "other"
        board = as_agent.rpc("support_feedback_suggestions", {"limit": "100"}).execute().data
        assert [s for s in board["suggestions"] if s["feedback_id"] == feedback_id] == [
            {"feedback_id": feedback_id, **suggestion}]

        shown = entry.locator(".feedback-suggestion")
        label = CATEGORIES[suggestion["value"]]
        expect(shown.locator("strong")).to_have_text(f"Suggested category: {label}")
        expect(shown).to_contain_text(f"{percent(suggestion['confidence'])} confident")
        expect(shown).to_contain_text(f"model {suggestion['model_version']}")
        screenshot(page, "feedback-triage")
        assert axe_violations(page) == []

        shown.get_by_role("button", name=f"Accept {label}").click()
        expect(shown).to_contain_text("Accepted")
        expect(shown.get_by_role("button")).to_have_count(0)

        [after] = as_agent.rpc(
            "support_suggestions", {"feedback_id": feedback_id}).execute().data["suggestions"]
        assert (after["decision"]["chosen_value"], after["decision"]["accepted"],
                after["decision"]["applied"]) == (suggestion["value"], True, False)
        assert db.execute(
            "select chosen_value, accepted from public.triage_labels where feedback_id = %s",
            (feedback_id,)).fetchall() == [(suggestion["value"], True)]
        # The person's category stays as they chose it, on the board and for them.
        assert as_agent.rpc("support_feedback", {"feedback_id": feedback_id}).execute().data[
            "category"] == "other"
        mine = user_client(user).rpc("list_my_feedback", {}).execute().data["feedback"]
        assert [(f["category"], "suggest" in str(f)) for f in mine] == [("other", False)]
