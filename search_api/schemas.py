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
