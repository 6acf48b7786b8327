"""``GET /api/v1/feed``: "为你推荐" — a page of items for one resident, paged by cursor.

The cursor fixes the moment the feed was first asked for, so items seen while
paging do not shift later pages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fasou.profiles.events import utcnow
from fasou.profiles.model import CLIENT_ID_PATTERN
from indexer.search.feed import MAX_FEED_DEPTH
from indexer.search.service import shape_hit
from indexer.search.types import BackendHit
from search_api.api.cursors import decode_cursor, encode_cursor, request_key
from search_api.api.deps import FeedDep, ProfilesDep, SettingsDep, rate_limited
from search_api.core.enrich import enrich, resolve_near
from search_api.schemas import ERROR_RESPONSES, FeedResponse

router = APIRouter(tags=["feed"], dependencies=[rate_limited("feed")])


@router.get("/feed", response_model=FeedResponse, responses=ERROR_RESPONSES)
def get_feed(
    feed: FeedDep,
    profiles: ProfilesDep,
    settings: SettingsDep,
    profile: Annotated[str, Query(pattern=CLIENT_ID_PATTERN, description="客户端标识")],
    size: Annotated[int, Query(ge=1, le=50)] = 10,
    cursor: Annotated[str | None, Query(max_length=200, description="上一页的 next_cursor")] = None,
    near: Annotated[
        str | None,
        Query(max_length=100, description="所在地 (地名、路径或 纬度,经度), 服务给出距离"),
    ] = None,
) -> dict:
    point = resolve_near(near)
    key = request_key("feed", profile)
    offset, asof = decode_cursor(cursor, limit=MAX_FEED_DEPTH, key=key) if cursor else (0, None)
    asof = asof or utcnow()
    who = profiles.personalization(profile)
    items = feed.build(who, profiles.seen(profile, asof=asof), offset=offset, size=size)
    hits = []
    for item in items:
        shaped = shape_hit(BackendHit(item.record["id"], item.score, item.record), [])
        shaped["reasons"] = item.reasons
        hits.append(enrich(shaped, settings, point))
    following = offset + len(items)
    more = len(items) == size and following < MAX_FEED_DEPTH
    return {
        "profile": profile,
        "size": size,
        "items": hits,
        "next_cursor": encode_cursor(following, key=key, asof=asof) if more else None,
    }
