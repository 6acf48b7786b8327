"""One error body for every failure.

``{"detail": str, "code": str, "errors": [{"field", "location", "message"}]}``.

Mini-app clients branch on ``code`` and show ``errors[].field`` next to the
input at fault; no response ever carries a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.backends.base import BackendUnavailable

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the API reports deliberately, with a stable code and the field at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        field: str | None = None,
        location: str = "query",
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors = [{"field": field, "location": location, "message": detail}] if field else []


def error_body(
    detail: str, code: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or []}


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "rate_limited",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.detail, exc.code, exc.errors), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            # ("query", "type", 0) names the parameter "type": list indices are noise.
            loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
            location = loc[0] if loc else "request"
            field = ".".join(loc[1:]) or location
            errors.append({"field": field, "location": location, "message": err.get("msg", "")})
        names = ", ".join(dict.fromkeys(e["field"] for e in errors))
        return JSONResponse(
            error_body(f"invalid parameter: {names}", "validation_error", errors), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        return JSONResponse(
            error_body(str(exc.detail), code),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(BackendUnavailable)
    async def _unavailable(_request: Request, exc: BackendUnavailable) -> JSONResponse:
        log.warning("search backend unavailable: %s", exc)
        return JSONResponse(
            error_body("the search engine is unavailable; retry shortly", "backend_unavailable"),
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal error", "internal_error"), status_code=500)
