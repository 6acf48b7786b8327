"""``GET /api/v1/search``: plain-language search with filters, facets and snippets."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from fasou.profiles.model import CLIENT_ID_PATTERN
from indexer.search.links import related_for_hits
from search_api.api.deps import (
    CatalogDep,
    Paging,
    ProfilesDep,
    SearchDep,
    SearchFilters,
    SettingsDep,
    check_query_text,
    rate_limited,
)
from search_api.core.metrics import observe_search
from search_api.schemas import ERROR_RESPONSES, SearchResponse

router = APIRouter(tags=["search"], dependencies=[rate_limited("search")])


@router.get("/search", response_model=SearchResponse, responses=ERROR_RESPONSES)
async def search(
    search: SearchDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    profiles: ProfilesDep,
    q: Annotated[str, Query(min_length=1, description="用户的问题或关键词, 如 老板拖欠工资怎么办")],
    paging: Paging,
    filters: SearchFilters,
    explain: Annotated[bool, Query(description="每条结果附带得分解释")] = False,
    related: Annotated[bool, Query(description="每条结果附带关联内容(引用/被引用)")] = False,
    profile: Annotated[
        str | None,
        Query(pattern=CLIENT_ID_PATTERN, description="客户端标识 (个性化排序; 记录一次搜索事件)"),
    ] = None,
) -> dict:
    """``async`` so that a cached answer is served on the event loop; everything that reads
    the catalog or the index runs in the thread pool."""
    check_query_text(q, settings)
    who = None
    if profile is not None:
        who = await run_in_threadpool(profiles.personalization, profile)
        profiles.record_search(profile, q)
    page = None
    if who is None and not explain:
        page = search.cached(q, filters=filters, page=paging.page, size=paging.size)
    if page is None:
        page = await run_in_threadpool(
            partial(
                search.search,
                q,
                filters=filters,
                page=paging.page,
                size=paging.size,
                explain=explain,
                personalization=who,
            )
        )
    observe_search(
        page.total, page.relaxed, page.cached if search.cache and not (who or explain) else None
    )
    body = page.as_dict()
    if related and body["hits"]:
        linked = await run_in_threadpool(related_for_hits, catalog, [h["id"] for h in body["hits"]])
        for hit in body["hits"]:
            hit["related"] = linked.get(hit["id"], [])
    return body
