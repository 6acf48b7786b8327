"""``GET /api/v1/suggest?q=``: completions for the search box (characters, pinyin, initials)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from indexer.search.suggest import MAX_SUGGESTIONS, suggester
from search_api.api.errors import ApiError
from search_api.schemas import ERROR_RESPONSES, SuggestResponse

router = APIRouter(tags=["suggest"])


@router.get("/suggest", response_model=SuggestResponse, responses=ERROR_RESPONSES)
def suggest(
    q: Annotated[
        str, Query(min_length=1, max_length=50, description="已输入的文字或拼音, 如 ldht、劳动")
    ],
    limit: Annotated[int, Query(ge=1, le=20)] = MAX_SUGGESTIONS,
) -> dict:
    if not q.strip():
        raise ApiError(422, "validation_error", "q must not be blank", field="q")
    engine = suggester()
    items = engine.suggest(q, limit)
    return {
        "query": q,
        "suggestions": [{"text": s.text, "kind": s.kind, "match": s.match} for s in items],
        "did_you_mean": engine.did_you_mean(q),
    }
