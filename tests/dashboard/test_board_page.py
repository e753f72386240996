"""The Public board page (docs/feedback-board.md): an agent reads the roadmap and the posts with
their vote counts, publishes a user's feedback as a post, moves it along the workflow and writes
a changelog entry whose raw HTML shows as text; the page renders from one round of requests and
passes axe."""

import uuid

from dashboard_support import open_counting_requests
from playwright.sync_api import expect


def test_an_agent_publishes_feedback_moves_the_post_and_writes_the_changelog(
        make_staff, make_user, signed_in, db, screenshot, axe_violations):
    agent = make_staff("agent")
    word = uuid.uuid4().hex[:8]
    title = f"Offline mode {word}"
    entry = db.execute(
        "insert into public.user_feedback (user_id, category, description) values"
        " (%s, 'feature_request', %s) returning id",
        (make_user().id, f"private words {word}")).fetchone()[0]
    try:
        page = signed_in(agent, "#/queue", bypass_csp=True)  # axe is injected as an inline script
        events = open_counting_requests(page, "#/board", "Public board")
        # The posts, the roadmap, the changelog and the moves, all sent before any ends (the labels
        # were loaded by the queue page already).
        assert events.count("sent") == 4 and "done" not in events[:4], events
        expect(page.locator("#nav-board")).to_have_attribute("aria-current", "page")
        roadmap = page.get_by_role("region", name="Roadmap")
        expect(roadmap).to_contain_text("Track fitness goals (3 votes)")
        dark_mode = page.locator("tr", has_text="Dark mode")
        expect(dark_mode.locator("td[data-label='Votes']")).to_have_text("2")

        publish = page.get_by_role("form", name="Publish feedback")
        publish.get_by_label("Feedback entry (id)").fill(str(entry))
        publish.get_by_label("Title for the public").fill(title)
        publish.get_by_label("Description for the public").fill("Use the app without a network.")
        publish.get_by_role("button", name="Publish").click()
        row = page.locator("tr", has_text=title)
        expect(row.locator("td[data-label='Status']")).to_have_text("Under review")
        posts = page.get_by_role("region", name="Public posts")
        expect(posts).not_to_contain_text(f"private words {word}")

        move = page.get_by_role("form", name=f"Move {title}")
        move.get_by_label(f"New status of {title}").select_option("planned")
        move.get_by_role("button", name="Move").click()
        expect(page.get_by_role("region", name="Roadmap")).to_contain_text(f"{title} (0 votes)")

        editor = page.get_by_role("form", name="New changelog entry")
        editor.get_by_label("Title", exact=True).fill(f"Shipped {word}")
        editor.get_by_label("Body", exact=False).fill(
            "**Offline** is here <script>alert(1)</script>")
        editor.get_by_label("Posts it ships").select_option(label=title)
        editor.get_by_role("button", name="Publish entry").click()
        article = page.get_by_role("article", name=f"Shipped {word}")
        expect(article.locator("strong")).to_have_text("Offline")
        expect(article).to_contain_text("<script>alert(1)</script>")
        expect(article).to_contain_text(f"Ships: {title}")
        assert article.locator("script").count() == 0
        screenshot(page, "public-board")
        assert axe_violations(page) == []
    finally:
        db.execute("delete from public.changelog_entries where title = %s", (f"Shipped {word}",))
        db.execute("delete from public.feedback_posts where title = %s", (title,))
        db.execute("delete from public.user_feedback where id = %s", (entry,))
