"""What a companion message asks for: the bot's phrases, found in any case, among other words.

This is conversation parsing, not a rule of the API: whatever the user asks for is filed
through the same RPCs as every other path, and the database decides whether it is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class IntentKind(StrEnum):
    BUG = "bug"
    FEEDBACK = "feedback"
    FEATURE_REQUEST = "feature_request"
    TICKETS = "tickets"
    RATE = "rate"


_PHRASES: dict[IntentKind, str] = {
    IntentKind.BUG: r"report\s+(?:a\s+)?bug",
    IntentKind.FEEDBACK: r"i\s+have\s+(?:some\s+)?feedback",
    IntentKind.FEATURE_REQUEST: r"feature\s+request",
    IntentKind.TICKETS: r"my\s+tickets|ticket\s+status",
    # "rate 5", "rate it 4 thanks": only with a rating after it, so "rate limit" is no intent.
    IntentKind.RATE: r"rate(?:\s+(?:it|my\s+(?:last\s+)?ticket))?(?=\s+[1-5]\b)",
}
_PATTERN = re.compile(
    "|".join(rf"(?P<{kind.name}>\b(?:{phrase})\b)" for kind, phrase in _PHRASES.items()),
    re.IGNORECASE,
)
# What may sit between the phrase and the details ("report bug: ...", "feature request - ...").
_LEADING = re.compile(r"^[\s:;,.!?\-\u2013\u2014]+")
# Words that are not details: "report a bug please" asks the bot to ask what happened.
_FILLER = re.compile(r"^(?:[\s\W]|please|pls|thanks|thank\s+you|now|here)*$", re.IGNORECASE)


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    details: str  # what follows the phrase; "" when the user wrote the phrase alone


def parse_intent(text: str) -> Intent | None:
    """The first phrase in `text` and the details after it, or None when there is none."""
    match = _PATTERN.search(text)
    if match is None or match.lastgroup is None:
        return None
    details = _LEADING.sub("", text[match.end() :]).strip()
    if _FILLER.fullmatch(details):
        details = ""
    return Intent(IntentKind[match.lastgroup], details)
