"""``GET /api/v1/healthz``: is the catalog reachable, the index caught up, the engine healthy?

The backend reports its own status: for Elasticsearch the cluster health
(green → ok, yellow → degraded, red → error, with the node count).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from search_api.api.deps import RuntimeDep
from search_api.schemas import Health

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "catalog or index unavailable"}},
)
def healthz(runtime: RuntimeDep) -> JSONResponse:
    status, code = "ok", 200
    try:
        catalog = {
            "status": "ok",
            "documents": runtime.catalog.count(),
            "rev": runtime.catalog.max_rev(),
        }
    except Exception as exc:  # report, don't raise: health must answer
        catalog, status, code = {"status": "error", "error": type(exc).__name__}, "error", 503
    try:
        index = runtime.backend.health()
        if runtime.worker and runtime.worker.last_error:
            index["worker_error"] = runtime.worker.last_error
        if runtime.job_runner and runtime.job_runner.last_error:
            index["job_runner_error"] = runtime.job_runner.last_error
        if catalog.get("rev") is not None:
            index["lag_revisions"] = max(0, catalog["rev"] - index.get("applied_rev", 0))
        if index.get("status") == "error":  # e.g. a red cluster: searches may fail
            status, code = "error", 503
        elif index.get("status") != "ok" and status == "ok":  # e.g. a yellow cluster
            status = "degraded"
    except Exception as exc:
        index, status, code = {"status": "error", "error": type(exc).__name__}, "error", 503
    return JSONResponse({"status": status, "catalog": catalog, "index": index}, status_code=code)
