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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors = [{"field": field, "location": location, "message": detail}] if field else []
        self.headers = headers


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
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "unavailable",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.detail, exc.code, exc.errors),
            status_code=exc.status,
            headers=exc.headers,
        )

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


class UnhandledErrorMiddleware:
    """Any exception no handler claimed becomes a 500 in the one error body.

    A middleware rather than ``exception_handler(Exception)`` (which Starlette
    runs outermost, outside every middleware): here the response still passes
    the security-header and request-id middlewares. The trace goes to the log
    under the request id; the client gets the id, never the trace.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            request_id = scope.get("state", {}).get("request_id")
            log.error("unhandled error (request %s)", request_id, exc_info=exc)
            if started:
                raise
            detail = f"internal error (request id {request_id})" if request_id else "internal error"
            response = JSONResponse(error_body(detail, "internal_error"), status_code=500)
            await response(scope, receive, send)
