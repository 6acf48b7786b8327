"""``GET /api/v1/search``: plain-language search with filters, facets and snippets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from search_api.api.deps import (
    Paging,
    SearchDep,
    SearchFilters,
    SettingsDep,
    check_query_text,
    rate_limited,
)
from search_api.schemas import ERROR_RESPONSES, SearchResponse

router = APIRouter(tags=["search"], dependencies=[rate_limited("search")])


@router.get("/search", response_model=SearchResponse, responses=ERROR_RESPONSES)
def search(
    search: SearchDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, description="用户的问题或关键词, 如 老板拖欠工资怎么办")],
    paging: Paging,
    filters: SearchFilters,
    explain: bool = False,
) -> dict:
    check_query_text(q, settings)
    return search.search(
        q, filters=filters, page=paging.page, size=paging.size, explain=explain
    ).as_dict()
