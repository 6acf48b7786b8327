"""What only the embedded engine has: one writer across processes, readers that reload.

The backend contract itself (queries, filters, facets, updates, rebuilds …) is
``tests/backends/test_conformance.py``, run against every backend.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from analyzers.query import plan_query
from indexer.backends.base import IndexBusy
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.search.types import Filters, SearchRequest
from indexer.sync import ensure_index, sync_once
from tests.catalog_db import copy_catalog


def test_one_writer_across_instances_and_readers_see_commits(
    corpus_db: Path, tmp_path: Path
) -> None:
    catalog = Catalog.open(copy_catalog(corpus_db.parent, tmp_path))
    writer = TantivyBackend(tmp_path / "idx")
    ensure_index(catalog, writer)
    reader = TantivyBackend(tmp_path / "idx")
    target = min(catalog.content_hashes())
    catalog.set_tags(target, "topic", add=["criminal"], editor="t")
    sync_once(catalog, writer)  # the writer instance now holds the index lock
    catalog.set_tags(target, "topic", add=["labor"], editor="t")
    with pytest.raises(IndexBusy):
        sync_once(catalog, reader)
    sync_once(catalog, writer)
    time.sleep(0.3)  # readers reload on a short timer
    request = SearchRequest(
        plan=plan_query(catalog.get(target)["title"]), filters=Filters(topics=["labor"])
    )
    assert target in [h.id for h in reader.search(request).hits]
    writer.close()


def test_a_published_revision_is_already_searchable_in_this_process(
    corpus_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``applied_rev`` reads the state file, so a search must see a commit by then."""
    catalog = Catalog.open(copy_catalog(corpus_db.parent, tmp_path))
    backend = TantivyBackend(tmp_path / "idx")
    ensure_index(catalog, backend)
    target = min(catalog.content_hashes())
    request = SearchRequest(
        plan=plan_query(catalog.get(target)["title"]), filters=Filters(topics=["criminal"])
    )
    seen_when_published: list[bool] = []
    write_state = TantivyBackend._write_state

    def publishing(directory: Path, rev: int) -> None:
        seen_when_published.append(target in [h.id for h in backend.search(request).hits])
        write_state(directory, rev)

    catalog.set_tags(target, "topic", add=["criminal"], editor="t")
    monkeypatch.setattr(TantivyBackend, "_write_state", staticmethod(publishing))
    sync_once(catalog, backend)
    assert seen_when_published == [True]
    backend.close()
