"""What a caller sent, read as transport only: the bearer token, the JSON body, and the
request headers passed on to PostgREST.

Nothing here knows a rule of the contract (lengths, enumerations, rate limits): the database
decides.
"""

from __future__ import annotations

import json
from typing import Any

from flask import g, request

from support_api.errors import ApiError, missing_bearer

# Request headers passed on to PostgREST as they came (the database interprets them).
FORWARDED_HEADERS = ("Idempotency-Key",)


def bearer_token() -> str:
    """The token of ``Authorization: Bearer <token>``; PostgREST verifies it, not us."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise missing_bearer()
    if not token.isascii():
        # Not a JWT, and not something an HTTP header to PostgREST can carry.
        raise ApiError(
            401,
            "The bearer token is not a JWT",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return token


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def json_body() -> Any:
    """The request's JSON value (any JSON); transport errors only."""
    return _checked_json()[1]


def raw_json_body() -> bytes:
    """The request's body as it came, once known to be JSON that PostgREST can take."""
    return _checked_json()[0]


def _checked_json() -> tuple[bytes, Any]:
    if request.mimetype != "application/json":
        raise ApiError(
            415,
            "Unsupported Content-Type",
            details=f"got {request.mimetype or 'no Content-Type'}",
            hint="Send the body as JSON with 'Content-Type: application/json'.",
        )
    raw = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413
    try:
        # Strict UTF-8: the body is sent on as it came, and PostgREST reads nothing else.
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant)
        if "\\u" in text:
            # A lone surrogate ("\ud800") parses but is no Unicode text: it cannot be sent on.
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError, RecursionError):
        raise ApiError(
            400,
            "Request body is not valid JSON",
            hint="Send one JSON value of UTF-8 text, nested at most a few hundred levels.",
        ) from None
    return raw, value


def forwarded_headers() -> dict[str, str]:
    headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
    for name, value in headers.items():
        if not value.isascii():
            raise ApiError(400, f"{name} must be ASCII", hint="Send a UUID.")
    if g.get("request_id"):
        headers["X-Request-Id"] = g.request_id
    return headers
