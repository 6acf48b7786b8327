"""Application factory: ``create_app(settings)`` wires runtime, routes, errors, pages,
and the middleware that hardens every response.

Middleware: gzip for every compressible answer (JSON, the page's JS/CSS; not
video or partial responses), CORS for the origins in ``FASOU_CORS_ORIGINS``
(the mini-app's web views). The resident page at ``/`` is static files from
``static/`` calling only the public ``/api/v1`` endpoints.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from fasou import __version__
from fasou.config import Settings, get_settings
from search_api.api.deps import API_PREFIX, PROFILE_HEADER
from search_api.api.errors import UnhandledErrorMiddleware, install_error_handlers
from search_api.api.main import api_router
from search_api.api.routes import metrics
from search_api.console.routes import install_console
from search_api.core.access_log import REQUEST_ID_HEADER, AccessLogMiddleware
from search_api.core.body_limit import BodyLimitMiddleware
from search_api.core.gzip_pieces import GZIP_FRESH_LEVEL, GZIP_MIN_BYTES
from search_api.core.metrics import mark_process_dead
from search_api.core.response_cache import ResponseCacheMiddleware
from search_api.core.runtime import Runtime
from search_api.core.security_headers import SecurityHeadersMiddleware, inline_hashes_csp
from search_api.core.shared_answers import SHARED_ANSWERS_ENV, SharedAnswers

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Swagger UI is served from a CDN and bootstraps inline: its page alone gets this policy.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def create_app(settings: Settings | None = None, *, run_worker: bool = True) -> FastAPI:
    settings = settings or get_settings()
    settings.require_secure()  # refuse before binding a port, not at the first request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = Runtime.start(settings, run_worker=run_worker)
        app.state.runtime.count_quiet_tasks()
        # What start-up loaded (dictionaries, completion tables, the index reader: ~330k
        # objects) lives as long as the process. Left to the collector, every full
        # collection walked all of it — a 160 ms stop of this worker, the load test's p99.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            app.state.runtime.stop()
            mark_process_dead()

    app = FastAPI(
        title="法搜 fasou API",
        version=__version__,
        description="面向群众的法律法规、案例、普法视频与法律服务检索; 编辑工作台 API。",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    # Inside gzip, the access log, metrics and headers: a replayed answer gets them all.
    shared = os.environ.get(SHARED_ANSWERS_ENV)  # set by `fasou serve` for its workers
    app.add_middleware(
        ResponseCacheMiddleware,
        path=f"{API_PREFIX}/search",
        shared=SharedAnswers(Path(shared)) if shared else None,
    )
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_FRESH_LEVEL)
    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(metrics.router)  # /metrics, where Prometheus looks by default
    install_console(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Outermost last: request id + access log → security headers → CORS → body limit → 500s.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-None-Match",
            PROFILE_HEADER,
            REQUEST_ID_HEADER,
        ],
        expose_headers=["ETag", "Retry-After", REQUEST_ID_HEADER],
        allow_credentials=False,  # bearer tokens, never cookies, cross-origin
        max_age=600,
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.environment == "production")
    app.add_middleware(AccessLogMiddleware)

    page_csp = inline_hashes_csp((STATIC_DIR / "index.html").read_text(encoding="utf-8"))

    @app.get("/", include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": page_csp, "Cache-Control": "no-cache"},
        )

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url=f"{API_PREFIX}/openapi.json", title="法搜 API")
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page

    return app


def serve_app() -> FastAPI:
    """The factory each ``fasou serve`` worker process calls (``uvicorn … --factory``):
    settings come from the environment the parent prepared, logging is set per process."""
    from fasou.cli.serving import json_logging

    settings = get_settings()
    json_logging(settings.access_log)
    return create_app(settings)
