"""Password hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile).

Verification of an unknown user still runs one hash, so response time does not
reveal which usernames exist.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Made on first use: importing this module (every CLI command does) costs no hash."""
    return _hasher.hash("fasou-no-such-user")


MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True after the hashing parameters were raised: re-hash on the next login."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_CHARS:
        return f"password must have at least {MIN_PASSWORD_CHARS} characters"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"password must have at most {MAX_PASSWORD_CHARS} characters"
    return None
