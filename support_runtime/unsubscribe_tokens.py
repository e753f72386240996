"""Signed one-click unsubscribe tokens: the worker writes them into emails, Flask reads them.

A token names a user and the notification kinds of one email, signed with a key derived from
the project's JWT secret (HMAC-SHA256, its own purpose string, so a token is never a JWT and a
JWT is never a token). It grants nothing but turning those emails off, so it does not expire:
an unsubscribe link must work in an old email too. The unfollow link of a post's email
(`sign_unfollow`) names a user and one post, under a purpose of its own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid

_PURPOSE = b"support-api notification unsubscribe v1"


class InvalidToken(ValueError):
    """The token is malformed or its signature does not match."""


def _key(jwt_secret: str) -> bytes:
    return hmac.new(jwt_secret.encode(), _PURPOSE, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(jwt_secret: str, user_id: str, kinds: list[str]) -> str:
    payload = _b64(json.dumps({"u": user_id, "k": sorted(set(kinds))},
                              separators=(",", ":")).encode())
    mac = hmac.new(_key(jwt_secret), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify(jwt_secret: str, token: str) -> tuple[str, list[str]]:
    """The user id and kinds of a valid token; raises InvalidToken otherwise."""
    payload, _, signature = token.partition(".")
    try:
        expected = hmac.new(_key(jwt_secret), payload.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise InvalidToken("signature does not match")
        claims = json.loads(_unb64(payload))
        user_id = str(uuid.UUID(claims["u"]))
        kinds = [kind for kind in claims["k"] if isinstance(kind, str)]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeError) as error:
        raise InvalidToken("malformed token") from error
    if not kinds:
        raise InvalidToken("no kinds")
    return user_id, kinds


# The one-click unfollow link of a post's email: the same construction under a purpose of its
# own, so an unsubscribe token is never an unfollow token, nor the reverse.
_UNFOLLOW_PURPOSE = b"support-api post unfollow v1"


def _unfollow_key(jwt_secret: str) -> bytes:
    return hmac.new(jwt_secret.encode(), _UNFOLLOW_PURPOSE, hashlib.sha256).digest()


def sign_unfollow(jwt_secret: str, user_id: str, post_id: str) -> str:
    """A token naming a user and one public post: it grants only unfollowing that post."""
    payload = _b64(json.dumps({"u": user_id, "p": post_id}, separators=(",", ":")).encode())
    mac = hmac.new(_unfollow_key(jwt_secret), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify_unfollow(jwt_secret: str, token: str) -> tuple[str, str]:
    """The user id and post id of a valid unfollow token; raises InvalidToken otherwise."""
    payload, _, signature = token.partition(".")
    try:
        expected = hmac.new(_unfollow_key(jwt_secret), payload.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise InvalidToken("signature does not match")
        claims = json.loads(_unb64(payload))
        return str(uuid.UUID(claims["u"])), str(uuid.UUID(claims["p"]))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeError) as error:
        raise InvalidToken("malformed token") from error
