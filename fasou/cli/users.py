"""``fasou users …``: editor and admin accounts, and API tokens, from the command line.

The first admin is created here (``fasou users create alice --role admin``);
after that admins can also manage accounts over the API.
"""

from __future__ import annotations

import json
import os
import sys

import typer

from fasou.cli.common import opened_catalog
from fasou.config import get_settings
from search_api.auth.accounts import AccountError, Accounts
from search_api.auth.roles import Role, Scope

app = typer.Typer(help="Editor and admin accounts, API tokens.", no_args_is_help=True)


def _accounts(catalog) -> Accounts:  # type: ignore[no-untyped-def]
    settings = get_settings()
    return Accounts(catalog, settings.secret_key.get_secret_value(), settings.session_minutes)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if env := os.environ.get("FASOU_NEW_PASSWORD"):
        return env
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _fail(exc: AccountError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="3–64 letters, digits, '.', '_', '-'"),
    role: Role = typer.Option(..., "--role", help="editor or admin"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from stdin (else prompt)"
    ),
) -> None:
    """Create an account (the password is prompted, or read from stdin)."""
    with opened_catalog() as catalog:
        try:
            user = _accounts(catalog).create_user(username, _password(password_stdin), role)
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(f"created {user['role']} {user['username']}")


@app.command("list")
def list_users() -> None:
    """Accounts as JSON lines."""
    with opened_catalog() as catalog:
        for user in _accounts(catalog).list_users():
            typer.echo(json.dumps(user, ensure_ascii=False))


@app.command("set")
def set_user(
    username: str,
    role: Role = typer.Option(None, "--role"),
    disabled: bool = typer.Option(None, "--disabled/--enabled"),
    password: bool = typer.Option(False, "--password", help="set a new password (prompted)"),
    password_stdin: bool = typer.Option(False, "--password-stdin"),
) -> None:
    """Change role, disable/enable, or set a password (ends the user's sessions)."""
    new_password = _password(password_stdin) if (password or password_stdin) else None
    with opened_catalog() as catalog:
        try:
            user = _accounts(catalog).update_user(
                username, role=role, disabled=disabled, password=new_password
            )
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(json.dumps(user, ensure_ascii=False))


@app.command("token")
def create_token(
    username: str,
    name: str = typer.Option(..., "--name", help="what the token is for"),
    scope: list[Scope] = typer.Option(..., "--scope", help="repeat for several"),
    days: int = typer.Option(90, "--days", min=1),
) -> None:
    """Create an API token for automation; it is printed once and stored only hashed."""
    with opened_catalog() as catalog:
        accounts = _accounts(catalog)
        user = accounts.get_user(username)
        if user is None:
            typer.echo(f"error: no user {username!r}", err=True)
            raise typer.Exit(2)
        days = min(days, get_settings().api_token_max_days)
        try:
            issued = accounts.issue_api_token(user, name, scope, days)
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(
        json.dumps(
            {
                "id": issued.id,
                "token": issued.token,
                "expires_at": issued.expires_at.isoformat(),
                "scopes": issued.scopes,
            }
        )
    )


@app.command("revoke")
def revoke(token_id: str) -> None:
    """Revoke a token by its id (``tok_…``)."""
    from search_api.auth.roles import ROLE_SCOPES, Principal

    operator = Principal(0, "cli", Role.admin, ROLE_SCOPES[Role.admin], "cli", "cli")
    with opened_catalog() as catalog:
        try:
            token = _accounts(catalog).revoke(token_id, operator)
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(json.dumps(token, ensure_ascii=False))
