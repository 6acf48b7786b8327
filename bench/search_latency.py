"""Search latency over HTTP: p50/p95 of single-client requests against the running app.

Usage: ``python bench/search_latency.py [--url URL] [--data-dir DIR] [--rounds N]``.
Without ``--url`` it starts ``fasou serve`` on the data directory (default
``$FASOU_DATA_DIR`` or ./data, which ``make run``/``fasou import starter`` fill).
Each request asks for the top 10 with snippets and facets, like the page does.
Medians across rounds are printed; the machine is noisy.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from _common import HOST_REFERENCE, host_speed, layperson_queries, running_server, summary

REQUEST_HEADERS = {"Accept": "application/json", "Accept-Encoding": "gzip"}


class LeanClient:
    """One keep-alive connection that sends what a browser sends (gzip accepted) and
    times until the whole answer is received and decoded.

    httpx, timed the same way against the same server, added 1.5-3 ms per request
    of its own pure-Python HTTP handling (h11) — a third of what this bench exists
    to measure — so the client is the standard library's C-parsed ``http.client``.
    """

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def search(self, params: dict[str, str]) -> tuple[float, bytes]:
        """(milliseconds, decoded body) of one ``GET /api/v1/search``; raises on non-200."""
        path = f"/api/v1/search?{urlencode(params)}"
        started = time.perf_counter()
        self.connection.request("GET", path, headers=REQUEST_HEADERS)
        response = self.connection.getresponse()
        body = response.read()
        if response.getheader("content-encoding") == "gzip":
            body = gzip.decompress(body)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"{path} → HTTP {response.status}: {body[:200]!r}")
        return elapsed, body

    def close(self) -> None:
        self.connection.close()


def measure(
    base: str, queries: list[str], rounds: int, params: dict[str, str], warmup: int = 20
) -> dict:
    """Medians over rounds of per-round p50/p95/p99/mean; ``took`` is the server's own
    time (``took_ms``), so what HTTP and the app's layers add shows beside it."""
    per_round, took = [], []
    client = LeanClient(base)
    try:
        for q in (queries * (warmup // len(queries) + 1))[:warmup]:  # caches, code paths, JIT
            client.search({"q": q} | params)
        for _ in range(rounds):
            latencies = []
            for q in queries:
                elapsed, body = client.search({"q": q, "size": "10"} | params)
                latencies.append(elapsed)
                took.append(json.loads(body)["took_ms"])
            per_round.append(summary(latencies))
    finally:
        client.close()
    return {
        key: statistics.median(r[key] for r in per_round) for key in ("p50", "p95", "p99", "mean")
    } | {
        "took_p50": statistics.median(took),
        "round_p50s": [round(r["p50"], 2) for r in per_round],
        "queries": len(queries),
        "rounds": rounds,
    }


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
    speed_before = host_speed()
    if args.url:
        result = measure(args.url, queries, args.rounds, {})
    else:
        env = {} if args.cache else {"FASOU_SEARCH_CACHE_SIZE": "0"}
        with running_server(args.data_dir, env) as base:
            result = measure(base, queries, args.rounds, {})
    result["host_speed"] = [speed_before, host_speed()]
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"search over HTTP, {result['queries']} queries x {result['rounds']} rounds "
        f"(medians of per-round figures), top-10 + snippets + facets:"
    )
    for key in ("p50", "p95", "p99", "mean"):
        print(f"  {key:>4}: {result[key]:7.2f} ms")
    print(f"  server's own took_ms, p50 over all rounds: {result['took_p50']:.2f} ms")
    print(f"  p50 of each round: {', '.join(f'{p:.2f}' for p in result['round_p50s'])} ms")
    if None in result["host_speed"]:
        print("  host speed: not measured (no statutes in ../shared/data/laws)")
    else:
        before, after = result["host_speed"]
        print(
            f"  host speed before/after: rjieba {before:.1f} / {after:.1f} M chars/s "
            f"(measured-facts.md: {HOST_REFERENCE} on this kind of machine)"
        )


if __name__ == "__main__":
    main()
