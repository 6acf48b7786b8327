"""``fasou serve``: the API, the pages and the editor console, with the index worker and
the job runner in the same process."""

from __future__ import annotations

import logging

import typer
import uvicorn

from fasou.config import InsecureConfiguration, get_settings


def _json_logging(access_log: bool) -> None:
    """JSON lines on stderr; our access log replaces uvicorn's (which logs IPs and queries)."""
    from search_api.core.access_log import ACCESS_LOGGER, JsonLogFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger(ACCESS_LOGGER).disabled = not access_log


def serve(
    host: str = typer.Option(None, "--host", help="default FASOU_HOST or 127.0.0.1"),
    port: int = typer.Option(None, "--port", help="default FASOU_PORT or 8000"),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log"),
) -> None:
    """Serve the API under /api/v1, the search page at / and the editor console at /editor/."""
    from search_api.core.http_protocol import Utf8RequestLineProtocol
    from search_api.main import create_app

    settings = get_settings()
    try:
        app = create_app(settings)
    except InsecureConfiguration as exc:
        typer.echo(f"refusing to start: {exc}", err=True)
        raise typer.Exit(3) from None
    _json_logging(access_log)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        access_log=False,
        http=Utf8RequestLineProtocol,
        log_config=None,
        log_level="info",
    )
