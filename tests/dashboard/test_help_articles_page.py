"""Help articles in the dashboard (docs/help-center.md): the ticket page suggests the articles
that may answer the ticket and links one into the reply; on the articles page an agent writes a
draft and previews it as the database renders it (a list of XSS payloads runs nothing), cannot
publish while only admins do, and an admin publishes and reads the history. Each page renders
from one round of requests and passes axe."""

import uuid

from dashboard_support import open_counting_requests
from playwright.sync_api import expect

# Rendered by the database in the preview: none may run (window.__xss stays unset). The same
# kinds of payloads are checked as SQL in supabase/tests/251-help-markdown.sql.
XSS_BODY = "\n\n".join([
    "<script>window.__xss = 'script'</script>",
    "<img src=x onerror=\"window.__xss = 'img'\">",
    "<svg onload=\"window.__xss = 'svg'\"><script>window.__xss = 'svg-script'</script></svg>",
    "[click me](javascript:window.__xss='link')",
    "[data](data:text/html,<script>window.__xss='data'</script>)",
    "**<b onmouseover=\"window.__xss = 'bold'\">hover</b>**",
    "<iframe src=\"javascript:window.__xss='frame'\"></iframe>",
])


def _sent_before_any_answer(events: list[str]) -> bool:
    first_answer = events.index("done") if "done" in events else len(events)
    return events[:first_answer].count("sent") == events.count("sent")


def test_the_ticket_page_suggests_articles_and_links_one_into_the_reply(
        make_user, user_client, make_staff, signed_in, db, screenshot, axe_violations):
    word = f"quux{uuid.uuid4().hex[:6]}"
    slug = f"{word}-help"
    db.execute(
        "insert into public.help_articles (slug, locale, title, body, category, status) "
        "values (%s, 'en', %s, 'Hold the button ten seconds.', 'troubleshooting', 'published')",
        (slug, f"Fix the {word} gadget"))
    try:
        user = make_user()
        subject = f"My {word} gadget is stuck"
        ticket_id = user_client(user).rpc("create_support_ticket", {
            "ticket_type": "bug", "subject": subject, "description": f"The {word} will not start.",
        }).execute().data["ticket_id"]
        page = signed_in(make_staff(), bypass_csp=True)  # axe is injected as an inline script
        page.get_by_role("row").first.wait_for()  # the queue's requests are over
        page.wait_for_timeout(300)
        events = open_counting_requests(page, f"#/ticket/{ticket_id}", subject)
        assert _sent_before_any_answer(events), events

        section = page.get_by_role("region", name="Help articles")
        link = section.get_by_role("link", name=f"Fix the {word} gadget")
        origin = page.url.split("/dashboard/")[0]
        expect(link).to_have_attribute("href", f"{origin}/help/articles/{slug}?lang=en")
        insert = f"Insert link to “Fix the {word} gadget” in the reply"
        section.get_by_role("button", name=insert).click()
        composer = page.locator("#composer-body")
        expect(composer).to_be_focused()
        expect(composer).to_have_value(f"[Fix the {word} gadget]({link.get_attribute('href')})")
        screenshot(page, "ticket-help-articles")
        assert axe_violations(page) == []
    finally:
        db.execute("delete from public.help_articles where slug = %s", (slug,))


def test_an_agent_drafts_and_previews_an_article_and_an_admin_publishes_it(
        make_staff, signed_in, db, screenshot, axe_violations):
    word = uuid.uuid4().hex[:6]
    slug = f"safe-preview-{word}"
    try:
        agent = make_staff()
        page = signed_in(agent, bypass_csp=True)
        page.get_by_role("row").first.wait_for()  # the queue's requests are over
        page.wait_for_timeout(300)
        events = open_counting_requests(page, "#/articles", "Help articles")
        assert _sent_before_any_answer(events), events
        origin = page.url.split("/dashboard/")[0]  # no helpCenterUrl in the local config.js
        help_center = f"{origin}/help/"
        expect(page.get_by_role("link", name=help_center)).to_have_attribute("href", help_center)
        page.get_by_role("button", name="New article").click()
        page.get_by_label("Title").fill(f"Safe preview {word}")
        page.get_by_label("Slug (shared by translations)").fill(slug)
        page.get_by_label("Category").fill("security")
        body = f"## Heading {word}\n\nSome **bold** text.\n\n{XSS_BODY}"
        page.get_by_label("Body (Markdown)").fill(body)
        page.get_by_role("button", name="Preview").click()
        preview = page.locator("#article-preview")
        expect(preview.get_by_role("heading", name=f"Heading {word}")).to_be_visible()
        expect(preview).to_contain_text("<script>window.__xss = 'script'</script>")
        foreign = "script, img, svg, iframe, [onerror], [onload], [onmouseover]"
        expect(preview.locator(foreign)).to_have_count(0)
        expect(preview.locator("a")).to_have_count(0)  # javascript: and data: lose their link
        preview.get_by_text("hover").hover()
        assert page.evaluate("() => window.__xss") is None
        screenshot(page, "articles-preview")

        page.get_by_role("button", name="Save draft").click()
        row = page.get_by_role("row").filter(has_text=f"Safe preview {word}")
        expect(row).to_contain_text("Draft")
        row.get_by_role("button", name=f"Safe preview {word}").click()
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_role("alert")).to_contain_text("Only publishers may publish")
        screenshot(page, "articles-agent-draft")
        assert axe_violations(page) == []

        admin_page = signed_in(make_staff("admin"), "#/articles", bypass_csp=True)
        admin_row = admin_page.get_by_role("row").filter(has_text=f"Safe preview {word}")
        admin_row.get_by_role("button", name=f"Safe preview {word}").click()
        admin_page.get_by_role("button", name="Publish").click()
        expect(admin_row).to_contain_text("Published")
        admin_row.get_by_role("button", name=f"Safe preview {word}").click()
        admin_page.get_by_role("button", name="History").click()
        history = admin_page.locator(".article-history li")
        expect(history).to_have_count(2)
        expect(history.first).to_contain_text("Published")
        screenshot(admin_page, "articles-history")
        assert axe_violations(admin_page) == []
        assert admin_page.evaluate("() => window.__xss") is None
    finally:
        db.execute("delete from public.help_articles where slug = %s", (slug,))
