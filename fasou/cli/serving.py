"""``fasou serve``: the API and the page, with the index worker in the same process."""

from __future__ import annotations

import typer
import uvicorn

from fasou.config import get_settings


def serve(
    host: str = typer.Option(None, "--host", help="default FASOU_HOST or 127.0.0.1"),
    port: int = typer.Option(None, "--port", help="default FASOU_PORT or 8000"),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log"),
) -> None:
    """Serve the API under /api/v1 and the search page at /."""
    from search_api.core.http_protocol import Utf8RequestLineProtocol
    from search_api.main import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        access_log=access_log,
        http=Utf8RequestLineProtocol,
        log_level="info",
    )
