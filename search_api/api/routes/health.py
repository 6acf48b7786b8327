"""Health: ``/healthz`` (the full report), ``/healthz/live`` and ``/healthz/ready``.

The backend reports its own status: for Elasticsearch the cluster health
(green → ok, yellow → degraded, red → error, with the node count).

*Liveness* says only that the process answers (restart it if not); *readiness*
says it can serve searches now — the catalog answers, the search backend
answers, and the index is not hopelessly behind the catalog — so a load
balancer or orchestrator sends traffic elsewhere while it is not (503 with the
one error body, naming what is wrong), without restarting it.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from search_api.api.deps import RuntimeDep
from search_api.api.errors import error_body
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


@router.get("/healthz/live", include_in_schema=False)
def live(runtime: RuntimeDep) -> dict:
    """The process is up; ``role`` says whether it runs the background work."""
    leader = runtime.leader
    return {"status": "ok", "role": "leader" if leader and leader.is_leader else "follower"}


@router.get("/healthz/ready", include_in_schema=False)
def ready(runtime: RuntimeDep) -> JSONResponse:
    problems = []
    rev = applied = None
    try:
        rev = runtime.catalog.max_rev()
    except Exception as exc:
        problems.append(("catalog", f"catalog unreachable ({type(exc).__name__})"))
    try:
        index = runtime.backend.health()
        applied = index.get("applied_rev", 0)
        if index.get("status") == "error":
            problems.append(("search_backend", "search backend reports an error"))
    except Exception as exc:
        problems.append(("search_backend", f"search backend not answering ({type(exc).__name__})"))
    limit = runtime.settings.ready_max_lag_revisions
    if rev is not None and applied is not None and rev - applied > limit:
        behind = f"index {rev - applied} revisions behind the catalog (> {limit})"
        problems.append(("index", behind))
    if problems:
        body = error_body(
            "not ready: " + "; ".join(message for _, message in problems),
            "not_ready",
            [{"field": part, "location": "service", "message": msg} for part, msg in problems],
        )
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok", "rev": rev, "applied_rev": applied})
