"""One structured access-log line per request, on stderr, and nothing else about it.

A line holds the method, the route rule (``/api/support/tickets/<ticket_id>``, never the raw
URL, which could carry an id or a query), the status, the duration in milliseconds and the
request id (the gateway's ``X-Request-Id``, or a new one). Never a body, a header value other
than the request id, a token, or ticket content.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request

ACCESS_LOGGER = "support_api.access"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _configure_logger() -> logging.Logger:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    # Unhandled-exception records from errors.py go to the same place.
    errors = logging.getLogger("support_api.errors")
    if not errors.handlers:
        errors.addHandler(logger.handlers[0])
        errors.propagate = False
    return logger


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def install_access_log(app: Flask) -> None:
    logger = _configure_logger()

    @app.after_request
    def _log(response: Response) -> Response:
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if request.url_rule:
            # The gateway logs this template instead of the path a caller wrote.
            response.headers["X-Route"] = request.url_rule.rule
        logger.info(
            json.dumps(
                {
                    "event": "access",
                    "method": request.method,
                    "route": request.url_rule.rule if request.url_rule else None,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "request_id": g.get("request_id"),
                }
            )
        )
        return response

    app.before_request(_start)
