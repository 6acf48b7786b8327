"""``GET /api/v1/taxonomy``: audience and topic labels, and the onboarding answers.

Hits and documents carry taxonomy ids (``audiences: ["elderly"]``); clients turn
them into labels ("适合老年人") with this list instead of hard-coding it, and
the "为你推荐" screen offers the personas listed here, each with the exact
profile body to ``PUT``.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from fasou.profiles.onboarding import PERSONAS
from fasou.taxonomy import taxonomy
from search_api.api.deps import rate_limited
from search_api.schemas import TaxonomyResponse, error_responses

router = APIRouter(tags=["taxonomy"], dependencies=[rate_limited("documents")])

#: Config that changes only with a release: let clients keep it for an hour.
CACHE_CONTROL = "public, max-age=3600"


@router.get("/taxonomy", response_model=TaxonomyResponse, responses=error_responses(401, 429))
def get_taxonomy(response: Response) -> dict:
    tax = taxonomy()
    response.headers["Cache-Control"] = CACHE_CONTROL

    def entries(facet: str) -> list[dict]:
        return [
            {"id": e.id, "label": e.label, "description": e.description} for e in tax.entries(facet)
        ]

    return {
        "version": tax.version,
        "audiences": entries("audience"),
        "topics": entries("topic"),
        "personas": [p.as_dict() for p in PERSONAS],
    }
