"""Response schemas of the public API (what OpenAPI documents and clients rely on)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SearchHit(BaseModel):
    """A hit: the fixed fields below, then the document type's own fields at top level."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    title: str
    snippet: str = Field(description="excerpt with matched terms wrapped in <em>…</em>")
    score: float


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    size: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    took_ms: float
    understanding: dict[str, Any] = Field(
        default_factory=dict,
        description="how the query was understood: terms, expansions, laws, lookups, intent",
    )
    relaxed: bool = Field(False, description="true when results come from relaxed matching")
    notice: str | None = Field(None, description="message to show, e.g. after relaxed matching")
    did_you_mean: str | None = Field(None, description="the query with homophone typos fixed")


class SuggestItem(BaseModel):
    text: str
    kind: str = Field(description="query | law | term")
    match: str = Field(description="prefix | pinyin | initials | homophone")


class SuggestResponse(BaseModel):
    query: str
    suggestions: list[SuggestItem]
    did_you_mean: str | None = None


class DocumentResponse(BaseModel):
    """A full document from the catalog, including its type's fields and effective tags."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    title: str
    body: str
    audiences: list[str]
    topics: list[str]
    links: dict[str, Any] | None = Field(
        None, description="cites / cited_by (by type) / related items"
    )


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


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "bad request"},
    404: {"model": ErrorResponse, "description": "not found"},
    422: {"model": ErrorResponse, "description": "invalid parameter (named in errors[].field)"},
}


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
