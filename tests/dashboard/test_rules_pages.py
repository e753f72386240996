"""The Rules and Business hours pages: an admin writes an event rule, sees the database's
refusal of a bad one, switches it to dry run, and declares a holiday; an agent reads both pages
and cannot change a rule; every page passes axe."""

import uuid

from playwright.sync_api import expect


def test_an_admin_writes_a_rule_sees_its_refusal_and_switches_it_to_dry_run(
        make_staff, make_user, signed_in, db, screenshot, axe_violations):
    admin = make_staff("admin")
    name = f"Rule {uuid.uuid4().hex[:6]}"
    # A word no other test writes, so the rule stays out of their tickets while it lives.
    word = uuid.uuid4().hex
    try:
        page = signed_in(admin, "#/rules", bypass_csp=True)  # axe is injected as an inline script
        expect(page.locator("#nav-rules")).to_have_attribute("aria-current", "page")
        editor = page.get_by_role("form", name="New rule")
        editor.get_by_label("Name").fill(name)
        editor.get_by_label("Conditions (JSON)").fill(
            f'[{{"field": "salary", "op": "contains", "value": "{word}"}}]')
        editor.get_by_label("Actions (JSON)").fill('[{"action": "set_priority", "value": "high"}]')
        editor.get_by_role("button", name="Add rule").click()
        expect(editor.get_by_role("alert")).to_contain_text(
            "Condition 1 names a field rules cannot test")

        editor.get_by_label("Conditions (JSON)").fill(
            f'[{{"field": "text", "op": "contains", "value": "{word}"}}]')
        editor.get_by_role("button", name="Add rule").click()
        row = page.locator(f"tr[data-rule='{name}']")
        mode = row.locator("td[data-label='Mode']")
        expect(mode).to_have_text("Live")

        # Live, it raises a ticket that says the word; the ticket's page names the rule.
        ticket = db.execute(
            "insert into public.support_tickets (user_id, ticket_type, subject, description,"
            " priority) values (%s, 'technical', 'Ruled', %s, 'low') returning id",
            (make_user().id, f"About {word}")).fetchone()[0]
        page.goto(page.url.split("#")[0] + f"#/ticket/{ticket}")
        rules = page.get_by_role("region", name="Rules")
        expect(rules).to_contain_text(f"{name} did: set_priority high")
        history = page.get_by_role("region", name="History")
        expect(history).to_contain_text(
            f"Rule \u201c{name}\u201d changed priority from Low to High")
        page.goto(page.url.split("#")[0] + "#/rules")
        row.get_by_role("button", name=f"Dry run {name}").click()
        expect(mode).to_have_text("Dry run")
        assert db.execute("select dry_run from public.ticket_rules where name = %s",
                          (name,)).fetchone() == (True,)
        screenshot(page, "rules")
        assert axe_violations(page) == []
    finally:
        db.execute("delete from public.ticket_rules where name = %s", (name,))


def test_an_admin_declares_a_holiday_on_the_business_hours_page(
        make_staff, signed_in, db, screenshot, axe_violations):
    admin = make_staff("admin")
    name = f"Office {uuid.uuid4().hex[:6]}"
    schedule = db.execute("insert into public.business_schedules (name, time_zone)"
                          " values (%s, 'Europe/Paris') returning id", (name,)).fetchone()[0]
    try:
        db.execute("insert into public.business_hours (schedule_id, weekday, opens, closes)"
                   " select %s, d, '09:00', '17:00' from generate_series(1, 5) as d", (schedule,))
        page = signed_in(admin, "#/schedules", bypass_csp=True)
        section = page.get_by_role("region", name=name)
        expect(section).to_contain_text("Time zone Europe/Paris")
        expect(section.get_by_role("row", name="Monday")).to_contain_text("09:00\u201317:00")
        expect(section.get_by_role("row", name="Sunday")).to_contain_text("Closed")
        form = section.get_by_role("form", name=f"Declare a holiday for {name}")
        form.get_by_label("Holiday").fill("2030-12-25")
        form.get_by_label("Why").fill("Christmas")
        form.get_by_role("button", name="Declare holiday").click()
        expect(page.get_by_role("region", name=name)).to_contain_text(
            "2030-12-25: closed (Christmas)")
        screenshot(page, "business-hours")
        assert axe_violations(page) == []
    finally:
        db.execute("delete from public.business_schedules where id = %s", (schedule,))


def test_an_agent_reads_the_rules_but_cannot_change_one(make_staff, signed_in, db):
    agent = make_staff()
    name = f"Rule {uuid.uuid4().hex[:6]}"
    db.execute("insert into public.ticket_rules (name, on_events, enabled, conditions, actions)"
               " values (%s, '{created}', false,"
               " '[{\"field\": \"text\", \"op\": \"contains\", \"value\": \"never-written\"}]',"
               " '[{\"action\": \"set_priority\", \"value\": \"high\"}]')", (name,))
    try:
        page = signed_in(agent, "#/rules")
        row = page.locator(f"tr[data-rule='{name}']")
        expect(row.locator("td[data-label='Mode']")).to_have_text("Off")
        row.get_by_role("button", name=f"Switch on {name}").click()
        expect(page.get_by_role("alert")).to_contain_text("only support admins change rules")
        assert db.execute("select enabled from public.ticket_rules where name = %s",
                          (name,)).fetchone() == (False,)
    finally:
        db.execute("delete from public.ticket_rules where name = %s", (name,))
