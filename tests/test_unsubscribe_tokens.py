"""An unsubscribe token and a JWT never stand in for each other.

The token of an email's unsubscribe link is signed with a key derived from the JWT secret for
that one purpose and is not a JWT: PostgREST, the Flask routes and the companion refuse it as a
bearer token. A JWT of any kind (a user's, the one the companion mints, the service key, one
signed with the JWT secret in the token's own shape) is no unsubscribe link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import httpx
import pytest

from support_api.postgrest import PostgrestHandle
from support_runtime.unsubscribe_tokens import sign, sign_unfollow

pytestmark = pytest.mark.local_stack


def preferences(db, user_id: str) -> list[tuple[str, bool]]:
    return db.execute("select kind, email from public.notification_preferences "
                      "where user_id = %s order by kind", (user_id,)).fetchall()


def test_an_unsubscribe_token_is_refused_as_a_bearer_token_everywhere(stack, make_user):
    user = make_user()
    token = sign(stack.jwt_secret, user.id, ["reply"])
    calls = {
        "PostgREST": ("POST", f"{stack.rest_url}/rpc/set_email_notifications",
                      {"kinds": ["reply"], "enabled": True}),
        "Flask": ("GET", f"{stack.api_url}/support/tickets", None),
        "companion": ("POST", f"{stack.api_url}/companion/messages",
                      {"user_id": user.id, "text": "report bug: it crashes"}),
    }
    for where, (method, url, body) in calls.items():
        answer = httpx.request(method, url, json=body, timeout=10,
                               headers={"apikey": stack.anon_key,
                                        "Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, (where, answer.text)
        assert user.id not in answer.text and token not in answer.text, where
    # The same user's JWT is accepted where the token is not: the refusal is the token's.
    accepted = httpx.post(calls["PostgREST"][1], json=calls["PostgREST"][2], timeout=10,
                          headers={"apikey": stack.anon_key,
                                   "Authorization": f"Bearer {user.jwt}"})
    assert accepted.status_code in (200, 204), accepted.text


def test_no_jwt_is_an_unsubscribe_link(stack, db, make_user):
    user = make_user()
    handle = PostgrestHandle(stack.rest_url, anon_key=stack.anon_key,
                             jwt_secret=stack.jwt_secret)
    payload = base64.urlsafe_b64encode(json.dumps(
        {"u": user.id, "k": ["reply"]}).encode()).rstrip(b"=").decode()
    # The token's own shape, signed with the JWT secret instead of the derived key.
    mac = hmac.new(stack.jwt_secret.encode(), payload.encode(), hashlib.sha256).digest()
    forged = f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    tokens = {
        "user JWT": user.jwt,
        "companion JWT": handle.mint_user_jwt(user.id),
        "unsubscribe route's JWT": handle.mint_user_jwt(user.id, via="unsubscribe"),
        "service_role key": stack.service_role_key,
        "signed with the JWT secret": forged,
    }
    handle.close()
    before = preferences(db, user.id)
    for name, token in tokens.items():
        answer = httpx.post(f"{stack.api_url}/notifications/unsubscribe",
                            params={"token": token}, content="List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"},
                            timeout=10)
        assert answer.status_code == 400, (name, answer.text)
        assert answer.json()["message"] == "The unsubscribe link is not valid", name
        assert user.id not in answer.text, name
    assert preferences(db, user.id) == before
    # A token of the right kind does what the others could not.
    real = httpx.post(f"{stack.api_url}/notifications/unsubscribe", timeout=10,
                      params={"token": sign(stack.jwt_secret, user.id, ["reply"])})
    assert real.json() == {"unsubscribed": ["reply"]}
    assert preferences(db, user.id) == [("reply", False)]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("valid", [True, False])
def test_the_unsubscribe_page_cannot_be_framed_cached_or_leak_its_link(
    stack, make_user, method, valid
):
    user = make_user()
    token = sign(stack.jwt_secret, user.id, ["reply"]) if valid else "not-a-token"
    answer = httpx.request(method, f"{stack.api_url}/notifications/unsubscribe",
                           params={"token": token}, timeout=10)
    assert answer.status_code == (200 if valid else 400), answer.text
    policy = answer.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    if method == "GET" and valid:
        # The page's only style is the one the policy's hash allows.
        style = re.search(r"<style>(.*?)</style>", answer.text, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
        assert "style=" not in answer.text and "<script" not in answer.text


def test_an_unfollow_token_is_neither_a_jwt_nor_an_unsubscribe_link(stack, db, make_user):
    """The unfollow link of a post's email (issue 29) is signed for that purpose only: no
    bearer token, no unsubscribe link; and an unsubscribe token unfollows nothing."""
    user = make_user()
    post = "5eedb0a0-0000-4000-8000-000000000001"  # a post of the seed
    token = sign_unfollow(stack.jwt_secret, user.id, post)
    bearer = httpx.post(f"{stack.rest_url}/rpc/unfollow_post", json={"post_id": post},
                        timeout=10, headers={"apikey": stack.anon_key,
                                             "Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401, bearer.text
    as_unsubscribe = httpx.post(f"{stack.api_url}/notifications/unsubscribe",
                                params={"token": token}, timeout=10)
    assert as_unsubscribe.status_code == 400, as_unsubscribe.text
    as_unfollow = httpx.post(f"{stack.api_url}/notifications/unfollow",
                             params={"token": sign(stack.jwt_secret, user.id, ["reply"])},
                             timeout=10)
    assert as_unfollow.status_code == 400
    assert as_unfollow.json()["message"] == "The unfollow link is not valid"
    assert preferences(db, user.id) == []
    assert db.execute("select count(*) from public.post_unfollows where user_id = %s",
                      (user.id,)).fetchone()[0] == 0
