"""``GET /metrics``: Prometheus exposition (every worker's counters plus the shared state).

Outside ``/api/v1`` on purpose: it is for the operator's Prometheus, not for
clients, and is the path Prometheus scrapes by default. Restrict it at the
reverse proxy (docs/deployment.md) — it holds no resident data, but it is not public.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from search_api.api.deps import RuntimeDep
from search_api.core.metrics import render

router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False)
def metrics(runtime: RuntimeDep) -> Response:
    body, content_type = render(runtime)
    return Response(body, media_type=content_type)
