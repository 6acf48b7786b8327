"""One fixture per backend under test: the same tests run against tantivy and Elasticsearch."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from fasou.config import Settings
from indexer.backends.base import SearchBackend
from indexer.backends.factory import open_backend
from indexer.catalog import Catalog
from indexer.sync import ensure_index
from tests.catalog_db import copy_catalog, data_dir_env
from tests.conftest import make_settings

BACKENDS = ["tantivy", pytest.param("elasticsearch", marks=pytest.mark.es)]


@dataclass
class Engine:
    """A backend under test: settings for one data dir, and handles on its index."""

    kind: str
    data_dir: Path
    overrides: dict[str, object]
    opened: list[SearchBackend] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return make_settings(self.data_dir, **self.overrides)

    def open(self) -> SearchBackend:
        """A new handle on this engine's index (as another process would open it)."""
        backend = open_backend(self.settings)
        self.opened.append(backend)
        return backend

    def variant(self, name: str) -> Engine:
        """The same kind of backend with a separate index (its own dir or index prefix)."""
        overrides = dict(self.overrides)
        if self.kind == "elasticsearch":
            overrides["es_index_prefix"] = f"{overrides['es_index_prefix']}{name}"
        return Engine(self.kind, self.data_dir / name, overrides, self.opened)

    def env(self) -> dict[str, str]:
        """``FASOU_*`` variables for a CLI subprocess on the same catalog and index."""
        return data_dir_env(self.data_dir) | {
            f"FASOU_{key.upper()}": str(value) for key, value in self.overrides.items()
        }

    def open_catalog(self, corpus_db: Path) -> Catalog:
        """A private copy of the corpus catalog in this engine's data dir."""
        copy_catalog(corpus_db.parent, self.data_dir)
        return Catalog.open(self.settings.catalog_url)


@contextmanager
def engine_for(kind: str, data_dir: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine of ``kind``; Elasticsearch gets a unique index prefix, removed afterwards."""
    overrides: dict[str, object] = {"backend": kind}
    client = None
    if kind == "elasticsearch":
        es_node = request.getfixturevalue("es_node")
        overrides |= {"es_url": es_node.url, "es_index_prefix": f"t{uuid.uuid4().hex[:10]}"}
        client = Elasticsearch(es_node.url)
    engine = Engine(kind, data_dir, overrides)
    try:
        yield engine
    finally:
        for backend in engine.opened:
            backend.close()
        if client is not None:
            prefix = overrides["es_index_prefix"]
            client.options(ignore_status=404).indices.delete(index=f"{prefix}*")
            client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}*")
            client.close()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with engine_for(request.param, tmp_path, request) as engine:
        yield engine


@pytest.fixture()
def catalog(corpus_db: Path, engine: Engine) -> Iterator[Catalog]:
    """This test's own copy of the corpus catalog, in the engine's data dir."""
    catalog = engine.open_catalog(corpus_db)
    yield catalog
    catalog.close()


@pytest.fixture(scope="module", params=BACKENDS)
def indexed(
    request: pytest.FixtureRequest, corpus_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SearchBackend, Catalog]]:
    """A backend with the corpus indexed, shared by tests that only read."""
    with engine_for(request.param, tmp_path_factory.mktemp("indexed"), request) as engine:
        catalog = engine.open_catalog(corpus_db)
        backend = engine.open()
        ensure_index(catalog, backend)
        yield backend, catalog
        catalog.close()
