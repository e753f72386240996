"""Macros, tags and custom fields in the dashboard: an agent previews and applies a macro, tags
a ticket and sets its fields; an admin keeps the macros, the tag list and the field
definitions. Each page renders from one round of requests and passes axe."""

import uuid

from dashboard_support import open_counting_requests
from playwright.sync_api import expect


def _sent_before_any_answer(events: list[str]) -> bool:
    first_answer = events.index("done") if "done" in events else len(events)
    return events[:first_answer].count("sent") == events.count("sent")


def test_an_agent_applies_a_macro_tags_the_ticket_and_sets_its_fields(
        make_user, user_client, make_staff, signed_in, db, screenshot, axe_violations):
    word = uuid.uuid4().hex[:6]
    macro_name = f"Refund {word}"
    field_key = f"zz_plan_{word}"
    staff_key = f"zz_score_{word}"
    db.execute(
        "insert into public.macros (name, body, changes, owner_id) values "
        "(%s, 'Hi {{user.first_name}}, we refunded \"{{ticket.subject}}\". {{agent.name}}', "
        "'{\"status\": \"in_progress\", \"priority\": \"high\", "
        "\"add_tags\": [\"refund\"]}', null)",
        (macro_name,))
    db.execute(
        "insert into public.custom_fields (key, label, field_type, options, ticket_type, "
        "visible_to_user, position) values "
        "(%s, 'Plan', 'one_of', '[\"free\", \"pro\"]', 'billing', true, 80), "
        "(%s, 'Refund score', 'number', null, null, false, 81)",
        (field_key, staff_key))
    try:
        user = make_user()
        subject = f"Charged twice {word}"
        ticket_id = user_client(user).rpc("create_support_ticket", {
            "ticket_type": "billing", "subject": subject, "description": "Two charges.",
            "fields": {field_key: "free"},
        }).execute().data["ticket_id"]
        agent = make_staff()
        page = signed_in(agent, bypass_csp=True)  # axe is injected as an inline script

        events = open_counting_requests(page, f"#/ticket/{ticket_id}", subject)
        assert _sent_before_any_answer(events), events

        # The preview is the database's rendering; applying it is one request.
        page.get_by_label("Macro", exact=True).select_option(label=macro_name)
        preview = page.locator(".macro-preview")
        expect(preview).to_contain_text(f'Hi there, we refunded "{subject}". {agent.display_name}')
        expect(preview).to_contain_text("Status → In progress")
        expect(page.get_by_label("Plan", exact=True)).to_have_value("free")
        screenshot(page, "ticket-macro-preview")
        assert axe_violations(page) == []
        with page.expect_request("**/rpc/support_apply_macro") as applied:
            page.get_by_role("button", name="Apply macro").click()
        assert applied.value.post_data_json["macro_id"]
        thread = page.locator("ol.thread")
        expect(thread).to_contain_text(f'we refunded "{subject}"')
        expect(page.locator(".ticket-meta")).to_contain_text("In progress")
        expect(page.get_by_role("button", name="Remove tag refund")).to_be_visible()

        # Tags: add one, remove it.
        page.get_by_label("Add a tag").fill(f"vip-{word}")
        page.get_by_role("button", name="Add tag").click()
        expect(page.get_by_role("button", name=f"Remove tag vip-{word}")).to_be_visible()
        page.get_by_role("button", name=f"Remove tag vip-{word}").click()
        expect(page.get_by_role("button", name=f"Remove tag vip-{word}")).to_have_count(0)

        # Fields: the user's choice changed, a staff-only one set.
        page.get_by_label("Plan", exact=True).select_option("pro")
        page.get_by_label("Refund score (staff only)").fill("7")
        page.get_by_role("button", name="Save fields").click()
        expect(page.get_by_label("Refund score (staff only)")).to_have_value("7")
        expect(page.get_by_label("Plan", exact=True)).to_have_value("pro")
        expect(page.locator(".timeline")).to_contain_text(f"set {staff_key} to 7")
        screenshot(page, "ticket-tags-fields")
        assert axe_violations(page) == []

        # The user reads their field, never the staff-only one.
        own = user_client(user).rpc("get_ticket", {"ticket_id": ticket_id}).execute().data
        assert own["fields"] == {field_key: "pro"}
    finally:
        db.execute("delete from public.macros where name = %s", (macro_name,))
        db.execute("delete from public.custom_fields where key in (%s, %s)", (field_key, staff_key))


def test_an_admin_keeps_macros_tags_and_fields_and_an_agent_meets_the_refusals(
        make_staff, signed_in, db, screenshot, axe_violations):
    word = uuid.uuid4().hex[:6]
    admin = make_staff("admin")
    page = signed_in(admin, bypass_csp=True)
    try:
        events = open_counting_requests(page, "#/setup", "Setup")
        assert _sent_before_any_answer(events), events
        expect(page.locator("#nav-setup")).to_have_attribute("aria-current", "page")

        page.get_by_label("Name").fill(f"Shared {word}")
        page.get_by_label("Message").fill("Hello {{user.first_name}}")
        page.get_by_label("Shared with every agent (admins only)").check()
        page.get_by_label("Set priority").select_option(label="Low")
        page.get_by_role("button", name="Save macro").click()
        expect(page.get_by_role("row").filter(has_text=f"Shared {word}")).to_contain_text("Shared")

        # An unknown variable is refused when the macro is saved, in the database's words.
        page.get_by_label("Name").fill(f"Broken {word}")
        page.get_by_label("Message").fill("Hello {{user.shoe_size}}")
        page.get_by_role("button", name="Save macro").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "body uses a variable that is not in public.macro_variables")

        page.get_by_label("Tag", exact=True).fill(f"tag-{word}")
        page.get_by_label("Label", exact=True).first.fill(f"Tag {word}")
        page.get_by_role("button", name="Add tag").click()
        expect(page.get_by_role("button", name=f"Remove tag-{word} from the list")).to_be_visible()

        page.get_by_label("Key").fill(f"zz_size_{word}")
        page.locator("#field-label").fill("Company size")
        page.get_by_label("Type", exact=True).select_option(label="Number")
        page.get_by_role("button", name="Add field").click()
        expect(page.get_by_role("row").filter(has_text=f"zz_size_{word}")).to_contain_text("Number")
        screenshot(page, "setup")
        assert axe_violations(page) == []

        agent = make_staff()
        agent_page = signed_in(agent, "#/setup")
        expect(agent_page.get_by_role("heading", name="Setup", exact=True)).to_be_visible()
        expect(agent_page.get_by_role("heading", name="Macros")).to_be_visible()
        agent_page.get_by_label("Name").fill(f"Agent shared {word}")
        agent_page.get_by_label("Message").fill("Hi")
        agent_page.get_by_label("Shared with every agent (admins only)").check()
        agent_page.get_by_role("button", name="Save macro").click()
        expect(agent_page.get_by_role("alert")).to_contain_text("row-level security")
        agent_page.get_by_label("Shared with every agent (admins only)").uncheck()
        agent_page.get_by_role("button", name="Save macro").click()
        own = agent_page.get_by_role("row").filter(has_text=f"Agent shared {word}")
        expect(own).to_contain_text("Personal")
    finally:
        db.execute("delete from public.macros where name like %s", (f"%{word}",))
        db.execute("delete from public.tags where name = %s", (f"tag-{word}",))
        db.execute("delete from public.custom_fields where key = %s", (f"zz_size_{word}",))
