"""``GET /api/v1/places``: places a resident can name, with approximate centres.

The page's "你在哪里" choices and the reference for ``near=`` on search, feed
and documents (distances to legal-service offices).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from fasou.places import places
from search_api.api.deps import rate_limited
from search_api.api.routes.taxonomy import CACHE_CONTROL
from search_api.schemas import PlacesResponse, error_responses

router = APIRouter(tags=["taxonomy"], dependencies=[rate_limited("documents")])


@router.get("/places", response_model=PlacesResponse, responses=error_responses(401, 429))
def get_places(response: Response) -> dict:
    table = places()
    response.headers["Cache-Control"] = CACHE_CONTROL
    return {
        "version": table.version,
        "home": table.home,
        "places": [p.as_dict() for p in table.places],
    }
