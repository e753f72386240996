"""The public help center at /help/ (support_api/help_pages.py): a reader without JavaScript
finds an article by category and by search and reads it, in French with the fallback to
English; an article whose body is a list of XSS payloads runs nothing in a browser; every page
passes axe on a desktop and on a phone; a seeded article's link to another opens it."""

import uuid

import httpx
import pytest
from playwright.sync_api import expect

XSS_BODY = "\n\n".join([
    "<script>window.__xss = 'script'</script>",
    "<img src=x onerror=\"window.__xss = 'img'\">",
    "<svg onload=\"window.__xss = 'svg'\"><script>window.__xss = 'svg-script'</script></svg>",
    "<svg><a xlink:href=\"javascript:window.__xss='svg-link'\">svg link</a></svg>",
    "[click me](javascript:window.__xss='link')",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "**<b onmouseover=\"window.__xss = 'bold'\">hover</b>**",
    "<iframe src=\"javascript:window.__xss='frame'\"></iframe>",
    "<a href=\"javascript:window.__xss='raw-link'\">raw link</a>",
    "`</code><script>window.__xss = 'code'</script>`",
])


@pytest.fixture
def articles(db):
    word = uuid.uuid4().hex[:6]
    rows = [
        (f"xss-{word}", "en", f"Safe article {word}", XSS_BODY, "security"),
        (f"wifi-{word}", "en", f"Connect the blorptastic {word} to Wi-Fi",
         "Open **Settings** and pick your network.\n\n- Enter the password\n- Wait a minute",
         "connectivity"),
        (f"wifi-{word}", "fr", f"Connecter le blorptastic {word} au Wi-Fi",
         "Ouvrez **Réglages** et choisissez votre réseau.", "connectivity"),
    ]
    for slug, locale, title, body, category in rows:
        db.execute(
            "insert into public.help_articles (slug, locale, title, body, category, status) "
            "values (%s, %s, %s, %s, %s, 'published')", (slug, locale, title, body, category))
    yield word
    db.execute("delete from public.help_articles where slug in (%s, %s)",
               (f"xss-{word}", f"wifi-{word}"))


def test_a_reader_without_javascript_browses_searches_and_reads(
        stack, contexts, articles, screenshot):
    word = articles
    title, title_fr = (f"Connect the blorptastic {word} to Wi-Fi",
                       f"Connecter le blorptastic {word} au Wi-Fi")
    page = contexts(java_script_enabled=False).new_page()
    page.goto(f"{stack.gateway_url}/help/")
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    expect(page.get_by_role("heading", name="Connectivity")).to_be_visible()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator("article li")).to_have_count(2)

    page.get_by_role("link", name="Français").click()
    expect(page.get_by_role("heading", name=title_fr)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_label("Search the help center").fill(f"blorptastic {word}")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=title_fr)).to_be_visible()
    screenshot(page, "help-center-search")

    # The article in French falls back to English where there is no translation.
    page.goto(f"{stack.gateway_url}/help/articles/xss-{word}?lang=fr")
    expect(page.get_by_text("Not translated yet")).to_be_visible()

    # A seeded article links another at its public route (supabase/seed.sql), and the link opens it.
    page.goto(f"{stack.gateway_url}/help/articles/reset-your-password")
    link = page.get_by_role("link", name="Change the email of your account")
    expect(link).to_have_attribute("href", "/help/articles/change-your-email")
    screenshot(page, "help-center-article")
    link.click()
    email_title = "Change the email address of your account"
    expect(page.get_by_role("heading", name=email_title)).to_be_visible()


def test_an_article_made_of_xss_payloads_runs_nothing(stack, contexts, articles):
    word = articles
    response = httpx.get(f"{stack.gateway_url}/help/articles/xss-{word}")
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = contexts().new_page()  # JavaScript on, so that a payload that ran would be seen
    page.goto(f"{stack.gateway_url}/help/articles/xss-{word}")
    article = page.locator("article")
    expect(article).to_contain_text("<script>window.__xss = 'script'</script>")
    foreign = ("script, img, svg, iframe, [onerror], [onload], [onmouseover], "
               "a[href^='javascript'], a[href^='data']")
    expect(article.locator(foreign)).to_have_count(0)
    article.get_by_text("hover").hover()
    assert page.evaluate("() => window.__xss") is None


@pytest.mark.parametrize(("viewport_name", "viewport"), [
    ("desktop", {"width": 1280, "height": 800}),
    ("phone", {"width": 390, "height": 844}),
])
def test_every_help_page_passes_axe(stack, contexts, articles, axe_violations, screenshot,
                                    viewport_name, viewport):
    word = articles
    page = contexts(viewport=viewport, bypass_csp=True).new_page()  # axe is injected
    for path in ("/help/", f"/help/search?q=blorptastic+{word}", f"/help/articles/wifi-{word}",
                 "/help/articles/no-such-article"):
        page.goto(f"{stack.gateway_url}{path}")
        assert axe_violations(page) == [], path
        if path == "/help/":  # the table of contents, the page a reader lands on
            screenshot(page, f"help-center-{viewport_name}")
