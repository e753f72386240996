"""The companion's pending question per user, kept in the database (any worker can answer).

Both calls act as the user (their minted JWT): Row Level Security limits them to the user's
own row, and the 15-minute expiry is applied by `companion_take_conversation()` in SQL.
"""

from __future__ import annotations

from support_api.companion_errors import error_from
from support_api.companion_intents import IntentKind
from support_api.postgrest_handle import PostgrestHandle


def start_conversation(db: PostgrestHandle, *, jwt: str, kind: IntentKind) -> None:
    """Remember that the user's next message is to be filed as `kind`."""
    body = {"intent": kind.value}
    result = db.rpc("companion_start_conversation", body, jwt=jwt)
    if not result.ok:
        raise error_from(result, body)


def take_conversation(db: PostgrestHandle, *, jwt: str) -> IntentKind | None:
    """End the user's pending conversation; what it was waiting for, if it had not expired."""
    result = db.rpc("companion_take_conversation", {}, jwt=jwt)
    if not result.ok:
        raise error_from(result, {})
    intent = result.json()
    return IntentKind(intent) if intent in IntentKind._value2member_map_ else None
