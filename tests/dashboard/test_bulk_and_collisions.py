"""Bulk actions and reply collisions in the dashboard: an agent closes 200 tickets from the
queue page ("select all matching", a job through support-worker) and reads the report; a reply
written while another agent answered is refused and shown as "X replied while you were typing",
with the draft kept; the ticket page shows who else is there. Pages pass axe."""

import uuid

from playwright.sync_api import expect


def _file(db, user, word: str, count: int, status: str) -> list[str]:
    rows = db.execute(
        "insert into public.support_tickets "
        "(user_id, ticket_type, subject, description, status, resolution) "
        "select %s, 'billing', %s || ' ' || g, 'bulk', %s, "
        "case when %s = 'resolved' then 'Done' end from generate_series(1, %s) as g returning id",
        (user.id, f"Duplicate {word}", status, status, count)).fetchall()
    return [str(row[0]) for row in rows]


def test_an_agent_closes_200_tickets_from_the_queue_and_reads_the_report(
        make_user, make_staff, signed_in, db, screenshot, axe_violations):
    word = uuid.uuid4().hex[:8]
    user = make_user()
    closed = _file(db, user, word, 199, "resolved")
    still_open = _file(db, user, word, 1, "open")
    agent = make_staff()
    page = signed_in(agent, bypass_csp=True)  # axe is injected as an inline script
    page.get_by_role("row").first.wait_for()

    page.locator("#filter-status").select_option("")
    page.locator("#filter-assignee").select_option("")
    page.get_by_label("Search", exact=True).fill(word)
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".summary")).to_contain_text("200 tickets")
    page.get_by_label("Select every ticket of this page").check()
    expect(page.locator(".bulk-selection")).to_contain_text("20 tickets selected")
    page.get_by_role("button", name="Select all 200 matching").click()
    expect(page.locator(".bulk-selection")).to_contain_text(
        "All 200 tickets matching the filters selected")
    page.locator("#bulk-status").select_option("closed")
    screenshot(page, "queue-bulk-bar")
    assert axe_violations(page) == []

    with page.expect_request("**/rpc/support_bulk_update") as sent:
        page.get_by_role("button", name="Apply to selected").click()
    assert sent.value.post_data_json == {"filters": {"q": word}, "changes": {"status": "closed"}}
    report = page.locator(".bulk-report")
    expect(report).to_contain_text("199 of 200 changed", timeout=60_000)
    expect(report).to_contain_text("1 refused")
    expect(report.get_by_role("listitem")).to_have_count(1)
    expect(report).to_contain_text("A ticket cannot move from open to closed")
    screenshot(page, "queue-bulk-report")
    assert axe_violations(page) == []

    statuses = dict(db.execute(
        "select status, count(*) from public.support_tickets where id = any(%s::uuid[]) "
        "group by status", ([*closed, *still_open],)).fetchall())
    assert statuses == {"closed": 199, "open": 1}


def test_a_reply_written_while_another_agent_answered_is_shown_and_the_draft_kept(
        make_user, user_client, make_staff, signed_in, contexts, screenshot, axe_violations):
    word = uuid.uuid4().hex[:8]
    user = make_user()
    subject = f"Where is my refund {word}"
    ticket_id = user_client(user).rpc("create_support_ticket", {
        "ticket_type": "billing", "subject": subject, "description": "Still waiting.",
    }).execute().data["ticket_id"]
    agent = make_staff()
    other = make_staff()
    page = signed_in(agent, f"#/ticket/{ticket_id}", bypass_csp=True)
    expect(page.get_by_role("heading", name=subject, exact=True)).to_be_visible()

    # The other agent opens the ticket too: the first agent's next page shows them.
    other_page = signed_in(other, f"#/ticket/{ticket_id}")
    expect(other_page.locator(".presence")).to_contain_text(f"{agent.display_name} is viewing")

    page.locator("#composer-body").fill("We are sending the refund today.")
    user_client(other).rpc("support_reply", {
        "ticket_id": ticket_id, "body": "Refund sent a minute ago."}).execute()
    page.get_by_role("button", name="Send reply").click()

    alert = page.locator(".collision")
    expect(alert).to_contain_text(
        f"{other.display_name} replied while you were typing — review before sending.")
    expect(page.locator("ol.thread")).to_contain_text("Refund sent a minute ago.")
    expect(page.locator("#composer-body")).to_have_value("We are sending the refund today.")
    screenshot(page, "ticket-reply-collision")
    assert axe_violations(page) == []

    # Reviewed: sending again goes out, as the thread now shows the newer reply.
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("ol.thread")).to_contain_text("We are sending the refund today.")
    expect(page.locator(".collision")).to_have_count(0)
