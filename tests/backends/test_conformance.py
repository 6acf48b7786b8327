"""The backend contract, run against every backend (tantivy; Elasticsearch on a real node).

Queries, filters, facets, pagination, updates, deletes, tag updates, rebuilds,
durability of the applied revision and verification: what the API, sync and
``fasou index verify`` rely on, whichever engine is configured.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import date

from analyzers.query import QueryPlan, QueryTerm, plan_query
from indexer.backends.base import SearchBackend
from indexer.catalog import Catalog
from indexer.models import Article
from indexer.search.service import SearchService
from indexer.search.types import Filters, SearchRequest
from indexer.sync import ensure_index, rebuild, sync_once
from tests.backends.conftest import Engine

QUERIES = ["老板拖欠工资", "离婚 子女 抚养", "借款 利息", "交通事故 赔偿", "法律援助", "工伤"]


def top_ids(backend: SearchBackend, query: str, limit: int = 20, **filters: list[str]) -> list[str]:
    request = SearchRequest(plan=plan_query(query), filters=Filters(**filters), limit=limit)
    return [h.id for h in backend.search(request).hits]


def test_rebuild_equals_incremental_build(engine: Engine, catalog: Catalog) -> None:
    fresh = engine.open()
    assert rebuild(catalog, fresh) == catalog.count()
    incremental = engine.variant("inc").open()
    incremental.apply([], [], 0)  # an empty index, then every change in batches
    assert sync_once(catalog, incremental, batch_size=700) == catalog.count()
    again = engine.open()
    rebuild(catalog, again)  # over an existing index: a new generation / versioned index
    for backend in (incremental, again):
        assert backend.count() == fresh.count() == catalog.count()
        assert dict(backend.content_hashes()) == catalog.content_hashes()
        assert dict(backend.index_hashes()) == catalog.index_hashes()
        for query in QUERIES:
            assert top_ids(backend, query) == top_ids(fresh, query), query
    # the applied revision is durable: a new handle (another process) reads it back
    assert engine.open().applied_rev() == catalog.max_rev()
    assert engine.open().is_compatible()


def test_content_changes_tags_and_deletes_reach_the_index(engine: Engine, catalog: Catalog) -> None:
    backend = engine.open()
    ensure_index(catalog, backend)
    target = min(catalog.content_hashes())
    veterans = SearchRequest(plan=plan_query(catalog.get(target)["title"] or "法"), limit=50)
    veterans.filters = Filters(audiences=["veterans"])
    assert target not in [h.id for h in backend.search(veterans).hits]

    assert catalog.set_tags(target, "audience", add=["veterans"], editor="t")
    assert sync_once(catalog, backend) == 1
    hits = {h.id: h for h in backend.search(veterans).hits}
    assert "veterans" in hits[target].record["audiences"]
    assert dict(backend.index_hashes())[target] == catalog.index_hashes()[target]

    catalog.set_tags(target, "audience", remove=["veterans"], editor="t")
    sync_once(catalog, backend)
    assert target not in [h.id for h in backend.search(veterans).hits]

    document = catalog.load_document(target)
    assert document is not None and "蹦极跳伞" not in top_ids(backend, "蹦极跳伞")
    document.body += " 组织蹦极跳伞活动应当保障安全。"
    catalog.upsert([document])
    assert sync_once(catalog, backend) == 1
    assert top_ids(backend, "蹦极跳伞")[:1] == [target]
    assert dict(backend.content_hashes())[target] == catalog.content_hashes()[target]

    catalog.delete([target])
    sync_once(catalog, backend)
    assert target not in dict(backend.content_hashes())
    assert target not in top_ids(backend, "蹦极跳伞")
    assert backend.count() == catalog.count()
    catalog.upsert([])  # no-op
    assert sync_once(catalog, backend) == 0


def test_filters_facets_pagination(indexed: tuple[SearchBackend, Catalog]) -> None:
    backend, _catalog = indexed
    plan = plan_query("劳动合同 解除")
    everything = backend.search(SearchRequest(plan=plan, limit=30))
    assert everything.total > 30 and everything.facets["type"]
    statutes = backend.search(SearchRequest(plan=plan, filters=Filters(types=["statute_article"])))
    assert statutes.hits and all(h.record["type"] == "statute_article" for h in statutes.hits)
    # multi-select facets: the type facet still counts other types while type is filtered
    assert statutes.facets["type"] == everything.facets["type"]
    assert len(statutes.facets["type"]) > 1
    assert sum(statutes.facets["status"].values()) == statutes.total
    pages = [backend.search(SearchRequest(plan=plan, offset=o, limit=10)).hits for o in (0, 10, 20)]
    assert [h.id for h in itertools.chain(*pages)] == [h.id for h in everything.hits]
    # equal scores are ordered by id, so pages never depend on index layout
    for a, b in itertools.pairwise(everything.hits):
        assert a.score > b.score or (a.score == b.score and a.id < b.id)
    repealed = backend.search(SearchRequest(plan=plan, filters=Filters(statuses=["已废止"])))
    assert all(h.record["status"] == "已废止" for h in repealed.hits)
    local = backend.search(
        SearchRequest(plan=plan_query("法律援助"), filters=Filters(regions=["东阳市"]))
    )
    assert local.hits and all("东阳市" in (h.record["region"] or "") for h in local.hits)


def test_ties_are_ordered_by_id_across_pages(indexed: tuple[SearchBackend, Catalog]) -> None:
    backend, _catalog = indexed
    # the law's name in ``context``: articles of one chapter score alike
    plan = QueryPlan(raw="劳动", terms=[QueryTerm("劳动", fields=("context",))])
    ranked = backend.search(SearchRequest(plan=plan, limit=50)).hits
    scores = [h.score for h in ranked]
    assert len(set(scores)) < len(scores), "the query should produce ties"
    assert [(-h.score, h.id) for h in ranked] == sorted((-h.score, h.id) for h in ranked)
    paged = [
        h.id
        for o in range(0, 50, 7)
        for h in backend.search(SearchRequest(plan=plan, offset=o, limit=min(7, 50 - o))).hits
    ]
    assert paged == [h.id for h in ranked]


def test_date_range_filter(indexed: tuple[SearchBackend, Catalog]) -> None:
    backend, _catalog = indexed
    request = SearchRequest(
        plan=plan_query("法律"),
        limit=50,
        filters=Filters(date_from=date(2024, 1, 1), date_to=date(2026, 12, 31)),
    )
    result = backend.search(request)
    hits = result.hits
    assert hits and all("2024-01-01" <= h.record["published_at"] <= "2026-12-31" for h in hits)
    unbounded = backend.search(SearchRequest(plan=plan_query("法律"), limit=1)).total
    assert 0 < result.total < unbounded


def test_empty_plan_and_explain(indexed: tuple[SearchBackend, Catalog]) -> None:
    backend, _catalog = indexed
    assert backend.search(SearchRequest(plan=plan_query("？！的了"))).total == 0
    explained = backend.search(SearchRequest(plan=plan_query("工伤"), limit=3, explain=True))
    assert explained.hits and all(h.explanation for h in explained.hits)


def test_service_snippets_mark_whole_words(indexed: tuple[SearchBackend, Catalog]) -> None:
    backend, _catalog = indexed
    page = SearchService(backend).search("民法典 离婚")
    assert page.hits
    joined = " ".join(h["snippet"] for h in page.hits)
    assert "<em>离婚</em>" in joined
    assert "人<em>民法</em>院" not in joined


def test_health_reports_documents_and_revision(indexed: tuple[SearchBackend, Catalog]) -> None:
    backend, catalog = indexed
    health = backend.health()
    assert health["backend"] in {"tantivy", "elasticsearch"} and health["status"] == "ok"
    assert health["documents"] == catalog.count()
    assert health["applied_rev"] == catalog.max_rev()


def _verify(engine: Engine) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "fasou", "index", "verify", "--json"],
        capture_output=True,
        text=True,
        env=os.environ | engine.env(),
        timeout=120,
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_verify_command_reports_missing_extra_and_stale(engine: Engine, catalog: Catalog) -> None:
    backend = engine.open()
    ensure_index(catalog, backend)
    code, report = _verify(engine)
    assert code == 0 and report["ok"], report
    assert report["index"]["documents"] == report["catalog"]["documents"] == catalog.count()

    ids = sorted(catalog.content_hashes())
    retagged, deleted = ids[0], ids[1]
    catalog.set_tags(retagged, "topic", add=["criminal"], editor="t")  # content hash unchanged
    catalog.delete([deleted])
    added = Article(title="核对测试", body="新文章", source="test", url="https://t.invalid/1")
    catalog.upsert([added])  # a new document, not yet indexed
    code, report = _verify(engine)
    assert code == 1 and not report["ok"]
    assert report["stale"]["examples"] == [retagged]
    assert report["extra"]["examples"] == [deleted]
    assert report["missing"]["examples"] == [added.id]

    sync_once(catalog, backend)
    code, report = _verify(engine)
    assert code == 0 and report["ok"], report
