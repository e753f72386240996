"""CORS for the Flask routes, as PostgREST answers it on /rest/v1/: any origin, no cookies.

Browser apps send the user's JWT in Authorization (never a cookie), so any origin may call;
what a script may read includes Retry-After (a 429 or 503 says when to come back) and
X-Request-Id. The answer names fixed lists and never repeats what the preflight asked for.
"""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = (
    "Authorization, Content-Type, Accept, Idempotency-Key, apikey, X-Client-Info, Prefer"
)
EXPOSED_HEADERS = "Content-Type, Date, Location, Retry-After, X-Request-Id"
PREFLIGHT_MAX_AGE = "86400"


def _preflight() -> Response | None:
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    response = Response(status=200)
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def _allow_origin(response: Response) -> Response:
    if "Origin" in request.headers:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def install_cors(app: Flask) -> None:
    app.before_request(_preflight)
    app.after_request(_allow_origin)
