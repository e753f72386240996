"""Blueprint `staff`: CSV exports for staff, under /api/staff (docs/views-and-export.md).

``GET /api/staff/tickets.csv`` (a saved view's tickets in its columns, or a date range) and
``GET /api/staff/feedback.csv`` stream CSV. The rows come from the database, batch after batch
(``support_export_tickets`` / ``support_export_feedback``, keyset paging), each called through
PostgREST with the staff member's JWT, so the database decides who may export what (staff only;
internal notes only for an admin who asks) and memory holds one batch at a time, however many
rows the export has. The first batch is fetched before the answer starts: a refusal (403 for a
user, 404 for a view the caller cannot see, 400 for a bad parameter) is relayed as PostgREST's
JSON with its status. A failure after the first batch can only cut the stream short (the status has
been sent): the file then lacks its last rows.

Cells are written by the standard ``csv`` module (RFC 4180 quoting) after `safe_cell`: a text
a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return) is
prefixed with an apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping

from flask import Blueprint, Response, request, stream_with_context

from support_api.errors import ApiError
from support_api.incoming import bearer_token, forwarded_headers
from support_api.postgrest import RpcResult, get_postgrest

bp = Blueprint("staff", __name__, url_prefix="/api/staff")

# The query parameters of each route, as the database functions name them.
TICKET_PARAMETERS = ("view", "created_from", "created_to", "include_internal")
FEEDBACK_PARAMETERS = ("created_from", "created_to")
ROUTE_PARAMETERS = {
    "staff.export_tickets": TICKET_PARAMETERS,
    "staff.export_feedback": FEEDBACK_PARAMETERS,
}
# Rows per call to the database: large enough that the round trips cost little, small enough
# that a batch is a few hundred kilobytes.
BATCH_SIZE = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | None) -> str:
    """A cell a spreadsheet shows as text: null as empty, a would-be formula behind an
    apostrophe."""
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@bp.before_request
def _known_query_parameters_only() -> None:
    allowed = ROUTE_PARAMETERS.get(request.endpoint or "", ())
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            f'unknown query parameter "{unknown[0]}"',
            hint=f"This route takes: {', '.join(allowed)}.",
        )


def _relayed(result: RpcResult) -> Response:
    response = Response(result.body, status=result.status)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers.update(result.headers)
    return response


class _Batches:
    """The export's batches, one call to `function` each, as the holder of `jwt`."""

    def __init__(self, function: str, jwt: str, params: Mapping[str, str]) -> None:
        self.function = function
        self.jwt = jwt
        self.params = dict(params)
        self.headers = forwarded_headers()

    def fetch(self, cursor: str | None) -> RpcResult:
        body = {**self.params, "batch_size": str(BATCH_SIZE)}
        if cursor is not None:
            body["cursor"] = cursor
        return get_postgrest().rpc(
            self.function, jwt=self.jwt, body=json.dumps(body).encode(), headers=self.headers
        )


def _lines(batches: _Batches, first: dict) -> Iterator[str]:
    """The CSV text: the header, then each batch's rows, one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([safe_cell(label) for label in first["labels"]])
    batch = first
    while True:
        for row in batch["rows"]:
            writer.writerow([safe_cell(cell) for cell in row])
        yield flush()
        cursor = batch.get("next_cursor")
        if not cursor:
            return
        result = batches.fetch(cursor)
        if not result.ok:
            # The answer has started: the status cannot change. Stop here; the file lacks rows
            # (a client compares with the count it expected, or retries).
            return
        batch = result.json()


def _export(function: str, parameters: tuple[str, ...], filename: str) -> Response:
    token = bearer_token()
    params = {name: request.args[name] for name in parameters if name in request.args}
    batches = _Batches(function, token, params)
    first = batches.fetch(None)
    if not first.ok:
        return _relayed(first)
    response = Response(
        stream_with_context(_lines(batches, first.json())),
        mimetype="text/csv",
    )
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    # Ask the gateway (nginx) not to buffer the stream: rows reach the client as they come.
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/tickets.csv")
def export_tickets() -> Response:
    """A saved view's tickets (view=<id>) and/or a date range, in the view's columns."""
    return _export("support_export_tickets", TICKET_PARAMETERS, "tickets.csv")


@bp.get("/feedback.csv")
def export_feedback() -> Response:
    """Feedback created in a date range (created_from, created_to)."""
    return _export("support_export_feedback", FEEDBACK_PARAMETERS, "feedback.csv")
