"""``GET /api/v1/places``: places a resident can name, with approximate centres.

The page's "你在哪里" choices and the reference for ``near=`` on search, feed
and documents (distances to legal-service offices).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from fasou.places import places
from search_api.api.routes.taxonomy import CACHE_CONTROL
from search_api.schemas import PlacesResponse

router = APIRouter(tags=["taxonomy"])


@router.get("/places", response_model=PlacesResponse)
def get_places(response: Response) -> dict:
    table = places()
    response.headers["Cache-Control"] = CACHE_CONTROL
    return {
        "version": table.version,
        "home": table.home,
        "places": [p.as_dict() for p in table.places],
    }
