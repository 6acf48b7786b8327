"""Opaque bearer tokens, stored as keyed hashes.

Why opaque tokens and not signed JWTs: every editor request must honour
revocation, logout, a disabled account and a demoted role *immediately*, and
API tokens must be revocable one by one. With JWTs that needs a server-side
lookup anyway (a deny-list), and then the signature buys nothing; editor
traffic is small, so one indexed SQLite lookup per request is cheap.

The token is 32 random bytes; the catalog keeps HMAC-SHA256(secret key,
token). A copy of the catalog therefore yields no usable token, and rotating
``FASOU_SECRET_KEY`` signs everyone out. A fast keyed hash suffices (unlike
passwords, tokens have 256 bits of entropy: nothing to brute-force).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_PREFIX = "fss_"
API_PREFIX = "fsa_"


def new_token(kind: str) -> str:
    prefix = SESSION_PREFIX if kind == "session" else API_PREFIX
    return prefix + secrets.token_urlsafe(32)


def new_token_id() -> str:
    """The public handle of a token (listing, revoking): random, so not enumerable."""
    return "tok_" + secrets.token_hex(8)


def token_hash(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def looks_like_token(value: str) -> bool:
    return value.startswith((SESSION_PREFIX, API_PREFIX)) and 20 < len(value) < 100


def csrf_token(secret_key: str, session_token: str) -> str:
    """A form token bound to the console session (sent in forms, never in cookies)."""
    return hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(), "sha256").hexdigest()
