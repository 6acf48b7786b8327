"""What only the embedded engine has: one writer across processes, readers that reload.

The backend contract itself (queries, filters, facets, updates, rebuilds …) is
``tests/backends/test_conformance.py``, run against every backend.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzers.query import plan_query
from indexer.backends.base import IndexBusy
from indexer.backends.tantivy_backend import TantivyBackend, cell_counts, facet_cell
from indexer.catalog import Catalog
from indexer.search.types import FACET_SIZE, SPARE_CORES, Filters, SearchRequest
from indexer.sync import ensure_index, sync_once
from tests.catalog_db import copy_catalog


@pytest.fixture()
def indexed(corpus_db: Path, tmp_path: Path) -> Iterator[tuple[Catalog, TantivyBackend]]:
    """A private catalog and the embedded index built from it."""
    catalog = Catalog.open(copy_catalog(corpus_db.parent, tmp_path))
    backend = TantivyBackend(tmp_path / "idx")
    ensure_index(catalog, backend)
    yield catalog, backend
    backend.close()


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
    indexed: tuple[Catalog, TantivyBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``applied_rev`` reads the state file, so a search must see a commit by then."""
    catalog, backend = indexed
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


def test_facets_counted_from_the_combined_column_equal_each_fields_own_counts(
    indexed: tuple[Catalog, TantivyBackend],
) -> None:
    backend = indexed[1]
    searcher = backend._searcher()
    for q, filters in [
        ("劳动合同", Filters()),
        ("工资 拖欠", Filters(types=["statute_article"])),
        ("离婚 抚养费", Filters(statuses=["现行有效"], levels=["法律"])),
        ("法律援助", Filters()),
    ]:
        request = SearchRequest(plan=plan_query(q), filters=filters, limit=10)
        facets = backend.search(request).facets
        assert facets["type"], q
        for name, counted in facets.items():
            # each facet on its own, without its own filter (multi-select)
            scope = backend._query(request, skip_filter=name)
            aggs = {name: {"terms": {"field": name, "size": 50}}}
            buckets = searcher.aggregate(scope, aggs)[name]["buckets"]
            assert counted == {b["key"]: int(b["doc_count"]) for b in buckets}, (q, name)


def test_cell_counts_split_values_skip_empty_fields_and_keep_the_largest() -> None:
    cells = [
        {"key": facet_cell({"type": ["case"], "department": ["a", "b"]}), "doc_count": 3},
        {"key": facet_cell({"type": ["case"], "status": ["现行有效"]}), "doc_count": 2},
        *(
            {"key": facet_cell({"type": ["video"], "department": [f"d{i:02}"]}), "doc_count": 1}
            for i in range(FACET_SIZE + 5)
        ),
    ]
    counts = cell_counts(cells, ["type", "status", "department"])
    assert counts["type"] == {"video": FACET_SIZE + 5, "case": 5}
    assert counts["status"] == {"现行有效": 2}
    assert len(counts["department"]) == FACET_SIZE
    assert list(counts["department"])[:3] == ["a", "b", "d00"]


def test_facets_are_counted_beside_the_hits_only_with_spare_cores(
    indexed: tuple[Catalog, TantivyBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = indexed[1]
    counted_on: list[str] = []
    facets = TantivyBackend._facets

    def recording(self, *args):  # type: ignore[no-untyped-def]
        counted_on.append(threading.current_thread().name)
        return facets(self, *args)

    monkeypatch.setattr(TantivyBackend, "_facets", recording)
    request = SearchRequest(plan=plan_query("劳动合同 工资"), filters=Filters(), limit=10)
    alone = backend.search(request)
    spare = SPARE_CORES.set(True)
    try:
        beside = backend.search(request)
    finally:
        SPARE_CORES.reset(spare)
    assert counted_on[0] == threading.current_thread().name
    assert counted_on[1].startswith("fasou-facets")
    assert beside.facets == alone.facets and beside.facets["type"]
    assert [h.id for h in beside.hits] == [h.id for h in alone.hits]
