"""What the dashboard tests share: reading a page's text-alternative tables, a rate as the
pages print it, and counting the REST requests a page sends to render."""

from playwright.sync_api import Page, expect


def percent(rate: float | None) -> str:
    """A rate or confidence as every page prints it (dashboard/figures.js)."""
    return "—" if rate is None else f"{float(rate) * 100:.1f} %"


def figures(page: Page, table_id: str) -> dict[str, list[str]]:
    """A text-alternative table as {row header: [cells]}."""
    rows = page.locator(f"#{table_id} tbody tr")
    return {rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").all_inner_texts()
            for i in range(rows.count())}


def open_counting_requests(page: Page, path: str, heading: str) -> list[str]:
    """Opens a page of the dashboard; its REST requests as "sent" and "done", in order."""
    events: list[str] = []
    # A request of the page before (a poll still in flight) may finish meanwhile: only the
    # answers to requests sent here count.
    ours: set[int] = set()
    # The dashboard sends a read again after a fair-share 429 (dashboard/session.js): the same
    # request again is that retry, not a request the page made after an answer.
    seen: set[tuple[str, str, str | None]] = set()

    def sent(request) -> None:
        key = (request.method, request.url, request.post_data)
        if "/rest/v1/" in request.url and key not in seen:
            seen.add(key)
            ours.add(id(request))
            events.append("sent")

    def done(request) -> None:
        if id(request) in ours:
            events.append("done")

    page.on("request", sent)
    page.on("requestfinished", done)
    page.goto(page.url.split("#")[0] + path)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.wait_for_timeout(300)  # nothing may follow the render
    page.remove_listener("request", sent)
    page.remove_listener("requestfinished", done)
    return events
