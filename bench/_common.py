"""Shared helpers for benchmarks: percentiles, a server subprocess, query lists."""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from fasou.config import DEFAULT_RATE_LIMITS, Settings
from indexer.backends.fields import IndexFields, index_fields
from indexer.catalog import Catalog

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
QUERY_FILE = REPO / "bench" / "queries" / "layperson.txt"


def add_stard_arguments(parser: argparse.ArgumentParser) -> None:
    """``--laws``, ``--queries``, ``--qrels`` (STARD train in ../shared/data) and ``--data-dir``."""
    parser.add_argument("--laws", type=Path, default=SHARED_DATA / "laws")
    parser.add_argument(
        "--queries", type=Path, default=SHARED_DATA / "eval" / "stard_train_queries.jsonl"
    )
    parser.add_argument(
        "--qrels", type=Path, default=SHARED_DATA / "eval" / "stard_train_qrels.tsv"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("FASOU_DATA_DIR", "data"))
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "mean": statistics.fmean(values),
    }


def layperson_queries() -> list[str]:
    """The hand-written benchmark queries (one per line, ``#`` comments)."""
    lines = QUERY_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


#: rjieba precise-mode speed on real statutes that ../shared/notes/measured-facts.md
#: records for this kind of machine.
HOST_REFERENCE = "7.3-8.0 M chars/s"


def host_speed(laws: Path = SHARED_DATA / "laws", files: int = 400) -> float | None:
    """rjieba precise-mode M chars/s over the first ``files`` statute files, median of 3.

    These VMs switch between speeds (the same pure-Python loop takes 160 or 300 ms)
    from one minute to the next; printing this beside a latency says which speed the
    run saw, against the figure recorded for the machine. None without the statutes.
    """
    import rjieba

    paths = sorted(laws.glob("**/*.md"))[:files]
    if not paths:
        return None
    texts = [path.read_text(encoding="utf-8") for path in paths]
    chars = sum(map(len, texts))
    speeds = []
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            rjieba.cut(text)
        speeds.append(chars / (time.perf_counter() - started) / 1e6)
    return statistics.median(speeds)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """``fasou serve`` in a subprocess on a free port; yields its base URL once healthy.

    The server's log goes to a temporary file, not a pipe: nobody reads a pipe
    while the benchmark runs, and a server that fills one (64 KB) blocks on its
    next log line and stops answering.
    """
    port = free_port()
    # One client measuring at full speed is not abuse: no rate limits for benchmarks.
    unlimited = json.dumps(dict.fromkeys(DEFAULT_RATE_LIMITS, "10000000/minute"))
    env = (
        os.environ
        | {"FASOU_DATA_DIR": str(data_dir), "FASOU_RATE_LIMITS": unlimited}
        | (extra_env or {})
    )
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fasou", "serve", "--port", str(port), "--no-access-log"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    health = httpx.get(f"{base}/api/v1/healthz", timeout=2).json()
                    if health["index"].get("lag_revisions", 1) == 0:
                        break
                except (httpx.HTTPError, KeyError, ValueError):
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait(timeout=30)
                    log.seek(0)
                    output = log.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"server failed to become ready: {output}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@contextmanager
def elasticsearch_url(url: str | None, heap: str = "2g") -> Iterator[str]:
    """``url`` when given; otherwise a fresh local node from ``scripts/es-test-node``.

    The node runs with the full JIT (``FASOU_ES_JAVA_OPTS=""``; tests use C1
    only, which starts faster but runs slower) and ``heap`` of heap.
    """
    if url:
        yield url
        return
    from fasou.es_test_node import EsTestCluster

    with tempfile.TemporaryDirectory(prefix="fasou-bench-es-") as tmp:
        env = {"FASOU_ES_JAVA_OPTS": "", "FASOU_ES_HEAP": heap, "FASOU_ES_HEAP_MIN": heap}
        with EsTestCluster(Path(tmp), cluster_name="fasou-bench", env=env) as cluster:
            yield cluster.url


def backend_settings(kind: str, data_dir: Path, es_url: str, prefix: str) -> Settings:
    return Settings(data_dir=data_dir, backend=kind, es_url=es_url, es_index_prefix=prefix)


def backend_env(settings: Settings) -> dict[str, str]:
    """The ``FASOU_*`` variables that make a subprocess open the same catalog and index."""
    return {
        "FASOU_DATA_DIR": str(settings.data_dir),
        "FASOU_BACKEND": settings.backend,
        "FASOU_ES_URL": settings.es_url,
        "FASOU_ES_INDEX_PREFIX": settings.es_index_prefix,
    }


def drop_es_indices(es_url: str, prefix: str) -> None:
    """Remove a benchmark's indices and template from a node that outlives the benchmark."""
    from elasticsearch import Elasticsearch

    with Elasticsearch(es_url) as client:
        client.options(ignore_status=404).indices.delete(index=f"{prefix}-*")
        client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")


def analysed_snapshot(catalog: Catalog) -> tuple[int, list[list[IndexFields]], float]:
    """The catalog's documents analysed once (rev, batches, seconds), to feed every backend."""
    started = time.perf_counter()
    rev, batches = catalog.snapshot()
    analysed = [[index_fields(record) for record in batch] for batch in batches]
    return rev, analysed, time.perf_counter() - started


def open_stard(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The statute corpus imported and indexed in ``args.data_dir``, with STARD loaded:
    (catalog, backend, id map, queries, qrels). Exits with a message without the corpus."""
    from fasou.evaluation import article_ids_by_source, load_qrels, load_queries
    from indexer.backends.factory import open_backend
    from indexer.importers import statute_markdown
    from indexer.sync import ensure_index

    if not args.laws.is_dir():
        sys.exit(f"statute corpus not found at {args.laws} (../shared/data is not in git)")
    settings = Settings(data_dir=args.data_dir)
    catalog = Catalog.open(settings.catalog_url)
    catalog.upsert(statute_markdown.iter_statute_articles(args.laws))
    backend = open_backend(settings)
    ensure_index(catalog, backend)
    id_map = article_ids_by_source(catalog)
    return catalog, backend, id_map, load_queries(args.queries), load_qrels(args.qrels)
