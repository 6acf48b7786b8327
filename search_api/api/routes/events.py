"""``POST /api/v1/events``: a resident viewed, clicked or judged (有用/没用) a document."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from fasou.analytics.events import Kind
from fasou.profiles import EventKind
from fasou.profiles.model import CLIENT_ID_PATTERN
from search_api.api.deps import AnalyticsDep, CatalogDep, ProfilesDep, rate_limited
from search_api.api.errors import ApiError
from search_api.schemas import ERROR_RESPONSES

router = APIRouter(tags=["profiles"], dependencies=[rate_limited("profiles")])


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: str = Field(pattern=CLIENT_ID_PATTERN, description="客户端标识")
    kind: EventKind = Field(description="view | click | useful (有用) | not_useful (没用)")
    doc_id: str = Field(min_length=1, max_length=64)


@router.post("/events", status_code=204, responses=ERROR_RESPONSES)
def post_event(
    event: EventIn, profiles: ProfilesDep, catalog: CatalogDep, analytics: AnalyticsDep
) -> Response:
    if event.kind == EventKind.search:
        raise ApiError(
            422,
            "validation_error",
            "search events are recorded by /search?profile=…",
            field="kind",
            location="body",
        )
    record = catalog.get(event.doc_id)
    if record is None:
        raise ApiError(
            404,
            "not_found",
            f"no document with id {event.doc_id!r}",
            field="doc_id",
            location="body",
        )
    profiles.record(event.profile, event.kind, record)
    analytics.document(
        event.profile, profiles.personalization(event.profile), Kind(event.kind), record
    )
    return Response(status_code=204)
