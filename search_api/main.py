"""Application factory: ``create_app(settings)`` wires runtime, routes, errors, page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from fasou import __version__
from fasou.config import Settings, get_settings
from search_api.api.errors import install_error_handlers
from search_api.api.main import api_router
from search_api.core.runtime import Runtime

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1"


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
    app.include_router(api_router, prefix=API_PREFIX)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    return app
