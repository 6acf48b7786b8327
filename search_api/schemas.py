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


class DocumentResponse(BaseModel):
    """A full document from the catalog, including its type's fields and effective tags."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    title: str
    body: str
    audiences: list[str]
    topics: list[str]
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


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "bad request"},
    404: {"model": ErrorResponse, "description": "not found"},
    422: {"model": ErrorResponse, "description": "invalid parameter (named in errors[].field)"},
}
