"""Response schemas of the public API (what OpenAPI documents and clients rely on)."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined

from search_api.core.annotations import list_item, without_none


class Media(BaseModel):
    """What a video player loads (``FASOU_MEDIA_FALLBACK``: a local sample, labelled)."""

    src: str = Field(description="URL for the <video> element")
    type: str | None = Field(None, description="MIME type, e.g. video/webm")
    sample: bool = Field(description="true: a local sample plays instead of the remote video")
    note: str | None = Field(None, description="what to tell the resident when sample is true")


class LinkSummary(BaseModel):
    """A linked document as a list shows it."""

    model_config = ConfigDict(extra="allow")

    id: str | None
    type: str | None = None
    title: str | None = None
    available: bool = Field(True, description="false: cited, but not in the catalog")


class SearchHit(BaseModel):
    """A hit: the fixed fields below, then the document type's own fields at top level
    (statute: law_title, article_no, status, level …; case: court, case_no …; video:
    duration_seconds, publisher …; service: kind, phone, address, hours …)."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    title: str
    snippet: str = Field(
        description="HTML-escaped excerpt with matched terms wrapped in <em>…</em>"
    )
    score: float
    audiences: list[str] = Field(default_factory=list, description="editorial audience ids")
    status_label: str | None = Field(
        None, description="shown beside the title: 已废止 / 已被修改，非现行文本 / 尚未生效"
    )
    media: Media | None = Field(None, description="videos: what the player loads")
    distance_km: float | None = Field(None, description="services, with near=: distance")
    related: list[LinkSummary] | None = Field(None, description="with related=true")


class Near(BaseModel):
    label: str = Field(description="place path, or 'position' for coordinates")
    lat: float
    lon: float


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int = Field(description="page number of this slice (offset // size + 1)")
    offset: int = Field(description="position of the first hit in the whole list")
    size: int
    next_cursor: str | None = Field(
        None, description="pass as cursor= for the next page; null on the last page"
    )
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    understanding: dict[str, Any] = Field(
        default_factory=dict,
        description="how the query was understood: terms, expansions, laws, lookups, intent",
    )
    relaxed: bool = Field(False, description="true when results come from relaxed matching")
    notice: str | None = Field(None, description="message to show, e.g. after relaxed matching")
    did_you_mean: str | None = Field(None, description="the query with homophone typos fixed")
    near: Near | None = Field(None, description="where distances are measured from")
    # Last, so that a replayed answer (``core/response_cache.py``) keeps all but a few
    # bytes compressed: only what follows ``took_ms`` is kept uncompressed too.
    took_ms: float


class SuggestItem(BaseModel):
    text: str
    kind: str = Field(description="query | law | term")
    match: str = Field(description="prefix | pinyin | initials | homophone")


class SuggestResponse(BaseModel):
    query: str
    suggestions: list[SuggestItem]
    did_you_mean: str | None = None


class DocumentLinks(BaseModel):
    cites: list[LinkSummary] = Field(description="what this document cites")
    cited_by: dict[str, list[LinkSummary]] = Field(
        description="documents citing this one, by type (case, video, article)"
    )
    related: list[LinkSummary] = Field(description="same subject, other types first")


class Neighbours(BaseModel):
    prev: LinkSummary | None = Field(description="the article before, in the same law")
    next: LinkSummary | None = Field(description="the article after, in the same law")


class DocumentResponse(BaseModel):
    """A full document from the catalog, including its type's fields and effective tags.

    Answers carry a weak ``ETag``; send it back as ``If-None-Match`` to get 304."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    title: str
    body: str
    audiences: list[str]
    topics: list[str]
    status_label: str | None = None
    links: DocumentLinks | None = Field(
        None, description="cites / cited_by (by type) / related items (links=true)"
    )
    neighbours: Neighbours | None = Field(None, description="statute articles: prev / next")
    media: Media | None = Field(None, description="videos: what the player loads")
    distance_km: float | None = Field(None, description="services, with near=: distance")
    cited_by: list[str] | None = Field(
        default=None, description="statute articles only: ids of documents citing this article"
    )


class CrawlRun(BaseModel):
    id: int
    source: str
    status: str = Field(description="running | finished | interrupted | failed")
    started_at: str
    finished_at: str | None
    resumed: int = Field(description="times a killed or interrupted run was resumed")
    pages: int
    not_modified: int = Field(description="pages answered 304 Not Modified")
    new: int
    changed: int
    unchanged: int
    failed: int = Field(description="pages that could not be fetched")
    quarantined: int = Field(description="items that failed validation")
    duplicates: int = Field(description="pages whose content another page already holds")
    message: str | None


class CrawlRunsResponse(BaseModel):
    runs: list[CrawlRun]


class QuarantineItem(BaseModel):
    id: int
    run_id: int
    source: str
    url: str
    stage: str = Field(description="fetch | validate")
    reason: str
    payload: dict[str, Any] | None
    created_at: str


class QuarantineResponse(BaseModel):
    items: list[QuarantineItem]


class ErrorItem(BaseModel):
    field: str | None
    location: str
    message: str


class ErrorResponse(BaseModel):
    detail: str
    code: str
    errors: list[ErrorItem] = []


class Health(BaseModel):
    status: str
    catalog: dict[str, Any]
    index: dict[str, Any]


_ERROR_DESCRIPTIONS = {
    400: "bad request (e.g. query too long, paging too deep)",
    401: "not authenticated, or the bearer token is invalid, expired or revoked",
    403: "authenticated, but the role or token scope does not allow this",
    404: "not found",
    409: "conflict with the current state",
    413: "request body too large",
    422: "invalid parameter (named in errors[].field)",
    429: "rate limited: retry after the Retry-After header's seconds",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer, all in the one error body."""
    return {
        code: {"model": ErrorResponse, "description": _ERROR_DESCRIPTIONS[code]} for code in codes
    }


#: Public read routes: anyone may call them; a presented token must be valid; rate limited.
ERROR_RESPONSES = error_responses(400, 401, 404, 422, 429)


class ProfileResponse(BaseModel):
    """A profile: what the resident declared, and what ranking makes of it."""

    id: str
    declared: dict[str, Any]
    audiences: dict[str, float] = Field(
        description="audience → weight used by ranking (declared/implied 1, learned ≤ 0.5)"
    )
    interests: dict[str, dict[str, float]] = Field(
        description="learned from events with time decay: topics / audiences → affinity"
    )
    events: int = Field(description="events kept (within the retention period)")
    created_at: str
    updated_at: str


class FeedResponse(BaseModel):
    profile: str
    size: int
    items: list[SearchHit]
    next_cursor: str | None


class TaxonomyEntry(BaseModel):
    id: str
    label: str
    description: str


class Persona(BaseModel):
    id: str
    label: str = Field(description="what the onboarding screen shows: 老人, 务工 …")
    declared: dict[str, Any] = Field(description="the PUT /profiles body this answer stands for")


class TaxonomyResponse(BaseModel):
    version: str
    audiences: list[TaxonomyEntry]
    topics: list[TaxonomyEntry]
    personas: list[Persona] = Field(description='"为你推荐" onboarding answers')


class PlaceItem(BaseModel):
    name: str
    path: str
    level: str = Field(description="city | county | town")
    lat: float
    lon: float


class PlacesResponse(BaseModel):
    version: int
    home: str = Field(description="the county this deployment serves")
    places: list[PlaceItem]


# -- serialising search answers -------------------------------------------------
#
# Validating each answer into ``SearchResponse`` and dumping it cost 0.3 ms of every
# search request (model objects for the answer and each hit); the answer is built by
# our own code, so what the model adds is only its shape: field order, defaults for
# absent fields, nested models likewise. ``conform`` applies exactly that from the
# models' declarations, and orjson writes the bytes (tests compare them with pydantic's).

_Plan = tuple[tuple[str, Any, "type[BaseModel] | None", bool], ...]
_plans: dict[type[BaseModel], tuple[_Plan, bool]] = {}


def _nested(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(model, is_list) for ``M``, ``M | None``, ``list[M]``, ``list[M] | None``."""
    item = list_item(annotation)
    target = item if item is not None else without_none(annotation)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return target, item is not None
    return None, False


def _plan(model: type[BaseModel]) -> tuple[_Plan, bool]:
    if model not in _plans:
        fields = []
        for name, info in model.model_fields.items():
            nested, is_list = _nested(info.annotation)
            default = info.default_factory if info.default_factory is not None else info.default
            fields.append((name, (info.default_factory is not None, default), nested, is_list))
        _plans[model] = (tuple(fields), model.model_config.get("extra") == "allow")
    return _plans[model]


def conform(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` laid out as ``model(**data).model_dump()`` would be, without building it."""
    fields, extra = _plan(model)
    out: dict[str, Any] = {}
    for name, (factory, default), nested, is_list in fields:
        if name in data:
            value = data[name]
        elif default is PydanticUndefined:
            raise ValueError(f"{model.__name__}.{name} is required")
        else:
            value = default() if factory else default
        if nested is not None and value is not None:
            value = [conform(nested, v) for v in value] if is_list else conform(nested, value)
        out[name] = value
    if extra:
        out.update((k, v) for k, v in data.items() if k not in out)
    return out


def search_response_json(body: dict[str, Any]) -> bytes:
    return orjson.dumps(conform(SearchResponse, body))
