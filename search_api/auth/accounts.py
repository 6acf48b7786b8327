"""Users and their tokens, stored in the catalog database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from indexer.catalog import Catalog
from indexer.catalog.revisions import utcnow
from indexer.catalog.tables import auth_tokens, users
from search_api.auth.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from search_api.auth.roles import ROLE_SCOPES, Principal, Role, Scope
from search_api.auth.tokens import looks_like_token, new_token, new_token_id, token_hash

USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]{3,64}$"
_USERNAME = re.compile(USERNAME_PATTERN)
#: ``last_used_at`` is written at most this often per token (no write per request).
_TOUCH_EVERY = timedelta(minutes=1)


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; ``code`` is the API error code."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.field = code, field


class AuthFailure(Exception):
    """A presented token that does not authenticate; ``reason`` is the API error code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once, never stored
    id: str
    kind: str
    expires_at: datetime
    scopes: list[str]


def _user_dict(row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "username": row.username,
        "role": row.role,
        "disabled": bool(row.disabled),
        "created_at": row.created_at.isoformat(),
    }


def _token_dict(row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "scopes": list(row.scopes),
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
        "revoked": row.revoked_at is not None,
    }


class Accounts:
    def __init__(self, catalog: Catalog, secret_key: str, session_minutes: int = 480) -> None:
        self.catalog = catalog
        self.secret_key = secret_key
        self.session_minutes = session_minutes

    # -- users ---------------------------------------------------------------

    def create_user(self, username: str, password: str, role: Role | str) -> dict[str, Any]:
        if not _USERNAME.match(username):
            raise AccountError(
                "invalid_username",
                "username: 3–64 letters, digits, '.', '_' or '-'",
                "username",
            )
        if problem := password_problem(password):
            raise AccountError("weak_password", problem, "password")
        role = Role(role)
        now = utcnow()
        with self.catalog.writing() as conn:
            exists = conn.execute(sa.select(users.c.id).where(users.c.username == username)).first()
            if exists:
                raise AccountError("user_exists", f"user {username!r} exists", "username")
            conn.execute(
                users.insert().values(
                    username=username,
                    password_hash=hash_password(password),
                    role=role.value,
                    disabled=False,
                    created_at=now,
                    updated_at=now,
                )
            )
        user = self.get_user(username)
        assert user is not None
        return user

    def get_user(self, username: str) -> dict[str, Any] | None:
        with self.catalog.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.username == username)).first()
        return _user_dict(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        with self.catalog.engine.connect() as conn:
            return [_user_dict(r) for r in conn.execute(sa.select(users).order_by(users.c.id))]

    def update_user(
        self,
        username: str,
        *,
        role: Role | str | None = None,
        disabled: bool | None = None,
        password: str | None = None,
        acting: str | None = None,
    ) -> dict[str, Any]:
        """Change role, disable/enable, or set a password. Never leaves no active admin."""
        values: dict[str, Any] = {"updated_at": utcnow()}
        if role is not None:
            values["role"] = Role(role).value
        if disabled is not None:
            values["disabled"] = disabled
        if password is not None:
            if problem := password_problem(password):
                raise AccountError("weak_password", problem, "password")
            values["password_hash"] = hash_password(password)
        with self.catalog.writing() as conn:
            row = conn.execute(sa.select(users).where(users.c.username == username)).first()
            if row is None:
                raise AccountError("not_found", f"no user {username!r}", "username")
            losing_admin = row.role == Role.admin and (
                values.get("role", Role.admin) != Role.admin or values.get("disabled")
            )
            if losing_admin:
                if acting == username:
                    raise AccountError(
                        "conflict", "admins cannot demote or disable themselves", "username"
                    )
                others = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(users)
                    .where(
                        users.c.role == Role.admin,
                        users.c.disabled.is_(False),
                        users.c.id != row.id,
                    )
                ).scalar_one()
                if not others:
                    raise AccountError("conflict", "the last active admin must stay", "username")
            conn.execute(users.update().where(users.c.id == row.id).values(**values))
            if values.get("disabled") or "password_hash" in values:
                # A disabled account or a new password ends every session at once.
                conn.execute(
                    auth_tokens.update()
                    .where(
                        auth_tokens.c.user_id == row.id,
                        auth_tokens.c.kind == "session",
                        auth_tokens.c.revoked_at.is_(None),
                    )
                    .values(revoked_at=utcnow())
                )
        user = self.get_user(username)
        assert user is not None
        return user

    def authenticate(self, username: str, password: str) -> dict[str, Any] | None:
        """The active user with this password, or None (same work either way)."""
        with self.catalog.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.username == username)).first()
        if not verify_password(row.password_hash if row else None, password):
            return None
        assert row is not None
        if row.disabled:
            return None
        if needs_rehash(row.password_hash):
            with self.catalog.writing() as conn:
                conn.execute(
                    users.update()
                    .where(users.c.id == row.id)
                    .values(password_hash=hash_password(password))
                )
        return _user_dict(row)

    # -- tokens --------------------------------------------------------------

    def _issue(
        self,
        user: dict[str, Any],
        kind: str,
        scopes: Iterable[Scope],
        lifetime: timedelta,
        name: str = "",
    ) -> IssuedToken:
        token, token_id, now = new_token(kind), new_token_id(), utcnow()
        scope_list = sorted(s.value for s in scopes)
        with self.catalog.writing() as conn:
            if kind == "session":  # keep the table small: drop sessions long expired
                conn.execute(
                    auth_tokens.delete().where(
                        auth_tokens.c.kind == "session",
                        auth_tokens.c.expires_at < now - timedelta(days=7),
                    )
                )
            conn.execute(
                auth_tokens.insert().values(
                    id=token_id,
                    user_id=user["id"],
                    kind=kind,
                    name=name,
                    token_hash=token_hash(self.secret_key, token),
                    scopes=scope_list,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return IssuedToken(token, token_id, kind, now + lifetime, scope_list)

    def issue_session(self, user: dict[str, Any], lifetime: timedelta | None = None) -> IssuedToken:
        role = Role(user["role"])
        lifetime = lifetime if lifetime is not None else timedelta(minutes=self.session_minutes)
        return self._issue(user, "session", ROLE_SCOPES[role], lifetime)

    def issue_api_token(
        self, user: dict[str, Any], name: str, scopes: Iterable[Scope | str], days: int
    ) -> IssuedToken:
        wanted = {Scope(s) for s in scopes}
        allowed = ROLE_SCOPES[Role(user["role"])]
        if not wanted:
            raise AccountError("validation_error", "at least one scope is required", "scopes")
        if extra := wanted - allowed:
            raise AccountError(
                "forbidden_scope",
                f"role {user['role']} cannot grant {sorted(s.value for s in extra)}",
                "scopes",
            )
        return self._issue(user, "api", wanted, timedelta(days=days), name=name)

    def resolve(self, token: str) -> Principal:
        """The caller a bearer token stands for, or :class:`AuthFailure` with the reason."""
        if not looks_like_token(token):
            raise AuthFailure("invalid_token")
        now = utcnow()
        with self.catalog.engine.connect() as conn:
            row = conn.execute(
                sa.select(auth_tokens, users.c.username, users.c.role, users.c.disabled)
                .join(users, users.c.id == auth_tokens.c.user_id)
                .where(auth_tokens.c.token_hash == token_hash(self.secret_key, token))
            ).first()
        if row is None:
            raise AuthFailure("invalid_token")
        if row.revoked_at is not None:
            raise AuthFailure("token_revoked")
        if row.expires_at <= now:
            raise AuthFailure("token_expired")
        if row.disabled:
            raise AuthFailure("account_disabled")
        role = Role(row.role)
        scopes = frozenset(Scope(s) for s in row.scopes) & ROLE_SCOPES[role]
        if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
            with self.catalog.writing() as conn:
                conn.execute(
                    auth_tokens.update().where(auth_tokens.c.id == row.id).values(last_used_at=now)
                )
        return Principal(row.user_id, row.username, role, scopes, row.id, row.kind)

    def list_tokens(self, user_id: int | None = None) -> list[dict[str, Any]]:
        """Tokens of one user (or everyone's), newest first; sessions included."""
        query = (
            sa.select(auth_tokens, users.c.username)
            .join(users, users.c.id == auth_tokens.c.user_id)
            .order_by(auth_tokens.c.created_at.desc())
        )
        if user_id is not None:
            query = query.where(auth_tokens.c.user_id == user_id)
        with self.catalog.engine.connect() as conn:
            return [_token_dict(r) | {"username": r.username} for r in conn.execute(query)]

    def revoke(self, token_id: str, by: Principal) -> dict[str, Any]:
        """Revoke a token: one's own, or anyone's for an admin."""
        with self.catalog.writing() as conn:
            row = conn.execute(sa.select(auth_tokens).where(auth_tokens.c.id == token_id)).first()
            if row is None or (row.user_id != by.user_id and not by.can(Scope.admin)):
                raise AccountError("not_found", f"no token {token_id!r}", "token_id")
            if row.revoked_at is None:
                conn.execute(
                    auth_tokens.update()
                    .where(auth_tokens.c.id == token_id)
                    .values(revoked_at=utcnow())
                )
            row = conn.execute(sa.select(auth_tokens).where(auth_tokens.c.id == token_id)).one()
        return _token_dict(row)
