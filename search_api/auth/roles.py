"""Roles and scopes: what each kind of caller may do.

A session gets every scope of its user's role; an API token gets the scopes it
was created with, and never more than its user's role allows *now* (demoting
a user narrows their tokens at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    editor = "editor"
    admin = "admin"


class Scope(StrEnum):
    read = "editor:read"  # search, view documents, tags, suggestions, audit log, jobs
    write = "editor:write"  # change tags, accept/reject suggestions, undo one change
    bulk = "editor:bulk"  # bulk jobs and undoing them
    admin = "admin"  # users and everyone's tokens


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.editor: frozenset({Scope.read, Scope.write, Scope.bulk}),
    Role.admin: frozenset(Scope),
}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    user_id: int
    username: str
    role: Role
    scopes: frozenset[Scope]
    token_id: str
    token_kind: str  # session | api

    def can(self, scope: Scope) -> bool:
        return scope in self.scopes
