"""`/api/notifications/unsubscribe`: the one-click unsubscribe link of every email (RFC 8058).

The mail client POSTs `List-Unsubscribe=One-Click` to the link; a person who opens it in a
browser gets a page with one button that POSTs the same. The signed token names the user and
the kinds; the route turns those off through PostgREST with a one-minute JWT for that user, so
the database applies its own rules (policies, the kinds' foreign key) as for any call.

`/api/notifications/unfollow` is the same for one public post: the link of a post_status email
(its List-Unsubscribe) carries a token naming the user and the post, and the route calls
`unfollow_post` as that user.
"""

from __future__ import annotations

import base64
import hashlib
import html

from flask import Blueprint, Response, current_app, json, request

from support_api.errors import ApiError
from support_api.postgrest import RpcResult, get_postgrest
from support_runtime.unsubscribe_tokens import InvalidToken, verify, verify_unfollow

bp = Blueprint("notifications", __name__, url_prefix="/api/notifications")

_STYLE = ("body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; } "
          "h1 { font-size: 1.4rem; }")
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title>
<style>""" + _STYLE.replace("{", "{{").replace("}", "}}") + """</style></head>
<body>
<h1>Stop these emails?</h1>
<p>You will no longer get emails about: {kinds}. You can turn them on again in the app.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form>
</body></html>
"""
_UNFOLLOW_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unfollow</title>
<style>""" + _STYLE + """</style></head>
<body>
<h1>Stop news of this post?</h1>
<p>You will no longer be told when this post moves on the board. Your vote stays.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unfollow</button></form>
</body></html>
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
# The link carries the user's token in its query string: no page may frame it (a click-jacked
# unsubscribe), no Referer may carry it off, no cache may keep it; the page runs no script and
# loads nothing, its one form posts back to itself.
PAGE_HEADERS = {
    "Content-Security-Policy": (f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


@bp.after_request
def _page_headers(response: Response) -> Response:
    response.headers.update(PAGE_HEADERS)
    return response


def _token_claims() -> tuple[str, list[str]]:
    token = request.args.get("token", "")
    try:
        return verify(current_app.config["SUPPORT_API_SETTINGS"].jwt_secret, token)
    except InvalidToken:
        raise ApiError(400, "The unsubscribe link is not valid",
                       hint="Use the link of the email as it was sent.") from None


@bp.get("/unsubscribe")
def unsubscribe_page() -> Response:
    _, kinds = _token_claims()
    page = _PAGE.format(kinds=html.escape(", ".join(kinds)))
    return Response(page, mimetype="text/html")


@bp.post("/unsubscribe")
def unsubscribe() -> Response:
    user_id, kinds = _token_claims()
    postgrest = get_postgrest()
    result = postgrest.rpc("set_email_notifications",
                           jwt=postgrest.mint_user_jwt(user_id, via="unsubscribe"),
                           body={"kinds": kinds, "enabled": False})
    if not result.ok:
        # The database's refusal (e.g. a kind removed since the email was sent), as it came.
        refusal = Response(result.body, status=result.status, mimetype="application/json")
        refusal.headers.update(result.headers)
        return refusal
    return Response(json.dumps({"unsubscribed": kinds}), status=200,
                    mimetype="application/json")


def _unfollow_claims() -> tuple[str, str]:
    token = request.args.get("token", "")
    try:
        return verify_unfollow(current_app.config["SUPPORT_API_SETTINGS"].jwt_secret, token)
    except InvalidToken:
        raise ApiError(400, "The unfollow link is not valid",
                       hint="Use the link of the email as it was sent.") from None


def _relayed(result: RpcResult) -> Response:
    """The database's refusal (e.g. the post deleted since the email was sent), as it came."""
    refusal = Response(result.body, status=result.status, mimetype="application/json")
    refusal.headers.update(result.headers)
    return refusal


@bp.get("/unfollow")
def unfollow_page() -> Response:
    # Changes nothing: a link scanner that opens every link of an email unfollows nothing.
    _unfollow_claims()
    return Response(_UNFOLLOW_PAGE, mimetype="text/html")


@bp.post("/unfollow")
def unfollow() -> Response:
    user_id, post_id = _unfollow_claims()
    postgrest = get_postgrest()
    result = postgrest.rpc("unfollow_post", jwt=postgrest.mint_user_jwt(user_id, via="unfollow"),
                           body={"post_id": post_id})
    if not result.ok:
        return _relayed(result)
    return Response(result.body, status=200, mimetype="application/json")
