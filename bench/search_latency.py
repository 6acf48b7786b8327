"""Search latency over HTTP: p50/p95 of single-client requests against the running app.

Usage: ``python bench/search_latency.py [--url URL] [--data-dir DIR] [--rounds N]``.
Without ``--url`` it starts ``fasou serve`` on the data directory (default
``$FASOU_DATA_DIR`` or ./data, which ``make run``/``fasou import starter`` fill).
Each request asks for the top 10 with snippets and facets, like the page does.
Medians across rounds are printed; the machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import httpx
from _common import layperson_queries, running_server, summary


def measure(
    base: str, queries: list[str], rounds: int, params: dict[str, str], warmup: int = 20
) -> dict:
    per_round = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for q in (queries * (warmup // len(queries) + 1))[:warmup]:  # caches, code paths, JIT
            client.get("/api/v1/search", params={"q": q} | params)
        for _ in range(rounds):
            latencies = []
            for q in queries:
                started = time.perf_counter()
                response = client.get("/api/v1/search", params={"q": q, "size": 10} | params)
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            per_round.append(summary(latencies))
    return {
        key: statistics.median(r[key] for r in per_round) for key in ("p50", "p95", "p99", "mean")
    } | {"queries": len(queries), "rounds": rounds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("FASOU_DATA_DIR", "data"))
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the server's result cache on (off by default: every search does the work)",
    )
    args = parser.parse_args()
    queries = layperson_queries()
    if args.url:
        result = measure(args.url, queries, args.rounds, {})
    else:
        env = {} if args.cache else {"FASOU_SEARCH_CACHE_SIZE": "0"}
        with running_server(args.data_dir, env) as base:
            result = measure(base, queries, args.rounds, {})
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"search over HTTP, {result['queries']} queries x {result['rounds']} rounds "
        f"(medians of per-round figures), top-10 + snippets + facets:"
    )
    for key in ("p50", "p95", "p99", "mean"):
        print(f"  {key:>4}: {result[key]:7.2f} ms")


if __name__ == "__main__":
    main()
