"""A JWT attack matrix against PostgREST, the Flask client routes and the companion endpoint.

Forged tokens (no signature, another secret, RS256/HS256 confusion, a key the project does not
have), tokens out of their time window, tokens without a user, tokens naming a database role
that no client may take, and the valid token of a deleted user. Each is refused with a clear
4xx in the error shape, never a 500, and nothing is stored: every attack carries a body with a
unique description, which no row of either table may hold afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hostile_support import (
    CREATES,
    MARKER,
    PATHS,
    Create,
    assert_clear_error,
    count_rows,
    headers_for,
)

from support_runtime.tokens import mint_jwt

OTHER_SECRET = b"another-secret-of-at-least-32-characters!!"
# A key pair the project knows nothing of; its public half is what an attacker would find
# published and try as an HMAC secret (the RS256/HS256 confusion).
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def segment(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def hmac_signed(header: dict[str, Any], claims: dict[str, Any], key: bytes) -> str:
    """HMAC-SHA256 over header.claims whatever `alg` the header claims (jwt.encode checks)."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    digest = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def claims_for(user_id: str, role: str) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user_id,
        "role": role,
        "iat": now,
        "exp": now + 3600,
        # Planted where a server that logs a refused token's claims would write it.
        "email": f"{MARKER}@example.test",
    }
    if role == "authenticated":
        claims["aud"] = "authenticated"
    return claims


HS256 = {"alg": "HS256", "typ": "JWT"}


def forge(attack: str, secret: str, claims: dict[str, Any]) -> str:
    """A token for `claims` that the project's secret must not accept."""
    now = int(time.time())
    if attack == "alg_none":
        return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims)}."
    if attack == "another_secret":
        return hmac_signed(HS256, claims, OTHER_SECRET)
    if attack == "public_key_as_hmac_secret":
        return hmac_signed(HS256, claims, PUBLIC_PEM)
    if attack == "rs256_header_on_an_hmac_signature":
        return hmac_signed({"alg": "RS256", "typ": "JWT"}, claims, secret.encode())
    if attack == "rs256_signed_with_a_foreign_key":
        return jwt.encode(claims, RSA_KEY, algorithm="RS256")
    # Signed with the real secret, outside the time window (PostgREST allows 30 s of skew).
    window = {
        "expired": {"iat": now - 7200, "exp": now - 120},
        "not_yet_valid": {"nbf": now + 3600},
        "issued_in_the_future": {"iat": now + 3600, "exp": now + 7200},
    }[attack]
    return hmac_signed(HS256, {**claims, **window}, secret.encode())


# What PostgREST answers each forged or untimely token (relayed as is by the Flask layer).
REFUSALS = {
    "alg_none": "JWSError JWSNoSignatures",
    "another_secret": "JWSError JWSInvalidSignature",
    "public_key_as_hmac_secret": "JWSError JWSInvalidSignature",
    "rs256_header_on_an_hmac_signature": "JWSError JWSInvalidSignature",
    "rs256_signed_with_a_foreign_key": "JWSError JWSInvalidSignature",
    "expired": "JWT expired",
    "not_yet_valid": "JWTNotYetValid",
    "issued_in_the_future": "JWTIssuedAtFuture",
}
CREATE_IDS = [create.rpc for create in CREATES]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def attempt(
    http: httpx.Client, stack: Any, create: Create, via: str, token: str | None
) -> tuple[httpx.Response, str]:
    """Files `create` with `token`; returns the answer and the body's unique description."""
    description = f"{MARKER} jwt attack {uuid.uuid4()}"
    response = http.post(
        stack.gateway_url + create.path(via),
        json={**create.body, "description": description},
        headers=headers_for(stack, token, via),
    )
    return response, description


def stored_with(db: Any, description: str) -> int:
    """Rows of either table holding `description`, whoever they belong to."""
    return db.execute(
        "select (select count(*) from public.support_tickets where description = %(d)s)"
        " + (select count(*) from public.user_feedback where description = %(d)s)",
        {"d": description},
    ).fetchone()[0]


def assert_refused(
    db: Any, answer: tuple[httpx.Response, str], status: int, code: str, message: str
) -> None:
    response, description = answer
    assert_clear_error(response, {status})
    assert (response.json()["code"], response.json()["message"]) == (code, message)
    assert stored_with(db, description) == 0


@pytest.mark.parametrize("role", ["authenticated", "service_role"])
@pytest.mark.parametrize("attack", list(REFUSALS))
@pytest.mark.parametrize("via", PATHS)
@pytest.mark.parametrize("create", CREATES, ids=CREATE_IDS)
def test_a_forged_or_untimely_token_is_a_401_naming_the_reason_and_stores_nothing(
    stack, db, http, make_user, create, via, attack, role
):
    user = make_user()
    token = forge(attack, stack.jwt_secret, claims_for(user.id, role))
    answer = attempt(http, stack, create, via, token)
    assert_refused(db, answer, 401, "PGRST301", REFUSALS[attack])
    assert answer[0].headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert count_rows(db, user.id) == 0


@pytest.mark.parametrize("via", PATHS)
@pytest.mark.parametrize("create", CREATES, ids=CREATE_IDS)
def test_a_token_without_sub_is_refused_by_row_level_security_and_files_no_ownerless_row(
    stack, db, http, create, via
):
    token = mint_jwt(stack.jwt_secret, email=f"{MARKER}@example.test")
    answer = attempt(http, stack, create, via, token)
    assert_refused(
        db, answer, 403, "42501",
        f'new row violates row-level security policy for table "{create.table}"',
    )


# Roles a token may name but no client may take, signed with the project's real secret: only
# the secret's holders can mint these, and still they must not get past the grants.
PRIVILEGED = [
    ("postgres", 403, "42501", 'permission denied to set role "postgres"'),
    # The role PostgREST logs in as: taking it gains nothing, it may execute no operation.
    ("authenticator", 403, "42501", "permission denied for function {rpc}"),
    # Supabase's own superuser, which owns the platform's schemas here as on Supabase.
    ("supabase_admin", 403, "42501", 'permission denied to set role "supabase_admin"'),
    # A role that does not exist: a 400, not a 500.
    ("no_such_role", 400, "22023", 'role "no_such_role" does not exist'),
]


@pytest.mark.parametrize(("role", "status", "code", "message"), PRIVILEGED,
                         ids=[role for role, *_ in PRIVILEGED])
@pytest.mark.parametrize("via", PATHS)
@pytest.mark.parametrize("create", CREATES, ids=CREATE_IDS)
def test_a_token_naming_a_privileged_database_role_is_refused_without_a_500(
    stack, db, http, make_user, create, via, role, status, code, message
):
    user = make_user()
    token = mint_jwt(stack.jwt_secret, sub=user.id, role=role)
    answer = attempt(http, stack, create, via, token)
    assert_refused(db, answer, status, code, message.format(rpc=create.rpc))
    assert count_rows(db, user.id) == 0


@pytest.mark.parametrize("via", PATHS)
@pytest.mark.parametrize("create", CREATES, ids=CREATE_IDS)
def test_the_valid_token_of_a_deleted_user_is_refused_and_stores_nothing(
    stack, db, http, make_user, create, via
):
    user = make_user()
    db.execute("delete from auth.users where id = %s", (user.id,))
    response, description = attempt(http, stack, create, via, user.jwt)
    # The row's foreign key to auth.users refuses it; PostgREST says so as a conflict, without
    # echoing the id.
    assert_clear_error(response, {409})
    assert response.json()["code"] == "23503"
    assert user.id not in response.text
    assert stored_with(db, description) == 0
    assert count_rows(db, user.id) == 0


# --- the companion endpoint: only the project's service_role key opens it -----------------------


def companion(http: httpx.Client, stack: Any, token: str, user_id: str) -> httpx.Response:
    return http.post(
        f"{stack.api_url}/companion/messages",
        json={"user_id": user_id, "text": f"report bug: {MARKER} companion attack"},
        headers={"Authorization": f"Bearer {token}"},
    )


def companion_rows(db: Any, user_id: str) -> int:
    conversations = db.execute(
        "select count(*) from public.companion_conversations where user_id = %s", (user_id,)
    ).fetchone()[0]
    return count_rows(db, user_id) + conversations


NOT_THE_SERVICE_KEY = {
    **{attack: lambda stack, user, attack=attack: forge(
        attack, stack.jwt_secret, claims_for(user.id, "service_role")) for attack in REFUSALS},
    "the_users_own_token": lambda stack, user: user.jwt,
    "the_anon_key": lambda stack, user: stack.anon_key,
    "role_postgres_with_the_real_secret": lambda stack, user: mint_jwt(
        stack.jwt_secret, sub=user.id, role="postgres"),
    "not_a_jwt": lambda stack, user: f"{MARKER}.{MARKER}",
}


@pytest.mark.parametrize("token", list(NOT_THE_SERVICE_KEY))
def test_the_companion_endpoint_refuses_anything_but_the_service_role_key(
    stack, db, http, make_user, token
):
    user = make_user()
    response = companion(http, stack, NOT_THE_SERVICE_KEY[token](stack, user), user.id)
    assert_clear_error(response, {401})
    assert response.json()["message"] == (
        "The companion endpoint needs the project's service_role key"
    )
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert companion_rows(db, user.id) == 0


@pytest.mark.parametrize(
    "text", ["report bug: the app crashes", "report bug", "I have feedback: the colours"]
)
def test_the_companion_acting_for_a_deleted_user_replies_unknown_user_and_stores_nothing(
    stack, db, http, make_user, text
):
    user = make_user()
    db.execute("delete from auth.users where id = %s", (user.id,))
    response = http.post(
        f"{stack.api_url}/companion/messages",
        json={"user_id": user.id, "text": text},
        headers={"Authorization": f"Bearer {stack.service_role_key}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"]["action"] == "unknown_user"
    assert response.json()["reply"].startswith("I couldn't find your account")
    assert companion_rows(db, user.id) == 0
