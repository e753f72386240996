"""Every error the API answers, in PostgREST's shape: {"code", "message", "details", "hint"}.

Errors that PostgREST (that is, the database) produced are relayed unchanged by the routes;
this module shapes only the errors of the HTTP layer itself (missing bearer token, a body that
is not JSON, a body too large, PostgREST unreachable). Their codes start with ``SAPI`` so
that they never collide with PostgREST's ``PGRST...`` codes or SQLSTATEs (the local gateway's
own refusals start with ``GATEWAY``). They are not read from the database's refusal catalog
(public.support_messages): they are answered before or without a call to PostgREST and must
hold when it cannot be reached (docs/architecture.md, "Refusals and parameters").
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping

from flask import Flask, Response, g, json
from werkzeug.exceptions import HTTPException

from support_api.postgrest import PostgrestFailed, PostgrestUnavailable

log = logging.getLogger("support_api.errors")


class ApiError(Exception):
    """An error answered in PostgREST's shape with the given status and headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: str | None = None,
        hint: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or f"SAPI{status}"
        self.message = message
        self.details = details
        self.hint = hint
        self.headers = dict(headers or {})

    def body(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "message": self.message,
            "details": self.details,
            "hint": self.hint,
        }


def missing_bearer() -> ApiError:
    return ApiError(
        401,
        "Missing bearer token",
        hint="Send the user's JWT as 'Authorization: Bearer <token>'.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def error_response(error: ApiError) -> Response:
    response = Response(json.dumps(error.body()), status=error.status, mimetype="application/json")
    response.headers.update(error.headers)
    return response


def _from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {}
    if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return error_response(ApiError(status, exc.name, details=exc.description, headers=headers))


def _unavailable(exc: PostgrestUnavailable) -> Response:
    return error_response(
        ApiError(
            503,
            "The database API is unavailable",
            details=exc.reason,
            hint="Retry shortly.",
            headers={"Retry-After": "1"},
        )
    )


def _failed(_: PostgrestFailed) -> Response:
    return error_response(ApiError(
        500, "Internal server error",
        details="The database could not complete the request; nothing was changed."))


def _unexpected(exc: Exception) -> Response:
    # The exception's text may quote request data, so only its type and where it was raised
    # reach the log, never its message.
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f"{frame[0].filename}:{frame[0].lineno}" if frame else "?"
    log.error(
        json.dumps(
            {
                "event": "unhandled_exception",
                "type": type(exc).__name__,
                "where": where,
                "request_id": g.get("request_id"),
            }
        )
    )
    return error_response(ApiError(500, "Internal server error"))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, error_response)
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(PostgrestUnavailable, _unavailable)
    app.register_error_handler(PostgrestFailed, _failed)
    app.register_error_handler(Exception, _unexpected)
