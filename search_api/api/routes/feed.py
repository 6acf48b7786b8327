"""``GET /api/v1/feed``: "为你推荐" — a page of items for one resident, paged by cursor.

The cursor fixes the moment the feed was first asked for, so items seen while
paging do not shift later pages.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from fasou.profiles.events import utcnow
from fasou.profiles.model import CLIENT_ID_PATTERN
from indexer.search.feed import MAX_FEED_DEPTH
from indexer.search.service import shape_hit
from indexer.search.types import BackendHit
from search_api.api.deps import AnalyticsDep, FeedDep, ProfilesDep, rate_limited
from search_api.api.errors import ApiError
from search_api.schemas import ERROR_RESPONSES, FeedResponse

router = APIRouter(tags=["feed"], dependencies=[rate_limited("feed")])


def encode_cursor(offset: int, asof: datetime) -> str:
    raw = json.dumps({"o": offset, "t": asof.isoformat(timespec="seconds")}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, datetime]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset, asof = int(data["o"]), datetime.fromisoformat(data["t"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(422, "validation_error", "invalid cursor", field="cursor") from exc
    if not 0 <= offset < MAX_FEED_DEPTH:
        raise ApiError(422, "validation_error", "cursor is out of range", field="cursor")
    return offset, asof


@router.get("/feed", response_model=FeedResponse, responses=ERROR_RESPONSES)
def get_feed(
    feed: FeedDep,
    profiles: ProfilesDep,
    analytics: AnalyticsDep,
    profile: Annotated[str, Query(pattern=CLIENT_ID_PATTERN, description="客户端标识")],
    size: Annotated[int, Query(ge=1, le=50)] = 10,
    cursor: Annotated[str | None, Query(max_length=200, description="上一页的 next_cursor")] = None,
) -> dict:
    offset, asof = decode_cursor(cursor) if cursor else (0, utcnow())
    who = profiles.personalization(profile)
    items = feed.build(who, profiles.seen(profile, asof=asof), offset=offset, size=size)
    hits = []
    for item in items:
        shaped = shape_hit(BackendHit(item.record["id"], item.score, item.record), [])
        shaped["reasons"] = item.reasons
        hits.append(shaped)
    analytics.feed(profile, who, [hit["type"] for hit in hits])
    following = offset + len(items)
    more = len(items) == size and following < MAX_FEED_DEPTH
    return {
        "profile": profile,
        "size": size,
        "items": hits,
        "next_cursor": encode_cursor(following, asof) if more else None,
    }
