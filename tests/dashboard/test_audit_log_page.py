"""The Audit log page: an admin reads who changed the configuration and staff roles, filters it,
and the page passes axe; an agent meets the database's refusal."""

import uuid

from dashboard_support import open_counting_requests
from playwright.sync_api import expect


def test_an_admin_reads_and_filters_the_audit_log(
        make_user, user_client, make_staff, signed_in, db, screenshot, axe_violations):
    admin = make_staff("admin")
    newcomer = make_user()
    name = f"Newcomer {uuid.uuid4().hex[:6]}"
    as_admin = user_client(admin)
    try:
        as_admin.table("support_staff").insert(
            {"user_id": newcomer.id, "role": "agent", "display_name": name}).execute()
        staff = as_admin.table("support_staff")
        staff.update({"role": "admin"}).eq("user_id", newcomer.id).execute()
        # A change from SQL, by another actor, that the filters must leave out.
        for step in ("+ 1", "- 1"):
            db.execute("update public.triage_settings "
                       f"set similar_window_days = similar_window_days {step}")

        page = signed_in(admin, bypass_csp=True)  # axe is injected as an inline script
        # One round: a page of the log and the staff list, both sent before either answers.
        events = open_counting_requests(page, "#/audit", "Audit log")
        assert events.count("sent") == 2 and "done" not in events[:2], events
        expect(page.locator("#nav-audit")).to_have_attribute("aria-current", "page")

        page.get_by_label("Table").select_option("public.support_staff")
        page.get_by_label("Who").select_option(label=admin.display_name)
        rows = page.locator("table.audit tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Changed")
        expect(rows.nth(0)).to_contain_text('"agent" → "admin"')
        expect(rows.nth(0)).to_contain_text(f"{admin.display_name} (admin)")
        expect(rows.nth(1)).to_contain_text("Added")
        expect(rows.nth(1)).to_contain_text(name)
        expect(page.locator("table.audit")).not_to_contain_text("public.triage_settings")
        screenshot(page, "audit-log")
        assert axe_violations(page) == []

        page.get_by_label("Who").select_option("")
        page.get_by_label("Table").select_option("public.triage_settings")
        page.get_by_label("From").fill("2000-01-01")
        page.get_by_label("To").fill("2000-01-02")
        expect(page.get_by_text("No change matches these filters.")).to_be_visible()
    finally:
        db.execute("delete from public.support_staff where user_id = %s", (newcomer.id,))


def test_an_agent_sees_the_refusal_of_the_database(make_staff, signed_in):
    agent = make_staff()
    page = signed_in(agent, "#/audit")
    expect(page.get_by_role("alert")).to_contain_text("Only support admins can do this")
