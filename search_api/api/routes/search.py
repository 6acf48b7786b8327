"""``GET /api/v1/search``: plain-language search with filters, facets and snippets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fasou.profiles.model import CLIENT_ID_PATTERN
from indexer.search.links import related_for_hits
from search_api.api.deps import (
    AnalyticsDep,
    CatalogDep,
    Paging,
    ProfilesDep,
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
    catalog: CatalogDep,
    profiles: ProfilesDep,
    analytics: AnalyticsDep,
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
    check_query_text(q, settings)
    who = None
    if profile is not None:
        who = profiles.personalization(profile)
        profiles.record_search(profile, q)
    body = search.search(
        q,
        filters=filters,
        page=paging.page,
        size=paging.size,
        explain=explain,
        personalization=who,
    ).as_dict()
    if who is not None and paging.page == 1:
        analytics.search(
            profile,
            who,
            q,
            total=body["total"],
            zero=body["total"] == 0,
            shown=[hit["type"] for hit in body["hits"]],
        )
    if related and body["hits"]:
        linked = related_for_hits(catalog, [h["id"] for h in body["hits"]])
        for hit in body["hits"]:
            hit["related"] = linked.get(hit["id"], [])
    return body
