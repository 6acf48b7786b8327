"""``/api/v1/profiles/{id}``: a resident's declared attributes and learned interests.

The id is the mini-app's opaque client id. ``DELETE`` erases the profile and
every event recorded for it, and is idempotent (erasure must always succeed).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from fasou.profiles import Declared
from fasou.profiles.model import CLIENT_ID_PATTERN
from search_api.api.deps import ProfilesDep
from search_api.api.errors import ApiError
from search_api.schemas import ERROR_RESPONSES, ProfileResponse

router = APIRouter(tags=["profiles"])

ClientId = Annotated[
    str, Path(pattern=CLIENT_ID_PATTERN, description="客户端标识: 8–64 个字母、数字、_ 或 -")
]


@router.get("/profiles/{client_id}", response_model=ProfileResponse, responses=ERROR_RESPONSES)
def get_profile(profiles: ProfilesDep, client_id: ClientId) -> dict:
    view = profiles.get(client_id)
    if view is None:
        raise ApiError(
            404, "not_found", f"no profile {client_id!r}", field="client_id", location="path"
        )
    return view


@router.put("/profiles/{client_id}", response_model=ProfileResponse, responses=ERROR_RESPONSES)
def put_profile(
    profiles: ProfilesDep, client_id: ClientId, declared: Declared, response: Response
) -> dict:
    view, created = profiles.put(client_id, declared)
    response.status_code = 201 if created else 200
    return view


@router.delete("/profiles/{client_id}", status_code=204, responses=ERROR_RESPONSES)
def delete_profile(profiles: ProfilesDep, client_id: ClientId) -> Response:
    profiles.erase(client_id)
    return Response(status_code=204)
