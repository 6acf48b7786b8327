"""Application factory: ``create_app(settings)`` wires runtime, routes, errors, page.

Middleware: gzip for every compressible answer (JSON, the page's JS/CSS; not
video or partial responses), CORS for the origins in ``FASOU_CORS_ORIGINS``
(the mini-app's web views). The resident page at ``/`` is static files from
``static/`` calling only the public ``/api/v1`` endpoints.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from fasou import __version__
from fasou.config import Settings, get_settings
from search_api.api.errors import install_error_handlers
from search_api.api.main import api_router
from search_api.core.runtime import Runtime

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1"
#: The page loads nothing from elsewhere; videos may stream from publishers (https).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' https:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
#: Smaller JSON answers gain little from gzip and cost a little CPU.
GZIP_MIN_BYTES = 500
GZIP_LEVEL = 6


def create_app(settings: Settings | None = None, *, run_worker: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = Runtime.start(settings, run_worker=run_worker)
        try:
            yield
        finally:
            app.state.runtime.stop()

    app = FastAPI(
        title="法搜 fasou API",
        version=__version__,
        description="面向群众的法律法规、案例、普法视频与法律服务检索。",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Content-Type", "If-None-Match"],
            expose_headers=["ETag"],
            max_age=600,
        )
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)
    app.include_router(api_router, prefix=API_PREFIX)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"},
        )

    return app
