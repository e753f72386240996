"""HS256 JWTs as Supabase issues them: user tokens and the project's API keys."""

import time

import jwt

# Supabase CLI's well-known local secret; the keys it prints are signed with it.
LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
# The claims of Supabase CLI's local anon and service_role keys (they expire in 2032).
_LOCAL_KEY_ISSUER = "supabase-demo"
_LOCAL_KEY_EXPIRY = 1983812996


def mint_jwt(
    secret: str,
    *,
    sub: str | None = None,
    role: str = "authenticated",
    expires_in: int = 3600,
    **claims: object,
) -> str:
    """A token PostgREST accepts: `role` picks the database role, `sub` is auth.uid()."""
    now = int(time.time())
    payload: dict[str, object] = {"role": role, "iat": now, "exp": now + expires_in}
    if sub is not None:
        payload["sub"] = sub
    if role == "authenticated":
        payload["aud"] = "authenticated"
    payload.update(claims)
    return jwt.encode(payload, secret, algorithm="HS256")


def project_api_key(secret: str, role: str) -> str:
    """The anon or service_role key of a project whose JWT secret is `secret`.

    With the local default secret this reproduces the Supabase CLI's printed keys exactly.
    """
    payload = {"iss": _LOCAL_KEY_ISSUER, "role": role, "exp": _LOCAL_KEY_EXPIRY}
    return jwt.encode(payload, secret, algorithm="HS256")


def verify_service_role(secret: str, token: str) -> bool:
    """True when `token` is a JWT signed with `secret` for role service_role.

    The role is read from the verified claims, never by comparing the token with a stored key,
    so a freshly minted service_role JWT works as well as the project's key.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"verify_aud": False, "require": ["role"]},
        )
    except jwt.PyJWTError:
        return False
    return claims.get("role") == "service_role"
