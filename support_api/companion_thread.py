"""The companion's part of the ticket thread: "reply: ..." and support's latest answer.

A reply goes to the user's newest ticket that still waits on someone (`waiting_on` is null
only for closed tickets), among the first page of list_my_tickets, through reply_to_ticket as
the user: the database applies the thread's rules (reopening, the reply limit, closed tickets).
"ticket status" shows support's latest public reply under the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from support_api.companion_errors import error_from
from support_api.postgrest_handle import PostgrestHandle

ASK_REPLY = 'What should I send to support? Write "reply: " and your message.'
NO_OPEN_TICKET = (
    "You have no open ticket to reply to. Tell me what's wrong and I'll file one "
    '("report bug: ...").'
)


def _call(db: PostgrestHandle, function: str, body: Mapping[str, Any], jwt: str) -> Any:
    result = db.rpc(function, dict(body), jwt=jwt)
    if not result.ok:
        raise error_from(result, body)
    return result.json()


def reply_on_latest(db: PostgrestHandle, jwt: str, text: str) -> tuple[str, dict[str, Any] | None]:
    """(what to tell the user, the database's answer or None when nothing was sent)."""
    if not text:
        return ASK_REPLY, None
    tickets = _call(db, "list_my_tickets", {}, jwt).get("tickets") or []
    target = next((t for t in tickets if t.get("waiting_on") is not None), None)
    if target is None:
        return NO_OPEN_TICKET, None
    sent = _call(db, "reply_to_ticket", {"ticket_id": target["ticket_id"], "body": text}, jwt)
    # The database reopens a resolved ticket on a reply; say so when its status changed.
    reopened = " It is open again." if sent.get("status") != target.get("status") else ""
    return f'Sent to support on "{target.get("subject")}".{reopened}', sent


def latest_support_reply(
    db: PostgrestHandle, jwt: str, tickets: Sequence[Mapping[str, Any]]
) -> str | None:
    """Support's newest public reply on the listed ticket with the newest message, if any."""
    talked = [t for t in tickets if t.get("last_message_at")]
    if not talked:
        return None
    newest = max(talked, key=lambda t: t["last_message_at"])
    detail = _call(db, "get_ticket", {"ticket_id": newest["ticket_id"]}, jwt)
    answers = [m for m in detail.get("messages") or [] if m.get("author_kind") == "agent"]
    if not answers:
        return None
    return f'Latest reply from support on "{newest.get("subject")}": {answers[-1]["body"]}'
