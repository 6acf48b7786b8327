"""``GET /api/v1/search``: plain-language search with filters, facets and snippets.

Paged by ``page`` or by ``cursor`` (the previous answer's ``next_cursor``); both
address slices of one ordering, so infinite scroll never repeats a hit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fasou.profiles.model import CLIENT_ID_PATTERN
from indexer.search.links import related_for_hits
from search_api.api.cursors import decode_cursor, encode_cursor, request_key
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
from search_api.api.errors import ApiError
from search_api.core.enrich import enrich, near_body, resolve_near
from search_api.schemas import ERROR_RESPONSES, SearchResponse

router = APIRouter(tags=["search"], dependencies=[rate_limited("search")])


@router.get("/search", response_model=SearchResponse, responses=ERROR_RESPONSES)
def search(
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
    cursor: Annotated[
        str | None, Query(max_length=200, description="上一页的 next_cursor (代替 page)")
    ] = None,
    near: Annotated[
        str | None,
        Query(max_length=100, description="所在地 (地名、路径或 纬度,经度), 服务给出距离"),
    ] = None,
) -> dict:
    check_query_text(q, settings)
    size = paging.size
    point = resolve_near(near)
    depth = settings.max_result_window
    key = request_key("search", q, filters, profile)
    if cursor is not None and paging.page != 1:
        raise ApiError(422, "validation_error", "give page or cursor, not both", field="cursor")
    offset = decode_cursor(cursor, limit=depth, key=key)[0] if cursor else paging.offset
    who = None
    if profile is not None:
        who = profiles.personalization(profile)
        if offset == 0:
            profiles.record_search(profile, q)
    body = search.search(
        q, filters=filters, offset=offset, size=size, explain=explain, personalization=who
    ).as_dict()
    following = offset + size
    more = len(body["hits"]) == size and following < min(body["total"], depth)
    body["next_cursor"] = encode_cursor(following, key=key) if more else None
    body["near"] = near_body(point)
    for hit in body["hits"]:
        enrich(hit, settings, point)
    if related and body["hits"]:
        linked = related_for_hits(catalog, [h["id"] for h in body["hits"]])
        for hit in body["hits"]:
            hit["related"] = linked.get(hit["id"], [])
    return body
