"""``/api/v1/admin/…``: operators' views of background work (crawl runs, quarantine).

Not authenticated yet: access control for admin and editor routes arrives with
the editor API's issue. Until then deploy the API behind a proxy that keeps
``/api/v1/admin`` off the public internet.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from indexer.catalog.crawls import CrawlLedger
from search_api.api.deps import CatalogDep
from search_api.schemas import ERROR_RESPONSES, CrawlRunsResponse, QuarantineResponse

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/crawls", response_model=CrawlRunsResponse, responses=ERROR_RESPONSES)
def list_crawls(
    catalog: CatalogDep,
    source: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict:
    """Recent crawl runs, newest first: start, end, status, pages and document counts."""
    return {"runs": CrawlLedger(catalog).runs(source, limit)}


@router.get("/crawls/quarantine", response_model=QuarantineResponse, responses=ERROR_RESPONSES)
def list_quarantine(
    catalog: CatalogDep,
    source: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict:
    """Quarantined items and failed pages, newest first, with the reason."""
    return {"items": CrawlLedger(catalog).quarantined(source, None, limit)}
