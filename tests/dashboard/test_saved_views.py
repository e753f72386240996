"""Saved views in the dashboard: an agent builds a view from the queue's filters, saves it, sees
it in the sidebar with its count, runs it and exports it as CSV, then deletes it. The queue
renders from one round of requests and passes axe."""

import csv
import io
import uuid

from dashboard_support import open_counting_requests
from playwright.sync_api import expect


def test_an_agent_builds_saves_counts_and_exports_a_view(
        make_user, user_client, make_staff, signed_in, screenshot, axe_violations):
    word = "sv" + uuid.uuid4().hex[:8]
    user = make_user()
    client = user_client(user)
    for ticket_type, subject in (("billing", f"Charged twice {word}"),
                                 ("billing", f"=SUM(1) refund {word}"),
                                 ("bug", f"Crash {word}")):
        client.rpc("create_support_ticket", {
            "ticket_type": ticket_type, "subject": subject, "description": "Details.",
        }).execute()
    agent = make_staff()
    page = signed_in(agent, bypass_csp=True)  # axe is injected as an inline script

    events = open_counting_requests(page, "#/queue", "Queue")
    sent_first = events.index("done") if "done" in events else len(events)
    assert events[:sent_first].count("sent") == events.count("sent"), events
    expect(page.get_by_role("heading", name="Saved views")).to_be_visible()

    # The queue's filters become the view's conditions.
    page.get_by_role("button", name="Unassigned").click()
    page.get_by_label("Search").fill(word)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_label("Type", exact=True).select_option("billing")
    expect(page.get_by_role("row").filter(has_text=word)).to_have_count(2)

    page.get_by_text("New view from these filters").click()
    page.get_by_label("Name", exact=True).fill(f"Billing {word}")
    expect(page.get_by_label("Condition 1: field")).to_be_visible()
    page.get_by_role("checkbox", name="Waiting on").uncheck()
    page.get_by_role("button", name="Save view").click()

    saved = page.locator(".saved-view", has_text=f"Billing {word}")
    expect(saved).to_have_attribute("aria-pressed", "true")
    expect(saved.locator(".count")).to_have_text("2")
    expect(page.get_by_role("row").filter(has_text=word)).to_have_count(2)
    expect(page.get_by_role("columnheader", name="Waiting on")).to_have_count(0)
    screenshot(page, "queue-saved-views")
    assert axe_violations(page) == []

    # A refusal of the database is shown as it is worded.
    page.get_by_text("New view from these filters").click()
    page.get_by_label("Name", exact=True).fill(f"Broken {word}")
    page.get_by_role("button", name="Add condition").click()
    last = page.locator(".condition").last
    last.get_by_role("combobox").first.select_option("age")
    last.get_by_role("textbox").fill("soon")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".view-form .error-message")).to_contain_text("(age) needs a duration")

    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Export CSV", exact=True).click()
    rows = list(csv.reader(io.StringIO(downloaded.value.path().read_text(encoding="utf-8"))))
    assert rows[0][0] == "Subject" and "Waiting on" not in rows[0]
    assert sorted(row[0] for row in rows[1:]) == sorted(
        [f"Charged twice {word}", f"'=SUM(1) refund {word}"])

    page.get_by_role("button", name=f"Delete view Billing {word}").click()
    expect(page.locator(".saved-view", has_text=f"Billing {word}")).to_have_count(0)
