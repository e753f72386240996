"""Blueprint `companion`: POST /api/companion/messages, the companion bot's one endpoint.

The bot authenticates with the project's service_role key (a JWT, verified with the project
secret and its ``role`` claim, never compared as a string) and sends
``{"user_id": "<uuid>", "text": "<what the user wrote>"}``. The route acts as that user with a
JWT minted for 60 seconds, so their tickets meet every policy and rate limit of the database,
and answers ``{"reply": "<text for the user>", "result": {...}}``. Refusals of the database
(rate limit, invalid input, unknown user) are replies too, with status 200: the bot always
has something to tell the user.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint

from support_api import companion_replies as replies
from support_api.companion_conversations import start_conversation, take_conversation
from support_api.companion_errors import (
    InvalidInput,
    RateLimited,
    SupportError,
    UnknownUser,
    error_from,
)
from support_api.companion_intents import IntentKind, parse_intent
from support_api.companion_tickets import file_for_user
from support_api.errors import ApiError
from support_api.postgrest_handle import PostgrestHandle, PostgrestUnavailable
from support_api.relay import bearer_token, handle, json_body, unavailable

bp = Blueprint("companion", __name__, url_prefix="/api/companion")

Answer = tuple[str, dict[str, Any]]

# How each filing intent is filed: the helper's ticket type and, for feedback, its category.
_FILING: dict[IntentKind, tuple[str, str | None]] = {
    IntentKind.BUG: ("bug", None),
    IntentKind.FEEDBACK: ("feedback", None),  # the helper's default category
    IntentKind.FEATURE_REQUEST: ("feedback", IntentKind.FEATURE_REQUEST.value),
}


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


def _service_role_only(db: PostgrestHandle) -> None:
    if not db.verify_service_role(bearer_token()):
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


def _file(db: PostgrestHandle, user_id: str, kind: IntentKind, description: str) -> Answer:
    ticket_type, category = _FILING[kind]
    filed = file_for_user(
        db,
        user_id=user_id,
        ticket_type=ticket_type,
        description=description,
        category=category,
    )
    return filed.message, _result("created", kind, data=dict(filed.data))


def _list_tickets(db: PostgrestHandle, jwt: str) -> Answer:
    result = db.rpc("list_my_tickets", {}, jwt=jwt)
    if not result.ok:
        raise error_from(result, {})
    data = result.json()
    reply = replies.ticket_list(data.get("tickets") or [], data.get("total") or 0)
    return reply, _result("listed", IntentKind.TICKETS, data=data)


def _latest_settled_ticket(db: PostgrestHandle, jwt: str) -> dict[str, Any] | None:
    """The user's newest resolved ticket, else their newest closed one."""
    for status in ("resolved", "closed"):
        sent = {"status": status, "limit": "1"}
        result = db.rpc("list_my_tickets", sent, jwt=jwt)
        if not result.ok:
            raise error_from(result, sent)
        tickets = result.json().get("tickets") or []
        if tickets:
            return tickets[0]
    return None


def _rate(db: PostgrestHandle, jwt: str, details: str) -> Answer:
    # The intent's pattern guarantees a rating 1-5 first; what follows is the comment.
    rating, _, comment = details.partition(" ")
    ticket = _latest_settled_ticket(db, jwt)
    if ticket is None:
        return replies.NOTHING_TO_RATE, _result("nothing_to_rate", IntentKind.RATE)
    sent: dict[str, Any] = {"ticket_id": ticket["ticket_id"], "rating": int(rating[:1])}
    if comment.strip():
        sent["comment"] = comment.strip()
    result = db.rpc("rate_ticket", sent, jwt=jwt)
    if not result.ok:
        error = error_from(result, sent)
        if result.status in (404, 409):
            # Rated already, or the window passed: the database's words for the user.
            return replies.refused(error.message, None), _result(
                "refused", IntentKind.RATE, error=error
            )
        raise error
    return replies.rated(ticket, sent["rating"]), _result(
        "rated", IntentKind.RATE, data=result.json()
    )


def _act(
    db: PostgrestHandle, user_id: str, jwt: str, kind: IntentKind | None, details: str
) -> Answer:
    if kind is None:
        return replies.HELP, _result("unknown_intent", None)
    if kind is IntentKind.TICKETS:
        return _list_tickets(db, jwt)
    if kind is IntentKind.RATE:
        return _rate(db, jwt, details)
    if not details:
        start_conversation(db, jwt=jwt, kind=kind)
        return replies.ASK[kind], _result("asked", kind)
    return _file(db, user_id, kind, details)


@bp.post("/messages")
def message() -> tuple[dict[str, Any], int]:
    db = handle()
    _service_role_only(db)
    user_id, text = _message()
    intent = parse_intent(text)
    kind = intent.kind if intent else None
    jwt = db.mint_user_jwt(user_id)
    try:
        # Every message ends a pending conversation: it is either its answer or a new request.
        pending = take_conversation(db, jwt=jwt)
        if intent is None and pending is not None:
            kind = pending
        details = intent.details if intent else text
        reply, result = _act(db, user_id, jwt, kind, details)
    except RateLimited as exc:
        reply, result = (
            replies.refused(exc.message, exc.details),
            _result("rate_limited", kind, error=exc),
        )
    except UnknownUser as exc:
        reply, result = replies.UNKNOWN_USER, _result("unknown_user", kind, error=exc)
    except InvalidInput as exc:
        reply, result = (
            replies.refused(exc.message, None),
            _result("invalid_input", kind, error=exc),
        )
    except SupportError as exc:
        reply, result = replies.FAILED, _result("failed", kind, error=exc)
    except PostgrestUnavailable as exc:
        raise unavailable(exc) from None
    return {"reply": reply, "result": result}, 200
