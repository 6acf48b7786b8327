"""``/api/v1/admin/users``: accounts of editors and admins (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from search_api.api.deps import AccountsDep, Admin, rate_limited
from search_api.api.errors import ApiError
from search_api.auth.accounts import USERNAME_PATTERN, AccountError
from search_api.editor_schemas import UserCreate, UserList, UserOut, UserUpdate
from search_api.schemas import error_responses

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[rate_limited("editor")])
UsernamePath = Annotated[str, Path(pattern=USERNAME_PATTERN)]
_STATUS = {"not_found": 404, "user_exists": 409, "conflict": 409}


def _api_error(exc: AccountError, location: str = "body") -> ApiError:
    return ApiError(_STATUS.get(exc.code, 422), exc.code, str(exc), exc.field, location)


@router.get("/users", response_model=UserList, responses=error_responses(401, 403, 429))
def list_users(accounts: AccountsDep, _admin: Admin) -> dict:
    return {"users": accounts.list_users()}


@router.post(
    "/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 409, 413, 422, 429),
)
def create_user(accounts: AccountsDep, _admin: Admin, body: UserCreate) -> dict:
    try:
        return accounts.create_user(body.username, body.password, body.role)
    except AccountError as exc:
        raise _api_error(exc) from None


@router.patch(
    "/users/{username}",
    response_model=UserOut,
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 429),
)
def update_user(
    accounts: AccountsDep, admin: Admin, username: UsernamePath, body: UserUpdate
) -> dict:
    """Change a role, disable/enable, or set a password (ends that user's sessions)."""
    try:
        return accounts.update_user(
            username,
            role=body.role,
            disabled=body.disabled,
            password=body.password,
            acting=admin.username,
        )
    except AccountError as exc:
        raise _api_error(exc, "path" if exc.code == "not_found" else "body") from None
