"""Typed errors of the companion helper, made from PostgREST's error answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from support_api.postgrest_handle import RpcResult

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
    return first_word if first_word in sent else None


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
