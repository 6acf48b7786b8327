"""``/api/v1/admin/crawls…``: operators' views of the crawler (runs, quarantine); admin only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from indexer.catalog.crawls import CrawlLedger
from search_api.api.deps import Admin, CatalogDep, rate_limited
from search_api.schemas import CrawlRunsResponse, QuarantineResponse, error_responses

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[rate_limited("editor")])
SourceQuery = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+$")]
LimitQuery = Annotated[int, Query(ge=1, le=500)]


@router.get(
    "/crawls", response_model=CrawlRunsResponse, responses=error_responses(401, 403, 422, 429)
)
def list_crawls(
    catalog: CatalogDep, _admin: Admin, source: SourceQuery = None, limit: LimitQuery = 50
) -> dict:
    """Recent crawl runs, newest first: start, end, status, pages and document counts."""
    return {"runs": CrawlLedger(catalog).runs(source, limit)}


@router.get(
    "/crawls/quarantine",
    response_model=QuarantineResponse,
    responses=error_responses(401, 403, 422, 429),
)
def list_quarantine(
    catalog: CatalogDep, _admin: Admin, source: SourceQuery = None, limit: LimitQuery = 50
) -> dict:
    """Quarantined items and failed pages, newest first, with the reason."""
    return {"items": CrawlLedger(catalog).quarantined(source, None, limit)}
