"""The bot's own words: prompts and friendly fallbacks.

What the user is told about a created item or a rate limit is the database's message,
never a text from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from support_api.companion_intents import IntentKind

ASK: dict[IntentKind, str] = {
    IntentKind.BUG: "Sorry about that! What happened? Tell me in your next message and I'll "
    "file a bug report.",
    IntentKind.FEEDBACK: "I'd love to hear it. What's your feedback?",
    IntentKind.FEATURE_REQUEST: "Great, what would you like us to build?",
}
HELP = (
    'I can file a bug report ("report bug: what went wrong"), pass on feedback '
    '("I have feedback: ..."), send a feature request ("feature request: ...") or show '
    'your tickets ("my tickets"), and rate your last resolved ticket ("rate 5").'
)
UNKNOWN_USER = (
    "I couldn't find your account, so I can't file that. Please sign in to the app first."
)
FAILED = "Sorry, something went wrong on our side and I couldn't do that. Please try again later."
NO_TICKETS = "You have no support tickets."
NOTHING_TO_RATE = "You have no resolved ticket to rate yet."


def refused(message: str, details: Any) -> str:
    """The database's refusal, with its details (for a rate limit: when to try again)."""
    return f"{message} {details}".strip() if isinstance(details, str) else message


def ticket_list(tickets: Sequence[Mapping[str, Any]], total: int) -> str:
    if not tickets:
        return NO_TICKETS
    lines = [f"Your tickets ({len(tickets)} of {total}):"]
    lines += [f"- {ticket.get('subject')} ({ticket.get('status')})" for ticket in tickets]
    return "\n".join(lines)


def rated(ticket: Mapping[str, Any], rating: int) -> str:
    return f'Thanks! You rated "{ticket.get("subject")}" {rating} out of 5.'
