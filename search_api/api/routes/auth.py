"""``/api/v1/auth/…``: sign in (OAuth2 password flow → bearer token), sign out, API tokens.

Editors and admins only; residents never sign in. A session token lasts
``FASOU_SESSION_MINUTES``; API tokens (for automation) carry chosen scopes and
an expiry, and can be revoked one by one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from fastapi.security import OAuth2PasswordRequestForm

from search_api.api.deps import (
    AccountsDep,
    Authenticated,
    SettingsDep,
    rate_limited,
    rate_limited_anonymous,
)
from search_api.api.errors import ApiError
from search_api.auth.accounts import AccountError, IssuedToken
from search_api.auth.roles import Scope
from search_api.editor_schemas import (
    ApiTokenCreated,
    ApiTokenRequest,
    Me,
    TokenInfo,
    TokenList,
    TokenResponse,
)
from search_api.schemas import error_responses

router = APIRouter(prefix="/auth", tags=["auth"])


def _token_response(issued: IssuedToken, now_seconds: int) -> dict:
    return {
        "access_token": issued.token,
        "token_type": "bearer",
        "expires_in": now_seconds,
        "expires_at": issued.expires_at.isoformat(),
        "scope": " ".join(issued.scopes),
    }


@router.post(
    "/token",
    response_model=TokenResponse,
    responses=error_responses(400, 401, 413, 422, 429),
    dependencies=[rate_limited_anonymous("login")],
)
def login(
    accounts: AccountsDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> dict:
    """Exchange username and password for a session token (OAuth2 password grant)."""
    user = accounts.authenticate(form.username, form.password)
    if user is None:
        raise ApiError(
            401,
            "invalid_credentials",
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    issued = accounts.issue_session(user)
    return _token_response(issued, settings.session_minutes * 60)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 429),
    dependencies=[rate_limited("editor")],
)
def logout(accounts: AccountsDep, principal: Authenticated) -> None:
    """Revoke the token this request was made with."""
    accounts.revoke(principal.token_id, principal)


@router.get(
    "/me",
    response_model=Me,
    responses=error_responses(401, 403, 429),
    dependencies=[rate_limited("editor")],
)
def me(principal: Authenticated) -> dict:
    return {
        "username": principal.username,
        "role": principal.role,
        "scopes": sorted(principal.scopes),
        "token_id": principal.token_id,
        "token_kind": principal.token_kind,
    }


@router.get(
    "/tokens",
    response_model=TokenList,
    responses=error_responses(401, 403, 429),
    dependencies=[rate_limited("editor")],
)
def list_tokens(accounts: AccountsDep, principal: Authenticated) -> dict:
    """Your own tokens (sessions and API tokens); admins see everyone's."""
    user_id = None if principal.can(Scope.admin) else principal.user_id
    return {"tokens": accounts.list_tokens(user_id)}


@router.post(
    "/tokens",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 413, 422, 429),
    dependencies=[rate_limited("editor")],
)
def create_api_token(
    accounts: AccountsDep, settings: SettingsDep, principal: Authenticated, body: ApiTokenRequest
) -> dict:
    """A token for automation with the given scopes (at most your role's); shown once."""
    if principal.token_kind != "session":
        raise ApiError(403, "forbidden", "API tokens are created from a signed-in session")
    days = min(body.days, settings.api_token_max_days)
    user = {"id": principal.user_id, "role": principal.role.value}
    try:
        issued = accounts.issue_api_token(user, body.name, body.scopes, days)
    except AccountError as exc:
        status_code = 403 if exc.code == "forbidden_scope" else 422
        raise ApiError(status_code, exc.code, str(exc), exc.field, "body") from None
    return {
        "token": issued.token,
        "id": issued.id,
        "name": body.name,
        "scopes": issued.scopes,
        "expires_at": issued.expires_at.isoformat(),
    }


@router.delete(
    "/tokens/{token_id}",
    response_model=TokenInfo,
    responses=error_responses(401, 403, 404, 422, 429),
    dependencies=[rate_limited("editor")],
)
def revoke_token(
    accounts: AccountsDep,
    principal: Authenticated,
    token_id: Annotated[str, Path(min_length=1, max_length=24)],
) -> dict:
    """Revoke one of your tokens (admins: anyone's)."""
    try:
        return accounts.revoke(token_id, principal)
    except AccountError as exc:
        raise ApiError(404, exc.code, str(exc), "token_id", "path") from None
