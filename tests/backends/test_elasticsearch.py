"""What only the Elasticsearch backend has: aliases over versioned indices, bulk failure
handling, late writers, cluster health. Against a real node (``scripts/es-test-node``)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from analyzers.query import plan_query
from indexer.backends.elasticsearch_backend import (
    ElasticsearchBackend,
    RebuildFailed,
    StaleWriteTarget,
)
from indexer.backends.es_bulk import BulkWriter
from indexer.backends.fields import IndexFields, index_fields
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.search.types import Filters, SearchRequest
from indexer.sync import ensure_index, rebuild, sync_once
from indexer.verify import verify_index
from tests.backends.conftest import Engine
from tests.conftest import LiveServer

#: The conftest ``engine``/``catalog`` fixtures, for Elasticsearch only.
pytestmark = [pytest.mark.es, pytest.mark.parametrize("engine", ["elasticsearch"], indirect=True)]


@pytest.fixture()
def client(engine: Engine) -> Iterator[Elasticsearch]:
    with Elasticsearch(str(engine.overrides["es_url"])) as client:
        yield client


def poisoned(fields: IndexFields) -> IndexFields:
    """A document Elasticsearch rejects for good (an object where a keyword belongs)."""
    return replace(fields, keywords=fields.keywords | {"type": [{"not": "a keyword"}]})


def aliases(client: Elasticsearch, backend: ElasticsearchBackend) -> dict[str, list[str]]:
    names = backend.names
    return {
        alias: sorted(client.options(ignore_status=404).indices.get_alias(name=alias).body)
        for alias in (names.read_alias, names.write_alias)
    }


def test_rebuild_moves_both_aliases_and_keeps_only_the_previous_index(
    engine: Engine, catalog: Catalog, client: Elasticsearch
) -> None:
    backend = engine.open()
    assert isinstance(backend, ElasticsearchBackend)
    built = []
    for _ in range(3):
        rebuild(catalog, backend)
        built.append(backend.live_index)
        assert built[-1] and built[-1].startswith(f"{backend.names.prefix}-documents-v")
        assert set(map(tuple, aliases(client, backend).values())) == {(built[-1],)}
    assert len(set(built)) == 3
    existing = set(client.indices.get(index=backend.names.pattern))
    assert existing == {built[1], built[2]}  # the previous index is kept, older ones go


def test_failed_rebuild_leaves_the_live_index_answering(
    engine: Engine, catalog: Catalog, client: Elasticsearch
) -> None:
    backend = engine.open()
    assert isinstance(backend, ElasticsearchBackend)
    ensure_index(catalog, backend)
    live, count = backend.live_index, backend.count()
    rev, batches = catalog.snapshot()
    analysed = [[index_fields(record) for record in batch] for batch in batches]
    analysed[0][0] = poisoned(analysed[0][0])
    with pytest.raises(RebuildFailed, match="1 documents rejected"):
        backend.rebuild(rev, analysed)
    assert backend.live_index == live and backend.count() == count
    assert set(client.indices.get(index=backend.names.pattern)) == {live}
    assert backend.search(SearchRequest(plan=plan_query("工伤"))).total > 0


def test_rejected_document_is_recorded_retried_and_cleared_when_fixed(
    engine: Engine, catalog: Catalog
) -> None:
    backend = engine.open()
    assert isinstance(backend, ElasticsearchBackend)
    ensure_index(catalog, backend)
    bad_id, good_id = sorted(catalog.content_hashes())[:2]
    for doc_id in (bad_id, good_id):
        catalog.set_tags(doc_id, "topic", add=["criminal"], editor="t")
    bad, good = (index_fields(catalog.get(i)) for i in (bad_id, good_id))
    rev = catalog.max_rev()
    backend.applied_rev()
    backend.apply([poisoned(bad), good], [], rev)

    assert backend.applied_rev() == rev  # the rest of the batch is not held up
    [failure] = backend.failed_documents()
    assert failure["id"] == bad_id and failure["status"] == 400 and failure["attempts"] == 1
    assert backend.health()["failed_documents"] == 1
    report = verify_index(catalog, backend)
    assert report.stale == [bad_id]  # not silently lost: verify and health both show it

    backend.apply([], [], rev)  # every later batch retries recorded failures
    assert backend.failed_documents()[0]["attempts"] == 2

    catalog.set_tags(bad_id, "topic", add=["labor"], editor="t")  # a new, valid version
    assert sync_once(catalog, backend) == 1
    assert backend.failed_documents() == []
    assert verify_index(catalog, backend).ok


def test_transient_429_is_retried_with_backoff(
    engine: Engine, catalog: Catalog, client: Elasticsearch
) -> None:
    settings = engine.settings
    own = Elasticsearch(settings.es_url)
    writer = BulkWriter(own, initial_backoff=0.2, max_backoff=1.0)
    backend = ElasticsearchBackend(own, settings.es_index_prefix, writer=writer)
    engine.opened.append(backend)
    ensure_index(catalog, backend)
    live = backend.live_index
    # the block Elasticsearch sets at the flood-stage disk watermark: writes get 429
    client.indices.put_settings(index=live, settings={"index.blocks.read_only_allow_delete": True})
    unblock = threading.Timer(
        2.0,
        lambda: client.indices.put_settings(
            index=live, settings={"index.blocks.read_only_allow_delete": None}
        ),
    )
    target = min(catalog.content_hashes())
    catalog.set_tags(target, "audience", add=["veterans"], editor="t")
    unblock.start()
    try:
        assert sync_once(catalog, backend) == 1
    finally:
        unblock.join()
    assert backend.writer.retried >= 1
    assert backend.failed_documents() == []
    assert verify_index(catalog, backend).ok


def test_a_late_writer_never_writes_into_an_index_built_after_its_read(
    engine: Engine, catalog: Catalog, client: Elasticsearch
) -> None:
    worker, rebuilder = engine.open(), engine.open()
    assert isinstance(worker, ElasticsearchBackend)
    ensure_index(catalog, worker)
    first = worker.live_index
    worker.applied_rev()  # the worker computes a batch against the first index …
    target = min(catalog.content_hashes())
    catalog.set_tags(target, "audience", add=["veterans"], editor="t")
    batch = [index_fields(catalog.get(target))]
    rebuild(catalog, rebuilder)  # … while a rebuild swaps the aliases
    assert worker.live_index != first
    worker.apply(batch, [], catalog.max_rev())  # lands in the index it was computed for
    client.indices.refresh(index=first)
    in_first = json.loads(client.get(index=first, id=target)["_source"]["record"])["audiences"]
    assert "veterans" in in_first
    assert verify_index(catalog, worker).ok  # the rebuilt index had the change already

    worker.applied_rev()
    rebuild(catalog, rebuilder)
    rebuild(catalog, rebuilder)  # the worker's index is gone now
    with pytest.raises(StaleWriteTarget):
        worker.apply(batch, [], catalog.max_rev())
    assert sync_once(catalog, worker) == 0  # re-reads the revision of the live index
    assert verify_index(catalog, worker).ok


def test_same_ranking_scores_and_facets_as_the_embedded_engine(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    es = engine.open()
    embedded = TantivyBackend(tmp_path / "tantivy")
    ensure_index(catalog, es)
    ensure_index(catalog, embedded)
    queries = ["老板拖欠工资", "离婚 子女 抚养", "借款 利息", "交通事故 赔偿", "法律援助", "工伤"]
    queries += ["醉驾 判刑", "试用期 辞退 赔偿", "彩礼 返还", "外卖骑手 受伤", "遗嘱 继承"]
    for query in queries:
        for filters in (Filters(), Filters(types=["statute_article"], regions=["全国"])):
            request = SearchRequest(plan=plan_query(query), filters=filters, limit=20)
            ours, theirs = es.search(request), embedded.search(request)
            assert [h.id for h in ours.hits] == [h.id for h in theirs.hits], query
            assert [h.score for h in ours.hits] == pytest.approx(
                [h.score for h in theirs.hits], rel=1e-4
            )
            assert (ours.total, ours.facets) == (theirs.total, theirs.facets), query
    embedded.close()


def test_a_yellow_cluster_is_reported_degraded_and_search_still_answers(
    engine: Engine, catalog: Catalog
) -> None:
    engine.overrides["es_replicas"] = "1"  # one node cannot hold a replica: yellow
    backend = engine.open()
    ensure_index(catalog, backend)
    with (
        LiveServer(engine.settings) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as http,
    ):
        health = http.get("/api/v1/healthz")
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["status"] == "degraded"
        assert body["index"]["cluster"]["status"] == "yellow"
        assert body["index"]["cluster"]["nodes"] == 1
        assert body["index"]["lag_revisions"] == 0
        search = http.get("/api/v1/search", params={"q": "工伤"})
        assert search.status_code == 200 and search.json()["hits"]


def test_index_version_names_the_live_index_and_its_revision(
    engine: Engine, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The result cache's key: read in one request, changing with every rebuild and batch."""
    backend = engine.open()
    assert isinstance(backend, ElasticsearchBackend)
    monkeypatch.setattr(ElasticsearchBackend, "VERSION_TTL", 0.0)
    assert backend.index_version() == (None, 0)  # nothing built yet: nothing to key on
    rebuild(catalog, backend)
    first = backend.index_version()
    assert first == (backend.live_index, backend.applied_rev())
    assert first[1] > 0
    rebuild(catalog, backend)
    assert backend.index_version()[0] == backend.live_index != first[0]


def test_search_requests_are_not_logged_one_line_each(
    engine: Engine, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    """A serving process logs at INFO; the transport must not add a line per request."""
    backend = engine.open()
    rebuild(catalog, backend)
    with caplog.at_level(logging.INFO):
        for query in ("工资", "离婚", "交通事故"):
            backend.search(SearchRequest(plan=plan_query(query), filters=Filters(), limit=10))
    assert not [r for r in caplog.records if r.name.startswith("elastic_transport")]
