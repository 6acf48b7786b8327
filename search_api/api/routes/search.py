"""``GET /api/v1/search``: plain-language search with filters, facets and snippets.

Paged by ``page`` or by ``cursor`` (the previous answer's ``next_cursor``); both
address slices of one ordering, so infinite scroll never repeats a hit.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from fasou.profiles.model import CLIENT_ID_PATTERN
from indexer.models import DocType, Level, Status
from indexer.search.links import related_for_hits
from indexer.search.types import Filters
from search_api.api.cursors import decode_cursor, encode_cursor, request_key
from search_api.api.deps import CatalogDep, ProfilesDep, SearchDep, SettingsDep
from search_api.api.errors import ApiError
from search_api.core.enrich import enrich, near_body, resolve_near
from search_api.schemas import ERROR_RESPONSES, SearchResponse

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResponse, responses=ERROR_RESPONSES)
def search(
    search: SearchDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    profiles: ProfilesDep,
    q: Annotated[str, Query(min_length=1, description="用户的问题或关键词, 如 老板拖欠工资怎么办")],
    type: Annotated[list[DocType] | None, Query(description="文档类型, 可多选")] = None,
    status: Annotated[list[Status] | None, Query(description="时效性")] = None,
    level: Annotated[list[Level] | None, Query(description="效力级别")] = None,
    department: Annotated[list[str] | None, Query(max_length=50)] = None,
    region: Annotated[list[str] | None, Query(max_length=100, description="地区名或路径")] = None,
    audience: Annotated[list[str] | None, Query(max_length=64)] = None,
    topic: Annotated[list[str] | None, Query(max_length=64)] = None,
    date_from: Annotated[date | None, Query(description="发布日期起 (含)")] = None,
    date_to: Annotated[date | None, Query(description="发布日期止 (含)")] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    size: Annotated[int, Query(ge=1, le=50)] = 10,
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
    if len(q) > settings.max_query_chars:
        raise ApiError(
            400,
            "query_too_long",
            f"q must be at most {settings.max_query_chars} characters",
            field="q",
        )
    if not q.strip():
        raise ApiError(422, "validation_error", "q must not be blank", field="q")
    if date_from and date_to and date_from > date_to:
        raise ApiError(422, "validation_error", "date_from is after date_to", field="date_from")
    filters = Filters(
        types=[t.value for t in type or []],
        statuses=[s.value for s in status or []],
        levels=[lv.value for lv in level or []],
        departments=department or [],
        regions=region or [],
        audiences=audience or [],
        topics=topic or [],
        date_from=date_from,
        date_to=date_to,
    )
    point = resolve_near(near)
    depth = settings.max_page * settings.max_page_size
    key = request_key("search", q, filters, profile)
    if cursor is not None and page != 1:
        raise ApiError(422, "validation_error", "give page or cursor, not both", field="cursor")
    offset = decode_cursor(cursor, limit=depth, key=key)[0] if cursor else (page - 1) * size
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
