"""What the companion bot understands and what it says, written once.

`VOCABULARY` is the whole of it: for each intent, the phrase a user writes (in any case, among
other words), what the bot asks when the phrase comes alone, and how the answer is filed
through the contract's helper. The intents a pending conversation may wait for (`PENDING`)
are the ones the bot asks about; the CHECK constraint of
``public.companion_conversations.intent`` lists the same names, and a test compares the two.

This is conversation parsing, not a rule of the API: whatever the user asks for is filed
through the same RPCs as every other path, and the database decides whether it is valid. What
the user is told about a created item or a refusal is the database's message, never a text
from here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class IntentKind(StrEnum):
    BUG = "bug"
    FEEDBACK = "feedback"
    FEATURE_REQUEST = "feature_request"
    TICKETS = "tickets"
    RATE = "rate"
    REPLY = "reply"
    VOTE = "vote"


@dataclass(frozen=True)
class Filing:
    """How the helper files an answer: its ticket type and, for feedback, its category."""

    ticket_type: str
    category: str | None = None


@dataclass(frozen=True)
class Words:
    phrase: str  # a regular expression, matched as whole words in any case
    ask: str | None = None  # the bot's question when the phrase comes alone
    filing: Filing | None = None  # None: the intent reads, it files nothing


VOCABULARY: dict[IntentKind, Words] = {
    IntentKind.BUG: Words(
        # "I have a problem: ..." files a bug report too (after the help offer, see help_offer).
        r"report\s+(?:a\s+)?bug|i\s+have\s+a\s+problem",
        ask="Sorry about that! What happened? Tell me in your next message and I'll "
        "file a bug report.",
        filing=Filing("bug"),
    ),
    IntentKind.FEEDBACK: Words(
        r"i\s+have\s+(?:some\s+)?feedback",
        ask="I'd love to hear it. What's your feedback?",
        filing=Filing("feedback"),  # the helper's default category
    ),
    IntentKind.FEATURE_REQUEST: Words(
        r"feature\s+request",
        ask="Great, what would you like us to build?",
        filing=Filing("feedback", "feature_request"),
    ),
    IntentKind.TICKETS: Words(r"my\s+tickets|ticket\s+status"),
    # "rate 5", "rate it 4 thanks": only with a rating after it, so "rate limit" is no intent.
    IntentKind.RATE: Words(r"rate(?:\s+(?:it|my\s+(?:last\s+)?ticket))?(?=\s+[1-5]\b)"),
    # Only with a colon: "please reply soon" is no reply to send. Alone ("reply:"), the bot
    # asks for the text but keeps no pending conversation: the user writes "reply: ..." again.
    IntentKind.REPLY: Words(r"reply(?=\s*:)"),
    # "+1 dark mode", "vote for dark mode": only at the start of the message, so "the vote
    # button is broken" is no vote. The bot votes for the public post that clearly matches.
    IntentKind.VOTE: Words(r"\A\s*(?:\+1|vote(?:\s+for)?)"),
}
# What a pending conversation may wait for: the intents the bot asks about.
PENDING = frozenset(kind for kind, words in VOCABULARY.items() if words.ask)

HELP = (
    'I can file a bug report ("report bug: what went wrong"), pass on feedback '
    '("I have feedback: ..."), send a feature request ("feature request: ..."), answer '
    'support on your latest ticket ("reply: ..."), show your tickets ("my tickets"), rate '
    'your last resolved ticket ("rate 5") or vote for an idea on the public board '
    '("+1 dark mode").'
)
ASK_VOTE = 'What should I vote for? Write "+1 " and a few words of the idea, e.g. "+1 dark mode".'

ASK_REPLY = 'What should I send to support? Write "reply: " and your message.'
NO_OPEN_TICKET = (
    "You have no open ticket to reply to. Tell me what's wrong and I'll file one "
    '("report bug: ...").'
)
UNKNOWN_USER = (
    "I couldn't find your account, so I can't file that. Please sign in to the app first."
)
FAILED = "Sorry, something went wrong on our side and I couldn't do that. Please try again later."
NO_TICKETS = "You have no support tickets."

# Whole words: no letter or digit right before or after the phrase (as \b for phrases of
# letters, and also right for one that starts with a sign, "+1").
_PATTERN = re.compile(
    "|".join(rf"(?P<{kind.name}>(?<!\w)(?:{words.phrase})(?!\w))"
             for kind, words in VOCABULARY.items()),
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


def refused(message: str, details: Any) -> str:
    """The database's refusal, with its details (for a rate limit: when to try again)."""
    return f"{message} {details}".strip() if isinstance(details, str) else message


def replied(subject: Any, reopened: bool) -> str:
    return f'Sent to support on "{subject}".' + (" It is open again." if reopened else "")


def latest_support_reply(subject: Any, body: Any) -> str:
    return f'Latest reply from support on "{subject}": {body}'


def ticket_list(tickets: Sequence[Mapping[str, Any]], total: int,
                statuses: Mapping[str, str]) -> str:
    """The user's tickets, each with its status in the words of `statuses` (code: label)."""
    if not tickets:
        return NO_TICKETS
    lines = [f"Your tickets ({len(tickets)} of {total}):"]
    lines += [f"- {ticket.get('subject')} ({statuses.get(status, status).lower()})"
              for ticket in tickets for status in [str(ticket.get("status"))]]
    return "\n".join(lines)


def article_path(article: Mapping[str, Any]) -> str:
    """Where the public help center shows an article (support_api/help_pages.py)."""
    return f"/help/articles/{article.get('slug')}?lang={article.get('locale')}"


def help_offer(articles: Sequence[Mapping[str, Any]]) -> str:
    """The offer of articles before a bug report is filed."""
    lines = ["Before I file this, one of these may answer it:"]
    lines += [f"{n}. {article.get('title')} ({article_path(article)})"
              for n, article in enumerate(articles, start=1)]
    lines.append('Did one of these answer it? Reply "yes" (or "yes 2" for the second) '
                 '/ "no" to file it.')
    return "\n".join(lines)


DEFLECTED = "Glad that helped! I haven't filed anything. Write \"report bug: ...\" any time."


def rated(rating: Mapping[str, Any]) -> str:
    return f'Thanks! You rated "{rating.get("subject")}" {rating.get("rating")} out of 5.'


def post_label(post: Mapping[str, Any], statuses: Mapping[str, str]) -> str:
    status = str(post.get("status"))
    return (f'"{post.get("title")}" ({statuses.get(status, status).lower()}, '
            f'{post.get("vote_count")} votes)')


def voted(post: Mapping[str, Any], statuses: Mapping[str, str]) -> str:
    """The answer once the bot voted: which post, so the user can tell a wrong match."""
    return (f"I voted for {post_label(post, statuses)} on your behalf. You will hear when it "
            "moves.")


def vote_candidates(posts: Sequence[Mapping[str, Any]], statuses: Mapping[str, str]) -> str:
    """Several posts match about as well: the bot lists them and votes for none."""
    lines = ["Which one do you mean? I haven't voted yet:"]
    lines += [f"{n}. {post_label(post, statuses)}" for n, post in enumerate(posts, start=1)]
    lines.append('Write "+1 " and its title to vote for one.')
    return "\n".join(lines)


NO_POST = ("I found no idea like that on the public board, so I haven't voted. You can send it "
           'as a feature request ("feature request: ...").')
