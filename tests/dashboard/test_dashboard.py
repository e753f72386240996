"""The support dashboard in Debian's Chromium against the real stack: what a person sees.

Each test is one task of a support agent; every refusal it meets comes from the database.
"""

import re
import time
import uuid

import psycopg
import pytest
from playwright.sync_api import Page, expect


def file_ticket(user_client, user, word: str, **fields: object) -> str:
    body = {"ticket_type": "billing", "subject": f"Charged twice {word}",
            "description": f"The invoice shows two charges ({word}).", **fields}
    return user_client(user).rpc("create_support_ticket", body).execute().data["ticket_id"]


def ticket_path(ticket_id: str) -> str:
    return f"#/ticket/{ticket_id}"


def meta(page: Page):
    return page.locator(".ticket-meta")


def test_the_runner_prints_sign_in_links_that_open_the_queue(stack, contexts, screenshot):
    if stack.state_dir is None:
        pytest.skip("the sign-in links are printed by the local runner only")
    printed = (stack.state_dir.parent / f"{stack.state_dir.name}.out").read_text()
    for email in ("agent@example.com", "admin@example.com"):
        link = re.search(rf"{re.escape(email)}: (\S+)", printed).group(1)
        page = contexts().new_page()
        page.goto(link)
        expect(page.get_by_role("heading", name="Queue")).to_be_visible()
        expect(page.locator("#who")).to_contain_text(email)
        # The seed's open, unassigned tickets, with who asked and whose turn it is.
        row = page.get_by_role("row").filter(has_text="Cannot change my email address")
        expect(row).to_contain_text("demo@example.com")
        expect(row).to_contain_text("Support")
        assert "access_token" not in page.url, "the token leaves the address bar at once"


def test_without_a_session_the_page_says_how_to_sign_in(stack, contexts):
    page = contexts().new_page()
    page.goto(f"{stack.gateway_url}/dashboard/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("sign-in links that `make dev` printed")).to_be_visible()


def test_on_a_hosted_project_staff_sign_in_through_supabase_auth(
        stack, contexts, screenshot, axe_violations):
    # The config a hosted project's config.js has; this stack has no Auth server, so the
    # sign-in request fails, and the page shows the answer as it came.
    hosted = (f"window.SUPPORT_DASHBOARD_CONFIG = {{supabaseUrl: '{stack.gateway_url}', "
              f"anonKey: '{stack.anon_key}', localSignIn: false}};")
    page = contexts(bypass_csp=True).new_page()
    page.route("**/dashboard/config.js", lambda route: route.fulfill(
        body=hosted, content_type="text/javascript"))
    auth_requests: list[str] = []
    page.on("request", lambda r: "/auth/v1/" in r.url and auth_requests.append(r.url))
    page.goto(f"{stack.gateway_url}/dashboard/")
    page.get_by_label("Email").fill("agent@example.com")
    page.get_by_label("Password").fill("not-a-real-password")
    screenshot(page, "sign-in-hosted")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert any("/auth/v1/token" in url for url in auth_requests)


def test_an_agent_triages_a_ticket_and_the_user_sees_the_reply_never_the_note(
        stack, make_user, user_client, make_staff, signed_in, screenshot):
    user = make_user()
    word = f"triage{uuid.uuid4().hex[:10]}"
    ticket_id = file_ticket(user_client, user, word)
    agent = make_staff()
    page = signed_in(agent)

    # Find it by search, with the keyboard: / to search, j to the first row, Enter to open.
    page.keyboard.press("/")
    expect(page.get_by_label("Search", exact=True)).to_be_focused()
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    row = page.get_by_role("row").filter(has_text=word)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(user.email)
    expect(row).to_contain_text("Billing")
    expect(row).to_contain_text("Support")  # waiting on support: nobody answered yet
    screenshot(page, "queue-desktop")
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(row.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Charged twice {word}")).to_be_visible()
    assert page.url.endswith(ticket_path(ticket_id))

    page.get_by_label("Internal note (staff only)").check()
    page.get_by_label("Message", exact=True).fill(f"Annual plan, check with billing {word}")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator(".message.internal")).to_contain_text("Annual plan, check with billing")
    expect(page.locator(".message.internal")).to_contain_text("Internal note · staff only")

    page.get_by_label("Message", exact=True).fill("We refunded the duplicate charge.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".message.from-agent")).to_contain_text("We refunded the duplicate charge.")

    page.get_by_role("button", name="Assign to me").click()
    expect(meta(page)).to_contain_text(f"Assignee: {agent.display_name}")

    status = page.get_by_label("Status", exact=True)
    expect(status.locator("option")).to_have_text(["Open (current)", "In progress", "Resolved"])
    status.select_option("resolved")
    expect(page.get_by_label("Resolution", exact=True)).to_have_attribute("required", "")
    page.get_by_label("Resolution", exact=True).fill("Refunded the duplicate charge.")
    page.get_by_role("button", name="Save changes").click()
    expect(meta(page)).to_contain_text("Resolved")
    expect(page.locator(".timeline")).to_contain_text("changed status from Open to Resolved")
    expect(page.locator(".timeline")).to_contain_text(f"assigned it to {agent.display_name}")
    screenshot(page, "ticket-desktop")

    seen = user_client(user).rpc("get_ticket", {"ticket_id": ticket_id}).execute().data
    assert [m["body"] for m in seen["messages"]] == ["We refunded the duplicate charge."]
    assert (seen["status"], seen["resolution"]) == ("resolved", "Refunded the duplicate charge.")
    if stack.log_dir:
        for log in stack.log_dir.iterdir():
            assert word not in log.read_text(errors="replace"), f"ticket content in {log.name}"


def test_admin_notes_are_shown_as_a_note_the_user_reads_not_as_internal(
        make_user, user_client, make_staff, signed_in):
    user = make_user()
    ticket_id = file_ticket(user_client, user, f"notes{uuid.uuid4().hex[:10]}")
    agent = make_staff()
    user_client(agent).rpc("support_update_ticket", {
        "ticket_id": ticket_id, "admin_notes": "Refund issued on the 3rd"}).execute()
    # The contract returns the field to the ticket's owner.
    assert user_client(user).rpc("get_ticket", {"ticket_id": ticket_id}).execute().data[
        "admin_notes"] == "Refund issued on the 3rd"

    page = signed_in(agent, ticket_path(ticket_id))
    notes = page.locator(".report div").filter(has_text="Refund issued on the 3rd")
    expect(notes.get_by_role("heading")).to_have_text("Admin notes · the user reads them")
    expect(page.locator(".report")).not_to_contain_text(re.compile("internal", re.IGNORECASE))
    expect(page.locator(".report .internal-block, .report .internal")).to_have_count(0)


def test_a_refused_move_shows_the_database_message(
        db, make_user, user_client, make_staff, signed_in, screenshot):
    ticket_id = file_ticket(user_client, make_user(), f"refused{uuid.uuid4().hex[:8]}")
    page = signed_in(make_staff(), ticket_path(ticket_id))
    status = page.get_by_label("Status", exact=True)
    expect(status.locator("option")).to_have_text(["Open (current)", "In progress", "Resolved"])
    # An admin takes the move away while the page is open: the database refuses it, in its words.
    removed = db.execute(
        "delete from public.ticket_transitions where from_status = 'open' "
        "and to_status = 'in_progress' and actor_kind = 'agent' returning *").fetchone()
    try:
        status.select_option("in_progress")
        page.get_by_role("button", name="Save changes").click()
        alert = page.locator(".controls-form [role=alert]")
        expect(alert).to_contain_text("A ticket cannot move from open to in_progress")
        expect(alert).to_contain_text("See public.ticket_transitions for the allowed moves.")
        screenshot(page, "ticket-refused-move")
    finally:
        db.execute("insert into public.ticket_transitions values (%s, %s, %s, %s, %s, %s, %s)",
                   removed)
    assert db.execute("select status from public.support_tickets where id = %s",
                      (ticket_id,)).fetchone()[0] == "open"


def test_two_agents_change_one_ticket_and_the_second_sees_the_conflict(
        db, make_user, user_client, make_staff, signed_in, screenshot):
    ticket_id = file_ticket(user_client, make_user(), f"conflict{uuid.uuid4().hex[:8]}")
    first = signed_in(make_staff(), ticket_path(ticket_id))
    second = signed_in(make_staff(), ticket_path(ticket_id))
    expect(second.get_by_label("Priority", exact=True)).to_have_value("medium")

    first.get_by_label("Priority", exact=True).select_option("high")
    first.get_by_role("button", name="Save changes").click()
    expect(meta(first)).to_contain_text("High")

    # Support rewords the refusal: the page knows it by its code, never by its words.
    db.execute("update public.support_messages set message = 'Someone else saved it first' "
               "where topic = 'ticket_changed'")
    try:
        second.get_by_label("Priority", exact=True).select_option("urgent")
        second.get_by_role("button", name="Save changes").click()
        alert = second.locator(".controls-form [role=alert]")
        expect(alert).to_contain_text("Changed by someone else — reload")
        expect(alert).to_contain_text("Someone else saved it first")
    finally:
        db.execute("update public.support_messages set message = "
                   "'The ticket was changed by someone else since you read it' "
                   "where topic = 'ticket_changed'")
    screenshot(second, "ticket-conflict")
    assert db.execute("select priority from public.support_tickets where id = %s",
                      (ticket_id,)).fetchone()[0] == "high"

    alert.get_by_role("button", name="Reload").click()
    expect(second.get_by_label("Priority", exact=True)).to_have_value("high")


def test_an_agent_removed_from_staff_is_refused_on_the_next_action(
        db, make_user, user_client, make_staff, signed_in):
    ticket_id = file_ticket(user_client, make_user(), f"removed{uuid.uuid4().hex[:8]}")
    agent = make_staff()
    page = signed_in(agent, ticket_path(ticket_id))
    expect(page.get_by_role("button", name="Send reply")).to_be_visible()
    db.execute("delete from public.support_staff where user_id = %s", (agent.id,))

    page.get_by_label("Message", exact=True).fill("Still here?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".composer [role=alert]")).to_contain_text("Only support staff can do this")
    assert db.execute("select count(*) from public.ticket_messages where ticket_id = %s",
                      (ticket_id,)).fetchone()[0] == 0
    page.goto(page.url.split("#")[0] + "#/queue")
    expect(page.get_by_role("alert")).to_contain_text("Only support staff can do this")


def test_the_queue_refreshes_on_its_own(make_user, user_client, make_staff, contexts, stack):
    agent = make_staff()
    page = contexts().new_page()
    page.clock.install()
    page.goto(f"{stack.gateway_url}/dashboard/#access_token={agent.jwt}")
    page.get_by_role("row").first.wait_for()
    word = f"polled{uuid.uuid4().hex[:8]}"
    file_ticket(user_client, make_user(), word)
    expect(page.get_by_role("row").filter(has_text=word)).to_have_count(0)
    page.clock.run_for(31_000)
    expect(page.get_by_role("row").filter(has_text=word)).to_have_count(1)


def rest_calls_in_order(page: Page, action) -> list[tuple[str, str]]:
    """The REST requests `action` sends and their ends, in order, after all of them ended: a
    request still running from an earlier action is not counted, and none spills into the next."""
    events: list[tuple[str, str]] = []
    running: set = set()
    # The same request again is the dashboard's retry after a fair-share 429, not a new one.
    seen: set[tuple[str, str, str | None]] = set()

    def sent(request) -> None:
        key = (request.method, request.url, request.post_data)
        if "/rest/v1/" in request.url and key not in seen:
            seen.add(key)
            running.add(request)
            events.append(("sent", request.url))

    def ended(request) -> None:
        if request in running:
            running.discard(request)
            events.append(("done", request.url))

    page.on("request", sent)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    action()
    for _ in range(200):
        if not running:
            break
        page.wait_for_timeout(50)
    page.remove_listener("request", sent)
    page.remove_listener("requestfinished", ended)
    page.remove_listener("requestfailed", ended)
    assert not running, events
    return events


def test_each_page_renders_from_one_round_of_requests(
        make_user, user_client, make_staff, signed_in):
    ticket_id = file_ticket(user_client, make_user(), f"round{uuid.uuid4().hex[:8]}")
    agent = make_staff()
    page = signed_in(agent)
    page.get_by_role("row").first.wait_for()

    def open_ticket() -> None:
        page.goto(page.url.split("#")[0] + ticket_path(ticket_id))
        expect(page.locator(".timeline li")).to_have_count(1)
        time.sleep(0.3)  # nothing may follow the render

    def back_to_queue() -> None:
        page.get_by_role("link", name="← Queue").click()
        page.get_by_role("row").first.wait_for()
        time.sleep(0.3)

    # The ticket page: the ticket, the moves, the staff, triage's two (dashboard/triage.js), the
    # macros, the tag list and the field definitions (dashboard/macros.js), the rules' runs on it,
    # the first presence heartbeat (dashboard/presence.js) and the help articles that may answer
    # it (dashboard/articles.js).
    for action, requests in ((open_ticket, 11), (back_to_queue, 4)):
        events = rest_calls_in_order(page, action)
        sent = [i for i, (kind, _) in enumerate(events) if kind == "sent"]
        first_done = next(i for i, (kind, _) in enumerate(events) if kind == "done")
        assert len(sent) == requests and max(sent) < first_done, events


def test_a_page_of_many_requests_waits_its_turn_under_the_fair_share_limit(
        stack, make_user, user_client, make_staff, signed_in, db):
    ticket_id = file_ticket(user_client, make_user(), f"turn{uuid.uuid4().hex[:8]}")
    agent = make_staff()
    page = signed_in(agent)
    refusals: list[str] = []
    page.on("response", lambda response: refusals.append(response.url)
            if response.status == 429 else None)
    limits = db.execute("select max_concurrent_reads, max_concurrent_writes "
                        "from public.request_limits where role = 'authenticated'").fetchone()
    # One request at a time, and that one slot held here for a moment (the advisory locks
    # api_guard.check_request takes): every request the ticket page sends meets a 429 first,
    # and is sent again until it is answered; nothing of the refusal reaches the page.
    db.execute("update public.request_limits set max_concurrent_reads = 1, "
               "max_concurrent_writes = 1 where role = 'authenticated'")
    slot_keys = [f"support_api.fair_share:{kind}:sub:{agent.id}" for kind in ("read", "write")]
    holder = psycopg.connect(stack.db_url, autocommit=True)
    try:
        for key in slot_keys:
            holder.execute("select pg_advisory_lock(hashtextextended(%s, 1))", (key,))
        page.goto(page.url.split("#")[0] + ticket_path(ticket_id))
        for _ in range(250):  # until a request of the page met the held slot
            if refusals:
                break
            page.wait_for_timeout(20)
        holder.close()  # the slot is free again
        expect(page.locator(".timeline li")).to_have_count(1)
        expect(page.get_by_role("heading", name="Help articles")).to_be_visible()
        expect(page.get_by_role("alert")).to_have_count(0)
    finally:
        holder.close()
        db.execute("update public.request_limits set max_concurrent_reads = %s, "
                   "max_concurrent_writes = %s where role = 'authenticated'", limits)
    assert refusals, "holding the only slot refused none of the page's requests"


@pytest.mark.parametrize(("viewport_name", "viewport"), [
    ("desktop", {"width": 1280, "height": 800}),
    ("phone", {"width": 390, "height": 844}),
])
def test_no_serious_accessibility_violation_on_any_page(
        stack, make_user, user_client, make_staff, contexts, screenshot, axe_violations,
        viewport_name, viewport):
    user = make_user()
    word = uuid.uuid4().hex[:8]
    bug = user_client(user).rpc("report_bug", {
        "description": f"Dates in the calendar are one day off ({word})",
        "steps_to_reproduce": "1. Open the calendar\n2. Look at tomorrow",
        "expected_behavior": "Tomorrow's events", "actual_behavior": "The day after's events",
        "device_info": "Pixel 8, Android 15", "app_version": "1.2.0",
        "screenshot_urls": ["https://example.com/shots/calendar.png"],
    }).execute().data["ticket_id"]
    agent = make_staff()
    user_client(user).rpc("reply_to_ticket", {"ticket_id": bug, "body": "It happens every morning."}
                          ).execute()
    user_client(agent).rpc("support_reply", {"ticket_id": bug, "body": "Timezone applied twice.",
                                             "internal": True}).execute()

    context = contexts(viewport=viewport, bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.goto(f"{stack.gateway_url}/dashboard/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, f"sign-in-{viewport_name}")
    assert axe_violations(page) == []

    page.goto(f"{stack.gateway_url}/dashboard/#access_token={agent.jwt}")
    page.get_by_role("row").first.wait_for()
    if viewport_name == "phone":
        screenshot(page, "queue-phone")
    assert axe_violations(page) == []

    page.goto(f"{stack.gateway_url}/dashboard/{ticket_path(bug)}")
    expect(page.locator(".message.internal")).to_be_visible()
    expect(page.get_by_role("link", name="Screenshot 1")).to_have_attribute(
        "href", "https://example.com/shots/calendar.png")
    expect(page.locator(".details")).to_contain_text("Pixel 8, Android 15")
    screenshot(page, f"bug-report-{viewport_name}")
    assert axe_violations(page) == []
