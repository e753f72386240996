"""Blueprint `companion`: POST /api/companion/messages, the companion bot's one endpoint.

The bot authenticates with the project's service_role key (a JWT, verified with the project
secret and its ``role`` claim, never compared as a string) and sends
``{"user_id": "<uuid>", "text": "<what the user wrote>"}``. The route acts as that user with a
JWT minted for 60 seconds, so their tickets meet every policy and rate limit of the database,
and answers ``{"reply": "<text for the user>", "result": {...}}``. Refusals of the database
(rate limit, invalid input, unknown user) are replies too, with status 200: the bot always
has something to tell the user.

A user who writes a phrase alone ("report bug") is asked for the details, and their next
message is filed. That pending question is kept in the database
(``public.companion_conversations``, through two RPCs called as the user), so any worker can
take the answer; ``companion_take_conversation()`` applies the 15-minute expiry in SQL.

"+1 dark mode" (or "vote for dark mode") asks ``similar_posts`` as the user for the public
posts like the words and votes (``vote_for_post``, as the user: the vote rate limit applies)
for the one that clearly matches; when several match about as well, or none does, it answers
with the candidates, or says there is none, and votes for nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app

from support_api.companion import help_offer, vocabulary
from support_api.companion.helper import (
    InvalidInput,
    RateLimited,
    SupportError,
    UnknownUser,
    error_from,
    file_for_user,
)
from support_api.companion.vocabulary import (
    ASK_VOTE,
    NO_POST,
    PENDING,
    VOCABULARY,
    Filing,
    IntentKind,
    parse_intent,
)
from support_api.errors import ApiError
from support_api.incoming import bearer_token, json_body
from support_api.postgrest import PostgrestHandle, get_postgrest
from support_runtime.tokens import verify_service_role

bp = Blueprint("companion", __name__, url_prefix="/api/companion")

# A vote is cast only for a clear match: the post's title as written, or a post scoring at
# least VOTE_MIN_SCORE (similar_posts' score, 0-1) and VOTE_MARGIN above the next one.
VOTE_CANDIDATES = 3
VOTE_MIN_SCORE = 0.4
VOTE_MARGIN = 0.15

Answer = tuple[str, dict[str, Any]]


def _result(
    action: str,
    intent: IntentKind | None,
    *,
    data: Any = None,
    error: SupportError | None = None,
) -> dict[str, Any]:
    return {
        "action": action,
        "intent": intent.value if intent else None,
        "data": data,
        "error": error.error if error else None,
        "retry_after": error.retry_after if isinstance(error, RateLimited) else None,
    }


def _service_role_only() -> None:
    secret = current_app.config["SUPPORT_API_SETTINGS"].jwt_secret
    if not verify_service_role(secret, bearer_token()):
        raise ApiError(
            401,
            "The companion endpoint needs the project's service_role key",
            hint="Send 'Authorization: Bearer <service_role key>'.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


def _message() -> tuple[str, str]:
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object with user_id and text")
    user_id, text = body.get("user_id"), body.get("text")
    try:
        user = str(uuid.UUID(user_id)) if isinstance(user_id, str) else None
    except ValueError:
        user = None
    if user is None:
        raise ApiError(400, "user_id must be a UUID", hint="The user's id in auth.users.")
    if not isinstance(text, str):
        raise ApiError(400, "text must be a string")
    return user, text


def _call(db: PostgrestHandle, function: str, jwt: str, body: dict[str, Any]) -> Any:
    """The answer of `function` called as the user; a refusal raises its typed error."""
    result = db.rpc(function, jwt=jwt, body=body)
    if not result.ok:
        raise error_from(result, body)
    return result.json()


def _start_conversation(db: PostgrestHandle, jwt: str, kind: IntentKind) -> None:
    """Remember that the user's next message is to be filed as `kind`."""
    _call(db, "companion_start_conversation", jwt, {"intent": kind.value})


def _take_conversation(db: PostgrestHandle, jwt: str) -> IntentKind | None:
    """End the user's pending conversation; what it was waiting for, if it had not expired."""
    intent = _call(db, "companion_take_conversation", jwt, {})
    return next((kind for kind in PENDING if kind.value == intent), None)


def _file(
    db: PostgrestHandle, user_id: str, kind: IntentKind, filing: Filing, description: str
) -> Answer:
    filed = file_for_user(
        db,
        user_id=user_id,
        ticket_type=filing.ticket_type,
        description=description,
        category=filing.category,
    )
    return filed.message, _result("created", kind, data=dict(filed.data))


def _list_tickets(db: PostgrestHandle, jwt: str) -> Answer:
    data = _call(db, "list_my_tickets", jwt, {})
    tickets = data.get("tickets") or []
    # The statuses' words are rows of public.ticket_statuses, not a list of the bot's.
    statuses = {row["code"]: row["label"]
                for row in _call(db, "vocabulary_labels", jwt, {}).get("ticket_statuses") or []}
    reply = vocabulary.ticket_list(tickets, data.get("total") or 0, statuses)
    latest = _latest_support_reply(db, jwt, tickets)
    if latest:
        reply += "\n" + latest
    return reply, _result("listed", IntentKind.TICKETS, data=data)


def _rate(db: PostgrestHandle, jwt: str, details: str) -> Answer:
    # The intent's phrase guarantees a rating 1-5 first; what follows is the comment. Which
    # ticket (the user's latest resolved one) is the database's choice, without a ticket_id.
    rating, _, comment = details.partition(" ")
    sent: dict[str, Any] = {"rating": int(rating[:1])}
    if comment.strip():
        sent["comment"] = comment.strip()
    result = db.rpc("rate_ticket", jwt=jwt, body=sent)
    if not result.ok:
        error = error_from(result, sent)
        if result.status in (404, 409):
            # None to rate, rated already, the window passed: the database's words for the user.
            reply = vocabulary.refused(error.message, None)
            return reply, _result("refused", IntentKind.RATE, error=error)
        raise error
    data = result.json()
    return vocabulary.rated(data), _result("rated", IntentKind.RATE, data=data)


def _clear_match(words: str, posts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The post `words` clearly mean, or None when none does or several might."""
    named = [post for post in posts
             if str(post.get("title") or "").casefold() == words.strip().casefold()]
    if len(named) == 1:
        return named[0]
    if not posts:
        return None
    best = float(posts[0].get("score") or 0)
    runner_up = float(posts[1].get("score") or 0) if len(posts) > 1 else 0.0
    if best >= VOTE_MIN_SCORE and best - runner_up >= VOTE_MARGIN:
        return posts[0]
    return None


def _vote(db: PostgrestHandle, jwt: str, words: str) -> Answer:
    """Vote, as the user, for the public post that `words` clearly name (similar_posts, the
    board's own search); answer with the candidates, or that there is none, otherwise."""
    if not words:
        return ASK_VOTE, _result("asked", IntentKind.VOTE)
    found = _call(db, "similar_posts", jwt,
                  {"description": words, "page_size": str(VOTE_CANDIDATES)})
    posts = list(found.get("similar") or [])
    statuses = {row["code"]: row["label"]
                for row in _call(db, "vocabulary_labels", jwt, {}).get("feedback_statuses") or []}
    if not posts:
        return NO_POST, _result("no_match", IntentKind.VOTE, data={"candidates": []})
    chosen = _clear_match(words, posts)
    if chosen is None:
        return (vocabulary.vote_candidates(posts, statuses),
                _result("suggested", IntentKind.VOTE, data={"candidates": posts}))
    vote = _call(db, "vote_for_post", jwt, {"post_id": chosen["post_id"]})
    post = {**chosen, "vote_count": vote.get("vote_count")}
    return (vocabulary.voted(post, statuses),
            _result("voted", IntentKind.VOTE, data={**vote, "title": chosen.get("title"),
                                                    "status": chosen.get("status")}))


def _latest_support_reply(db: PostgrestHandle, jwt: str, tickets: list[Any]) -> str | None:
    """Support's newest public reply on the listed ticket with the newest message, if any."""
    talked = [ticket for ticket in tickets if ticket.get("last_message_at")]
    if not talked:
        return None
    newest = max(talked, key=lambda ticket: ticket["last_message_at"])
    detail = _call(db, "get_ticket", jwt, {"ticket_id": newest["ticket_id"]})
    answers = [m for m in detail.get("messages") or [] if m.get("author_kind") == "agent"]
    if not answers:
        return None
    return vocabulary.latest_support_reply(newest.get("subject"), answers[-1]["body"])


def _reply_on_latest(db: PostgrestHandle, jwt: str, text: str) -> Answer:
    """Send `text` on the user's newest ticket that still waits on someone (`waiting_on` is
    null only for closed ones), through reply_to_ticket as the user: the database applies the
    thread's rules (reopening, the reply limit, closed tickets)."""
    if not text:
        return vocabulary.ASK_REPLY, _result("asked", IntentKind.REPLY)
    tickets = _call(db, "list_my_tickets", jwt, {}).get("tickets") or []
    target = next((t for t in tickets if t.get("waiting_on") is not None), None)
    if target is None:
        return vocabulary.NO_OPEN_TICKET, _result("asked", IntentKind.REPLY)
    body = {"ticket_id": target["ticket_id"], "body": text}
    sent = _call(db, "reply_to_ticket", jwt, body)
    # The database reopens a resolved ticket on a reply; say so when its status changed.
    reopened = sent.get("status") != target.get("status")
    reply = vocabulary.replied(target.get("subject"), reopened)
    return reply, _result("replied", IntentKind.REPLY, data=sent)


def _act(
    db: PostgrestHandle, user_id: str, jwt: str, kind: IntentKind | None, details: str
) -> Answer:
    if kind is None:
        return vocabulary.HELP, _result("unknown_intent", None)
    if kind is IntentKind.RATE:
        return _rate(db, jwt, details)
    if kind is IntentKind.TICKETS:
        return _list_tickets(db, jwt)
    if kind is IntentKind.REPLY:
        return _reply_on_latest(db, jwt, details)
    if kind is IntentKind.VOTE:
        return _vote(db, jwt, details)
    words = VOCABULARY[kind]
    if not details and words.ask:
        _start_conversation(db, jwt, kind)
        return words.ask, _result("asked", kind)
    if kind is IntentKind.BUG:
        articles = help_offer.suggestions(db, _call, jwt, details)
        if articles:
            kept = help_offer.offer(db, _call, jwt, details, articles)
            data = {"offer_id": kept["offer_id"], "articles": articles}
            return vocabulary.help_offer(articles), _result("offered", kind, data=data)
    return _file(db, user_id, kind, words.filing, details)


def _answer_offer(
    db: PostgrestHandle, user_id: str, jwt: str, pending: dict[str, Any], text: str
) -> Answer | None:
    """The answer to a pending help offer: "yes" files nothing and counts the article as
    answering; "no" files the pending report and records the articles it was shown with.
    Anything else: None (the offer is dropped and the message handled as usual)."""
    answered = help_offer.answered_with(text, pending)
    if answered is not None:
        help_offer.record(db, _call, jwt, "answered", pending, [answered])
        data = {"offer_id": pending["offer_id"], "article_id": answered}
        return vocabulary.DEFLECTED, _result("deflected", IntentKind.BUG, data=data)
    if not help_offer.declined(text):
        return None
    filing = VOCABULARY[IntentKind.BUG].filing
    reply, result = _file(db, user_id, IntentKind.BUG, filing, pending["details"])
    ticket_id = (result.get("data") or {}).get("ticket_id")
    help_offer.record(db, _call, jwt, "ticket_filed", pending, pending["article_ids"], ticket_id)
    return reply, result


@bp.post("/messages")
def message() -> tuple[dict[str, Any], int]:
    _service_role_only()
    user_id, text = _message()
    db = get_postgrest()
    intent = parse_intent(text)
    kind = intent.kind if intent else None
    jwt = db.mint_user_jwt(user_id)
    try:
        # Every message ends a pending help offer and a pending conversation: it is either
        # their answer or a new request.
        offered = help_offer.take(db, _call, jwt)
        answer = _answer_offer(db, user_id, jwt, offered, text) if offered else None
        pending = _take_conversation(db, jwt)
        if answer is not None:
            reply, result = answer
        else:
            if intent is None and pending is not None:
                kind = pending
            details = intent.details if intent else text
            reply, result = _act(db, user_id, jwt, kind, details)
    except RateLimited as exc:
        reply, result = (
            vocabulary.refused(exc.message, exc.details),
            _result("rate_limited", kind, error=exc),
        )
    except UnknownUser as exc:
        reply, result = vocabulary.UNKNOWN_USER, _result("unknown_user", kind, error=exc)
    except InvalidInput as exc:
        reply, result = (
            vocabulary.refused(exc.message, None),
            _result("invalid_input", kind, error=exc),
        )
    except SupportError as exc:
        reply, result = vocabulary.FAILED, _result("failed", kind, error=exc)
    return {"reply": reply, "result": result}, 200
