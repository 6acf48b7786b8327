"""``fasou serve``: the API, the pages and the editor console, in one or several worker
processes; the background work (index worker, bulk jobs, event purge) runs in whichever
worker holds the background lease (``search_api/core/leader.py``)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import typer
import uvicorn

from fasou.config import InsecureConfiguration, get_settings

#: Read by prometheus_client at import (``search_api/core/metrics.py`` names it too).
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def json_logging(access_log: bool) -> None:
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


def prepare_metrics_dir(data_dir: Path) -> Path:
    """A fresh ``PROMETHEUS_MULTIPROC_DIR`` for this server's workers (set before any of
    them imports prometheus_client): counters of a previous run must not be summed in.
    Nothing here may import prometheus_client before the directory exists."""
    configured = os.environ.get(MULTIPROC_ENV)
    directory = fresh_directory(Path(configured) if configured else data_dir / "metrics")
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory


def prepare_shared_answers(data_dir: Path) -> Path:
    """The file this server's workers share answers in (``search_api/core/shared_answers``),
    empty at every start: answers of a previous run may come from other settings."""
    return fresh_directory(data_dir / "answers") / "answers.sqlite"


def fresh_directory(directory: Path) -> Path:
    """``directory``, emptied of whatever a previous run left in it."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return directory


def serve(
    host: str = typer.Option(None, "--host", help="default FASOU_HOST or 127.0.0.1"),
    port: int = typer.Option(None, "--port", help="default FASOU_PORT or 8000"),
    workers: int = typer.Option(None, "--workers", min=1, help="default FASOU_WORKERS or 1"),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log"),
) -> None:
    """Serve the API under /api/v1, the search page at / and the editor console at /editor/."""
    from search_api.core.http_protocol import Utf8RequestLineProtocol

    settings = get_settings()
    try:
        settings.require_secure()
    except InsecureConfiguration as exc:
        typer.echo(f"refusing to start: {exc}", err=True)
        raise typer.Exit(3) from None
    workers = workers or settings.workers
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if workers > 1 or os.environ.get(MULTIPROC_ENV):
        prepare_metrics_dir(settings.data_dir)  # one process alone keeps metrics in memory
    if workers > 1:
        from search_api.core.shared_answers import SHARED_ANSWERS_ENV

        os.environ[SHARED_ANSWERS_ENV] = str(prepare_shared_answers(settings.data_dir))
    os.environ["FASOU_ACCESS_LOG"] = "true" if access_log else "false"
    json_logging(access_log)
    get_settings.cache_clear()
    uvicorn.run(
        "search_api.main:serve_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        access_log=False,
        http=Utf8RequestLineProtocol,
        log_config=None,
        log_level="info",
        timeout_graceful_shutdown=30,
    )
