"""Browser fixtures: Debian's Chromium driven by Playwright, staff members, pages signed in.

Playwright never downloads a browser here: it launches /usr/bin/chromium (`make deps` installs
Debian's package when it is missing).
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Where the tests write a screenshot of each page; DASHBOARD_SCREENSHOTS=docs/screenshots
# refreshes the committed ones.
SCREENSHOT_DIR = PROJECT_ROOT / os.environ.get("DASHBOARD_SCREENSHOTS", ".stack/screenshots")
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class Staff:
    id: str
    email: str
    jwt: str
    display_name: str


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in this thread
# while it is open, and later tests of the session call asyncio.run().
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make deps` (installs Debian's chromium)")
    launched = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def make_staff(make_user, db: psycopg.Connection) -> Iterator[Callable[..., Staff]]:
    made: list[str] = []

    def make(role: str = "agent") -> Staff:
        user = make_user()
        name = f"{role.title()} {user.id[:6]}"
        db.execute("insert into public.support_staff (user_id, role, display_name) "
                   "values (%s, %s, %s)", (user.id, role, name))
        made.append(user.id)
        return Staff(user.id, user.email, user.jwt, name)

    yield make
    db.execute("delete from public.support_staff where user_id = any(%s::uuid[])", (made,))


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    opened: list[BrowserContext] = []

    def open_context(**options: object) -> BrowserContext:
        context = browser.new_context(viewport=options.pop("viewport", DESKTOP), **options)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def signed_in(stack, contexts) -> Callable[..., Page]:
    """A page of a new browser context, signed in as `staff` the way the local link does."""

    def sign_in(staff: Staff, path: str = "#/queue", **options: object) -> Page:
        page = contexts(**options).new_page()
        page.goto(f"{stack.gateway_url}/dashboard/#access_token={staff.jwt}")
        page.get_by_text(staff.email).wait_for()
        if path != "#/queue":
            page.goto(f"{stack.gateway_url}/dashboard/{path}")
        return page

    return sign_in


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], None]:
    def save(page: Page, name: str) -> None:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)

    return save


@pytest.fixture(scope="session")
def axe_violations() -> Callable[[Page], list[dict]]:
    """Runs axe-core (pinned in package.json) in the page; the serious and critical findings."""

    def scan(page: Page) -> list[dict]:
        page.add_script_tag(path=str(AXE_SCRIPT))
        result = page.evaluate("async () => await axe.run(document)")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [node["target"] for node in v["nodes"]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")
        ]

    return scan
