"""Blueprint `board`: the public feedback board for signed-in users, under /api/board.

GET /api/board/posts lists the public posts (most voted first, whether you voted); POST and
DELETE /api/board/posts/<post_id>/vote vote for a post and withdraw the vote
(docs/feedback-board.md).
Each route calls the matching RPC through PostgREST with the caller's JWT and relays the answer
unchanged: one vote per user per post, the count and the vote rate limit are the database's.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from support_api.errors import ApiError
from support_api.incoming import bearer_token, forwarded_headers, json_body
from support_api.postgrest import get_postgrest

bp = Blueprint("board", __name__, url_prefix="/api/board")
feedback_bp = Blueprint("board_feedback", __name__, url_prefix="/api/support")

LIST_QUERY_PARAMETERS = ("status", "limit", "offset")


@bp.before_request
@feedback_bp.before_request
def _known_query_parameters_only() -> None:
    allowed = {
        "board.list_posts": LIST_QUERY_PARAMETERS,
        "board_feedback.similar_posts": ("page_size",),
    }.get(request.endpoint or "", ())
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            f'unknown query parameter "{unknown[0]}"',
            hint=f"This route takes: {', '.join(allowed) or 'no query parameters'}.",
        )


def _call(function: str, body: dict[str, object]) -> Response:
    result = get_postgrest().rpc(
        function, jwt=bearer_token(), body=json.dumps(body).encode(), headers=forwarded_headers()
    )
    response = Response(result.body, status=result.status)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers.update(result.headers)
    return response


@bp.get("/posts")
def list_posts() -> Response:
    # PostgREST reserves `limit` and `offset` in a GET query, so they travel in a POST body.
    params = {name: request.args[name] for name in LIST_QUERY_PARAMETERS if name in request.args}
    return _call("board_posts", params)


@bp.post("/posts/<post_id>/vote")
def vote_for_post(post_id: str) -> Response:
    return _call("vote_for_post", {"post_id": post_id})


@bp.delete("/posts/<post_id>/vote")
def withdraw_vote(post_id: str) -> Response:
    return _call("withdraw_vote", {"post_id": post_id})


@feedback_bp.post("/feedback/similar")
def similar_posts() -> Response:
    """"Vote for this instead": the posts like the feedback about to be filed (its body as for
    POST /api/support/feedback; only description is read). Nothing is filed."""
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    description = body.get("description")
    # PostgREST would read a number or a boolean as its text, so the type is checked here.
    if description is not None and not isinstance(description, str):
        raise ApiError(400, "description must be a string")
    sent: dict[str, object] = {"description": description}
    if "page_size" in request.args:
        sent["page_size"] = request.args["page_size"]
    return _call("similar_posts", sent)
