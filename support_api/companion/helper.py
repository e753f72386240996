"""`create_ticket_from_companion`: file a bug report or feedback for a user known only by id.

For bot code that runs in-process (the contract's helper), and used by the companion route::

    from support_api import PostgrestHandle, create_ticket_from_companion

    db = PostgrestHandle(url, anon_key=anon_key, jwt_secret=jwt_secret)  # once per process
    ticket_id = await create_ticket_from_companion(
        user_id="user-uuid", ticket_type="bug", description="What the user said", db=db
    )

``db`` is the project's PostgREST handle (`support_api.postgrest.PostgrestHandle`, the same
transport the Flask routes use): PostgREST's URL, the anon key, the JWT secret and one
connection pool. The helper mints a JWT for the user that lives 60 seconds (role
``authenticated``) and calls ``report_bug`` or ``submit_feedback`` as them, so the ticket
obeys the same policies and rate limits as one the user files themselves. The call itself is
the synchronous `file_for_user`, shared with the Flask route; the helper runs it in a worker
thread so that it never blocks the event loop.

A refusal of the database becomes a typed error made from PostgREST's answer: `RateLimited`
(``retry_after``), `InvalidInput` (``field``), `UnknownUser`, or `SupportError`.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from support_api.postgrest import PostgrestHandle, RpcResult

# PostgreSQL's foreign_key_violation: a ticket for a user id that is not in auth.users.
_FOREIGN_KEY_VIOLATION = "23503"
_UNKNOWN_FIELD = re.compile(r'unknown field "([^"]+)"')


class SupportError(Exception):
    """The database refused a request; carries PostgREST's error object and status."""

    def __init__(self, status: int, error: Mapping[str, Any]) -> None:
        self.status = status
        self.error = dict(error)
        self.code: str | None = error.get("code")
        self.message: str = str(error.get("message") or "request refused")
        self.details: Any = error.get("details")
        self.hint: Any = error.get("hint")
        super().__init__(self.message)


class RateLimited(SupportError):
    """Too many of this kind in the last hour; `retry_after` is seconds to wait."""

    def __init__(self, status: int, error: Mapping[str, Any], retry_after: int) -> None:
        super().__init__(status, error)
        self.retry_after = retry_after


class InvalidInput(SupportError):
    """The database rejected a field; `field` names it (None when it cannot be told)."""

    def __init__(self, status: int, error: Mapping[str, Any], field: str | None) -> None:
        super().__init__(status, error)
        self.field = field


class UnknownUser(SupportError):
    """The user id is not a user of the project."""


def _retry_after(result: RpcResult, error: Mapping[str, Any]) -> int:
    header = result.headers.get("Retry-After", "")
    if header.isdigit():
        return int(header)
    found = re.search(r"\d+", str(error.get("details") or ""))
    return int(found.group()) if found else 0


def _field_named(error: Mapping[str, Any], sent: Mapping[str, Any]) -> str | None:
    """Which field an input error is about: the database's messages start with the field."""
    message = str(error.get("message") or "")
    unknown = _UNKNOWN_FIELD.search(message)
    if unknown:
        return unknown.group(1)
    first_word = message.split(" ", 1)[0]
    # A custom field is named as fields.<key>.
    return first_word if first_word.split(".", 1)[0] in sent else None


def error_from(result: RpcResult, sent: Mapping[str, Any]) -> SupportError:
    """The typed error for a failed call that sent the object `sent`."""
    error = result.error()
    if result.status == 429:
        return RateLimited(result.status, error, _retry_after(result, error))
    if error.get("code") == _FOREIGN_KEY_VIOLATION:
        return UnknownUser(result.status, error)
    if result.status == 400:
        return InvalidInput(result.status, error, _field_named(error, sent))
    return SupportError(result.status, error)


# The helper's ticket types and the RPC each one calls, with the fields it adds to the body.
_RPC_FOR_TYPE: dict[str, str] = {"bug": "report_bug", "feedback": "submit_feedback"}
DEFAULT_FEEDBACK_CATEGORY = "other"


@dataclass(frozen=True)
class Filed:
    """A created ticket or feedback entry: its id and the database's whole answer."""

    id: str
    data: Mapping[str, Any]

    @property
    def message(self) -> str:
        return str(self.data.get("message") or "")


def _helper_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(400, {"code": "SAPI400", "message": message}, field)


def file_for_user(
    db: PostgrestHandle,
    *,
    user_id: str,
    ticket_type: str,
    description: str,
    category: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> Filed:
    """File as `user_id`; raises RateLimited, InvalidInput, UnknownUser or SupportError.

    `fields` are the user-visible custom fields of bugs ({key: value}); the database checks them.

    Raises `PostgrestUnavailable` when PostgREST does not answer.
    """
    try:
        user = str(uuid.UUID(str(user_id)))
    except ValueError:
        raise _helper_error("user_id", "user_id must be a UUID") from None
    function = _RPC_FOR_TYPE.get(ticket_type)
    if function is None:
        raise _helper_error("ticket_type", "ticket_type must be 'bug' or 'feedback'")
    if ticket_type == "bug" and category is not None:
        raise _helper_error("category", "category applies to feedback only")
    if ticket_type == "feedback" and fields:
        raise _helper_error("fields", "fields apply to bugs only")
    body: dict[str, Any] = {"description": description}
    if ticket_type == "feedback":
        body = {"category": category or DEFAULT_FEEDBACK_CATEGORY, **body}
    if fields:
        body["fields"] = dict(fields)

    result = db.rpc(function, jwt=db.mint_user_jwt(user), body=body)
    if not result.ok:
        raise error_from(result, body)
    data = result.json()
    created_id = (
        (data.get("ticket_id") or data.get("feedback_id")) if isinstance(data, dict) else None
    )
    if not created_id:
        raise SupportError(result.status, {"message": "the database answered without an id"})
    return Filed(str(created_id), data)


async def create_ticket_from_companion(
    *,
    user_id: str,
    ticket_type: str,
    description: str,
    db: PostgrestHandle,
    category: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> str:
    """The id of the new ticket (``ticket_type="bug"``) or feedback (``"feedback"``).

    Feedback is filed with category ``other`` unless `category` says otherwise; a bug takes
    the user-visible custom fields of bugs as `fields` ({key: value}). Raises
    `RateLimited` (``retry_after`` seconds), `InvalidInput` (``field``), `UnknownUser`,
    `SupportError` for any other refusal, `PostgrestUnavailable` when PostgREST is down.
    """
    filed = await asyncio.to_thread(
        file_for_user,
        db,
        user_id=user_id,
        ticket_type=ticket_type,
        description=description,
        category=category,
        fields=fields,
    )
    return filed.id
