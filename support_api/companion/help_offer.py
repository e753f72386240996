"""The companion's help offer: up to three articles before a bug report is filed.

When a user reports a problem with its details, the bot asks `suggest_articles` (as the user)
for up to three published articles. With none it files at once, as before. With some it keeps
the report pending in the database (`companion_offer_articles`, which also records one
"suggested" event per article) and asks "Did one of these answer it? yes / no, file it".

The user's next message ends the offer (`companion_take_offer`): "yes" (or "yes 2" for the
second article) records an "answered" event and files nothing; "no" files the pending report
and records a "ticket_filed" event naming the ticket and the articles shown. Any other message
drops the offer and is handled as usual, so every way of filing stays open.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from support_api.postgrest import PostgrestHandle

OFFERED_ARTICLES = 3
# The companion interrupts a report only for articles that match it well: a word of the title,
# or several words of the body (suggest_articles' lexical_score; one body word is about 0.4).
MIN_LEXICAL_SCORE = 1.0
_YES = re.compile(r"^\s*(?:yes|yeah|yep|y|oui|it\s+did)\b\W*(?P<which>[1-3])?", re.IGNORECASE)
_NO = re.compile(r"^\s*(?:no|nope|n|non)\b", re.IGNORECASE)

Call = Callable[[PostgrestHandle, str, str, dict[str, Any]], Any]


def suggestions(db: PostgrestHandle, call: Call, jwt: str, details: str) -> list[dict[str, Any]]:
    """The published articles that may answer `details`, best first (at most three)."""
    found = call(db, "suggest_articles", jwt, {"query": details, "page_size": OFFERED_ARTICLES})
    return [article for article in found or []
            if float(article.get("lexical_score") or 0) >= MIN_LEXICAL_SCORE]


def offer(
    db: PostgrestHandle, call: Call, jwt: str, details: str, articles: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Keep `details` pending and record the articles shown; the offer as the database kept it."""
    body = {
        "intent": "bug",
        "details": details,
        "offer_id": str(uuid.uuid4()),
        "article_ids": [article["id"] for article in articles],
    }
    return dict(call(db, "companion_offer_articles", jwt, body))


def take(db: PostgrestHandle, call: Call, jwt: str) -> dict[str, Any] | None:
    """End the user's pending offer; the offer, if there was one and it had not expired."""
    taken = call(db, "companion_take_offer", jwt, {})
    return dict(taken) if isinstance(taken, dict) else None


def answered_with(text: str, pending: Mapping[str, Any]) -> str | None:
    """The id of the article a "yes" names ("yes 2": the second; "yes": the first), else None."""
    match = _YES.match(text)
    if match is None:
        return None
    shown = list(pending.get("article_ids") or [])
    which = int(match.group("which") or 1)
    return str(shown[min(which, len(shown)) - 1]) if shown else None


def declined(text: str) -> bool:
    """Whether the user answered the offer with "no" (file it)."""
    return _NO.match(text) is not None


def record(
    db: PostgrestHandle, call: Call, jwt: str, kind: str, pending: Mapping[str, Any],
    article_ids: Sequence[str], ticket_id: str | None = None,
) -> None:
    body: dict[str, Any] = {
        "kind": kind, "offer_id": pending["offer_id"], "article_ids": list(article_ids),
    }
    if ticket_id:
        body["ticket_id"] = ticket_id
    call(db, "record_help_events", jwt, body)
