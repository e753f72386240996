"""Blueprint `clients`: the contract's five operations and the thread, under /api/support,
with rating a ticket and listing one's feedback (docs/service-levels.md); blueprint `me`: the
user's copy of their data, under /api/me.

Each route takes the user's ``Authorization: Bearer <JWT>``, calls the matching RPC through
PostgREST with that token and relays the answer unchanged. PostgREST verifies the token
(signature, expiry, role); the database applies every rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Blueprint, Response, request

from support_api.errors import ApiError
from support_api.incoming import bearer_token, forwarded_headers, json_body, raw_json_body
from support_api.postgrest import RpcResult, get_postgrest

bp = Blueprint("clients", __name__, url_prefix="/api/support")
me_bp = Blueprint("me", __name__, url_prefix="/api/me")

# The query parameters of GET /api/support/tickets and /feedback; the database checks their values.
LIST_QUERY_PARAMETERS = ("status", "limit", "offset")
LIST_ENDPOINTS = ("clients.list_my_tickets", "clients.list_my_feedback")


@bp.before_request
@me_bp.before_request
def _known_query_parameters_only() -> None:
    """A query parameter the route does not have is a mistake of the caller: say so."""
    allowed = LIST_QUERY_PARAMETERS if request.endpoint in LIST_ENDPOINTS else ()
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            f'unknown query parameter "{unknown[0]}"',
            hint=f"This route takes: {', '.join(allowed) or 'no query parameters'}.",
        )


def _relayed(result: RpcResult) -> Response:
    """PostgREST's answer, unchanged: status, body bytes and the relayed headers."""
    response = Response(result.body, status=result.status)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers.update(result.headers)
    return response


def _call(
    function: str,
    *,
    jwt: str,
    body: bytes | None = None,
    query: Mapping[str, str] | None = None,
) -> Response:
    """Call `function` as the holder of `jwt`, with the caller's forwarded headers."""
    result = get_postgrest().rpc(
        function, jwt=jwt, body=body, query=query, headers=forwarded_headers()
    )
    return _relayed(result)


def _create(function: str) -> Response:
    token = bearer_token()
    return _call(function, jwt=token, body=raw_json_body())


@bp.post("/report-bug")
def report_bug() -> Response:
    return _create("report_bug")


@bp.post("/feedback")
def submit_feedback() -> Response:
    return _create("submit_feedback")


@bp.post("/tickets")
def create_support_ticket() -> Response:
    return _create("create_support_ticket")


def _list(function: str) -> Response:
    token = bearer_token()
    # PostgREST reserves `limit` and `offset` in a GET query string for its own paging, so
    # they travel to the function in a POST body.
    params = {name: request.args[name] for name in LIST_QUERY_PARAMETERS if name in request.args}
    return _call(function, jwt=token, body=json.dumps(params).encode())


@bp.get("/tickets")
def list_my_tickets() -> Response:
    return _list("list_my_tickets")


@bp.get("/feedback")
def list_my_feedback() -> Response:
    return _list("list_my_feedback")


@bp.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str) -> Response:
    token = bearer_token()
    return _call("get_ticket", jwt=token, query={"ticket_id": ticket_id})


@bp.post("/tickets/<ticket_id>/messages")
def reply_to_ticket(ticket_id: str) -> Response:
    token = bearer_token()
    body = json_body()
    # The ticket is the path's; a body that is no object goes on as it is, for the database
    # to refuse in its own words.
    sent = {**body, "ticket_id": ticket_id} if isinstance(body, dict) else body
    return _call("reply_to_ticket", jwt=token, body=json.dumps(sent).encode())


@bp.post("/tickets/<ticket_id>/close")
def close_ticket(ticket_id: str) -> Response:
    token = bearer_token()
    body = json.dumps({"ticket_id": ticket_id}).encode()
    return _call("close_ticket", jwt=token, body=body)


@bp.post("/tickets/<ticket_id>/rating")
def rate_ticket(ticket_id: str) -> Response:
    token = bearer_token()
    body = json_body()
    # The ticket is the one of the path; anything else in a non-object body is the
    # database's to refuse ("request body must be a JSON object").
    if isinstance(body, dict):
        body = {**body, "ticket_id": ticket_id}
    return _call("rate_ticket", jwt=token, body=json.dumps(body).encode())


@me_bp.get("/export")
def export_my_data() -> Response:
    """Everything stored about the caller, as one JSON document (RPC export_my_data)."""
    return _call("export_my_data", jwt=bearer_token())


@me_bp.post("/erase")
def erase_my_data() -> Response:
    """Erase the caller's support data (RPC erase_my_data): {erasure_id, status}."""
    return _call("erase_my_data", jwt=bearer_token(), body=b"{}")
