"""The dashboard's service-level pages in Debian's Chromium against the real stack: the breaching
queue, the numbers, the feedback board and a ticket's attachments.

Figures on the pages are checked against what the API answers the same staff member.
"""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from dashboard_support import figures, open_counting_requests, percent
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def ticket_path(ticket_id: str) -> str:
    return f"#/ticket/{ticket_id}"


def overdue_ticket(db, user_id: str, subject: str) -> str:
    """A high-priority ticket filed two days ago and never answered: its 4 h target is missed."""
    return str(db.execute(
        "insert into public.support_tickets (user_id, ticket_type, subject, description, priority, "
        "created_at, updated_at) values (%s, 'technical', %s, 'Nothing loads.', 'high', "
        "now() - interval '2 days', now() - interval '2 days') returning id",
        (user_id, subject)).fetchone()[0])


def answered_rated_ticket(user_client, user, agent, word: str) -> str:
    """A ticket support answered and resolved and its owner rated 4: times and CSAT to show."""
    ticket_id = user_client(user).rpc("create_support_ticket", {
        "ticket_type": "account", "subject": f"Locked out {word}",
        "description": "The code never arrives."}).execute().data["ticket_id"]
    staff = user_client(agent)
    staff.rpc("support_reply", {"ticket_id": ticket_id, "body": "A new code is on its way."}
              ).execute()
    updated_at = staff.rpc("support_ticket", {"ticket_id": ticket_id}).execute().data["updated_at"]
    staff.rpc("support_update_ticket", {
        "ticket_id": ticket_id, "status": "resolved", "resolution": "Sent a new code.",
        "expected_updated_at": updated_at}).execute()
    user_client(user).rpc("rate_ticket", {"ticket_id": ticket_id, "rating": 4}).execute()
    return ticket_id


def shown(value: object) -> str:
    """A figure as the page prints it (JavaScript's String of the JSON number)."""
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def test_the_breaching_view_lists_an_overdue_ticket_and_not_a_fresh_one(
        db, make_user, user_client, make_staff, signed_in, screenshot):
    user = make_user()
    word = f"breach{uuid.uuid4().hex[:8]}"
    overdue_id = overdue_ticket(db, user.id, f"Dashboard blank {word}")
    user_client(user).rpc("create_support_ticket", {
        "ticket_type": "technical", "subject": f"Dashboard slow {word}",
        "description": "Pages take long."}).execute()
    agent = make_staff()
    page = signed_in(agent)

    page.get_by_role("button", name="Breaching SLA").click()
    expect(page.get_by_role("button", name="Breaching SLA")).to_have_attribute(
        "aria-pressed", "true")
    expect(page.get_by_label("Sort")).to_have_value("due")
    expect(page.get_by_label("SLA", exact=True)).to_have_value("true")
    page.get_by_label("Search", exact=True).fill(word)
    page.get_by_label("Search", exact=True).press("Enter")
    rows = page.get_by_role("row").filter(has_text=word)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Dashboard blank")
    expect(rows).to_contain_text("Breached")
    # First response was due 4 h after filing, two days ago: about 44 h overdue.
    expect(rows.locator("td[data-label=Due]")).to_contain_text(" h overdue")
    due = rows.locator("td[data-label=Due] time").get_attribute("datetime")
    assert due == user_client(agent).rpc("support_queue", {
        "q": word, "breached": "true"}).execute().data["tickets"][0]["next_due_at"]
    screenshot(page, "queue-breaching")

    # The fresh ticket is in the queue, its first answer due in a day, not breached.
    page.get_by_role("button", name="All open").click()
    expect(page.get_by_role("row").filter(has_text=word)).to_have_count(2)
    fresh = page.get_by_role("row").filter(has_text="Dashboard slow")
    expect(fresh.locator("td[data-label=Due]")).to_contain_text("in ")
    expect(fresh).not_to_contain_text("Breached")
    assert overdue_id in page.get_by_role("row").filter(has_text="Dashboard blank").get_attribute(
        "data-id")


def test_the_numbers_page_charts_what_support_stats_answers(
        db, make_user, user_client, make_staff, signed_in, screenshot):
    user, agent = make_user(), make_staff()
    word = uuid.uuid4().hex[:8]
    answered_rated_ticket(user_client, user, agent, word)
    overdue_ticket(db, user.id, f"Old ticket {word}")
    page = signed_in(agent, "#/numbers")
    expect(page.get_by_role("heading", name="Numbers", exact=True)).to_be_visible()
    expect(page.locator("#csat-figures")).to_be_visible()

    since = page.locator("#numbers-window-text time").first.get_attribute("datetime")
    stats = user_client(agent).rpc("support_stats", {"since": since}).execute().data
    assert stats["since"] == since

    # Every chart is drawn by Chart.js on its canvas, and named for screen readers.
    for chart in ("volume", "times", "sla", "csat", "backlog"):
        canvas = page.locator(f"#{chart}-chart")
        assert page.evaluate("(id) => Boolean(Chart.getChart(id))", f"{chart}-chart"), chart
        assert canvas.get_attribute("role") == "img"
        assert canvas.get_attribute("aria-label")

    per_type: dict[str, int] = {}
    for row in stats["tickets_per_day"]:
        per_type[row["ticket_type"]] = per_type.get(row["ticket_type"], 0) + row["count"]
    types = ["bug", "technical", "billing", "account", "other"]
    assert figures(page, "volume-figures")["Total"] == [
        str(per_type.get(t, 0)) for t in types] + [str(sum(per_type.values()))]
    assert per_type["account"] >= 1 and per_type["technical"] >= 1
    days = {day: cells for day, cells in figures(page, "volume-figures").items() if day != "Total"}
    assert sorted(days) == sorted({row["day"] for row in stats["tickets_per_day"]})

    times = figures(page, "times-figures")
    for name, part in (("First response", "first_response"), ("Resolution", "resolution")):
        answer = stats[part]
        assert times[name] == [str(answer["count"]), shown(answer["median_minutes"]),
                               shown(answer["p90_minutes"])]
    assert stats["first_response"]["count"] >= 1 and stats["resolution"]["count"] >= 1

    sla = stats["sla"]
    assert figures(page, "sla-figures") == {
        "Filed": [str(sla["tickets"])], "Breached": [str(sla["breached"])],
        "Breach rate": [percent(sla["breach_rate"])]}
    assert sla["breached"] >= 1
    csat = stats["csat"]
    assert figures(page, "csat-figures") == {
        "Ratings": [str(csat["count"])], "Average (of 5)": [shown(csat["average"])]}
    backlog = stats["backlog"]
    assert figures(page, "backlog-status-figures") == {
        "Open": [str(backlog["by_status"]["open"])],
        "In progress": [str(backlog["by_status"]["in_progress"])]}
    assert figures(page, "backlog-priority-figures") == {
        name.title(): [str(backlog["by_priority"][name])]
        for name in ("urgent", "high", "medium", "low")}
    # An agent is not shown the dead notifications (admins only).
    expect(page.get_by_role("heading", name="Undelivered notifications")).to_have_count(0)
    screenshot(page, "numbers-desktop")

    # Another window asks again, from the first of its UTC days.
    page.get_by_label("Window", exact=True).select_option("7")
    first_day = (datetime.now(UTC) - timedelta(days=6)).strftime("%Y-%m-%dT00:00:00Z")
    expect(page.locator("#numbers-window-text time").first).to_have_attribute(
        "datetime", first_day)


def test_admins_see_how_many_notifications_died_and_how_to_retry(db, make_staff, signed_in):
    dead_id = db.execute(
        "insert into public.dead_notifications (msg_id, message, attempts, reason) "
        "values (0, %s, 5, 'email: SMTP refused') returning id",
        (json.dumps({"kind": "ticket.reply"}),)).fetchone()[0]
    try:
        dead = db.execute("select count(*) from public.dead_notifications").fetchone()[0]
        page = signed_in(make_staff("admin"), "#/numbers")
        card = page.locator("section.dead")
        expect(card.locator(".dead-count")).to_have_text(
            f"{dead} notification{'' if dead == 1 else 's'} could not be delivered.")
        expect(card).to_contain_text("select public.retry_dead_notification('<id>');")
    finally:
        db.execute("delete from public.dead_notifications where id = %s", (dead_id,))


def test_the_feedback_board_groups_by_feature_and_a_status_change_reaches_the_user(
        make_user, user_client, make_staff, signed_in, screenshot):
    user = make_user()
    feature = f"Dark mode {uuid.uuid4().hex[:6]}"
    client = user_client(user)
    for rating, text in ((5, "Please add a dark theme."), (4, "My eyes hurt at night.")):
        client.rpc("submit_feedback", {"category": "feature_request", "description": text,
                                       "rating": rating, "feature_name": feature}).execute()
    agent = make_staff()
    page = signed_in(agent, "#/feedback")
    group = page.locator("section.feedback-group").filter(
        has=page.get_by_role("heading", name=feature, exact=True))
    expect(group.locator(".feedback-entry")).to_have_count(2)
    answer = user_client(agent).rpc("support_feedback_queue", {"limit": "100"}).execute().data
    [counted] = [f for f in answer["features"] if f["feature_name"] == feature]
    assert (counted["count"], float(counted["average_rating"])) == (2, 4.5)
    expect(group.locator(".group-summary")).to_have_text("2 entries · average rating 4.5")
    screenshot(page, "feedback-desktop")

    # (has_text would match the other entry too: its "Duplicate of" choices quote this one.)
    entry = group.locator(".feedback-entry").filter(
        has=page.locator("p.body", has_text="My eyes hurt at night."))
    entry.get_by_label("Status").select_option("planned")
    # A response is one person's: the page says so (shipping a feature copies it to no one).
    response = entry.get_by_label("Response to this person only")
    expect(response).to_have_accessible_description(re.compile(
        r"^Only the person who wrote this entry reads it\. When a feature ships, the other "
        r"entries of that feature keep their own response"))
    response.fill("On the roadmap for the spring release.")
    entry.get_by_role("button", name="Save").click()
    expect(entry.locator(".badge").first).to_have_text("Planned")

    listed = client.rpc("list_my_feedback", {}).execute().data["feedback"]
    mine = {entry["description"]: entry for entry in listed}
    assert (mine["My eyes hurt at night."]["status"],
            mine["My eyes hurt at night."]["admin_response"]) == (
        "planned", "On the roadmap for the spring release.")
    assert mine["Please add a dark theme."]["status"] == "received"

    # From planned, the moves public.feedback_transitions gives support by hand, and no other.
    expect(entry.get_by_label("Status").locator("option")).to_have_text(
        ["Planned (current)", "In progress", "Declined"])


def test_a_ticket_page_lists_its_attachments_and_marks_the_internal_ones(
        stack, db, make_user, user_client, make_staff, signed_in, contexts, screenshot,
        axe_violations):
    user, agent = make_user(), make_staff()
    ticket_id = user_client(user).rpc("create_support_ticket", {
        "ticket_type": "bug", "subject": "Export crashes", "description": "See the log."}
    ).execute().data["ticket_id"]
    note = user_client(agent).rpc("support_reply", {
        "ticket_id": ticket_id, "body": "Trace attached.", "internal": True}).execute().data
    files = [(user.id, f"{user.id}/{ticket_id}/crash.png", "image/png", 48213, None),
             (agent.id, f"staff/{ticket_id}/trace.txt", "text/plain", 900, note["message_id"])]
    for owner, path, mimetype, size, message_id in files:
        # What the Storage API writes once it has stored a file (there is no Storage server here).
        db.execute("insert into storage.objects (bucket_id, name, owner, owner_id, metadata) "
                   "values ('support-attachments', %s, %s, %s, %s)",
                   (path, owner, owner, json.dumps({"size": size, "mimetype": mimetype})))
        linker = user if owner == user.id else agent
        user_client(linker).table("ticket_attachments").insert(
            {"ticket_id": ticket_id, "object_name": path, "message_id": message_id}).execute()

    page = signed_in(agent, ticket_path(ticket_id), bypass_csp=True)
    items = page.locator(".attachments li")
    expect(page.get_by_role("heading", name="Attachments (2)")).to_be_visible()
    expect(items.nth(0)).to_contain_text("crash.png")
    expect(items.nth(0)).to_contain_text("image/png · 47.1 KiB")
    expect(items.nth(0)).not_to_contain_text("staff only")
    expect(items.nth(0)).to_contain_text(f"support-attachments/{user.id}/{ticket_id}/crash.png")
    expect(items.nth(1)).to_contain_text("trace.txt")
    expect(items.nth(1)).to_contain_text("text/plain · 900 B")
    expect(items.nth(1)).to_contain_text("On an internal note · staff only")
    expect(page.locator(".storage-note")).to_contain_text("no Storage server")
    screenshot(page, "ticket-attachments")
    assert axe_violations(page) == []

    # With a project's config, a file downloads through a signed URL asked of the Storage API.
    hosted = (f"window.SUPPORT_DASHBOARD_CONFIG = {{supabaseUrl: '{stack.gateway_url}', "
              f"anonKey: '{stack.anon_key}', localSignIn: true, storageServer: true}};")
    context = contexts(bypass_csp=True)
    context.route("**/dashboard/config.js", lambda route: route.fulfill(
        body=hosted, content_type="text/javascript"))
    hosted_page = context.new_page()
    hosted_page.goto(f"{stack.gateway_url}/dashboard/#access_token={agent.jwt}")
    hosted_page.get_by_text(agent.email).wait_for()
    hosted_page.goto(f"{stack.gateway_url}/dashboard/{ticket_path(ticket_id)}")
    expect(hosted_page.locator(".storage-note")).to_have_count(0)
    with hosted_page.expect_request("**/storage/v1/object/sign/**") as signing:
        hosted_page.get_by_role("button", name="Download crash.png").click()
    assert signing.value.url.endswith(f"/support-attachments/{user.id}/{ticket_id}/crash.png")
    assert signing.value.headers["authorization"] == f"Bearer {agent.jwt}"
    # This stack has no Storage server to answer: the page says what came back.
    expect(hosted_page.locator(".attachments [role=alert]")).to_be_visible()


def test_the_numbers_and_feedback_pages_render_from_one_round_of_requests(make_staff, signed_in):
    page = signed_in(make_staff("admin"))
    page.get_by_role("row").first.wait_for()
    for path, heading, requests in (("#/numbers", "Numbers", 4), ("#/feedback", "Feedback", 3)):
        events = open_counting_requests(page, path, heading)
        # Every request starts before the first answer: the numbers, the staff list, the
        # dead-notification count and the triage report; the feedback queue, the moves and the
        # page's category suggestions.
        assert events.count("sent") == requests, (path, events)
        assert "done" not in events[:requests], (path, events)


@pytest.mark.parametrize(("viewport_name", "viewport"), [
    ("desktop", {"width": 1280, "height": 800}),
    ("phone", PHONE),
])
def test_no_serious_accessibility_violation_on_the_new_pages(
        db, make_user, user_client, make_staff, signed_in, screenshot, axe_violations,
        viewport_name, viewport):
    user = make_user()
    overdue_ticket(db, user.id, f"Overdue {uuid.uuid4().hex[:8]}")
    user_client(user).rpc("submit_feedback", {
        "category": "improvement", "description": "Bigger buttons, please.", "rating": 3,
        "feature_name": "Accessibility"}).execute()
    page = signed_in(make_staff("admin"), viewport=viewport, bypass_csp=True)

    page.get_by_role("button", name="Breaching SLA").click()
    expect(page.get_by_role("row").filter(has_text="Breached").first).to_be_visible()
    assert axe_violations(page) == []

    page.goto(page.url.split("#")[0] + "#/numbers")
    expect(page.locator("#backlog-priority-figures")).to_be_visible()
    if viewport_name == "phone":
        screenshot(page, "numbers-phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], "the numbers page does not scroll sideways on a phone"
    assert axe_violations(page) == []

    page.goto(page.url.split("#")[0] + "#/feedback")
    expect(page.locator(".feedback-entry").first).to_be_visible()
    if viewport_name == "phone":
        screenshot(page, "feedback-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert axe_violations(page) == []
