"""Suggestion latency over HTTP: p50/p95 of single-client ``/api/v1/suggest`` requests.

Usage: ``python bench/suggest_latency.py [--url URL] [--data-dir DIR] [--rounds N]``.
Inputs are what a resident types key by key: every prefix of the benchmark
queries' first words, in characters, full pinyin and pinyin initials.
Target: p95 ≤ 10 ms. Medians across rounds are printed; the machine is noisy.
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

from indexer.search.suggest import to_pinyin


def typed_prefixes(limit: int = 150) -> list[str]:
    """Prefixes as typed: 劳, 劳动, …; lao, laodong, …; l, ld, …"""
    out: list[str] = []
    for query in layperson_queries()[:40]:
        head = query[:6]
        full, initials = to_pinyin(head)
        out += [head[:n] for n in range(1, len(head) + 1)]
        out += [full[:n] for n in range(2, len(full) + 1, 3)]
        out += [initials[:n] for n in range(1, len(initials) + 1)]
    return out[:limit]


def measure(base: str, inputs: list[str], rounds: int) -> dict:
    per_round = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for text in inputs[:20]:
            client.get("/api/v1/suggest", params={"q": text})
        for _ in range(rounds):
            latencies = []
            for text in inputs:
                started = time.perf_counter()
                response = client.get("/api/v1/suggest", params={"q": text})
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            per_round.append(summary(latencies))
    return {k: statistics.median(r[k] for r in per_round) for k in ("p50", "p95", "p99")} | {
        "inputs": len(inputs),
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
    args = parser.parse_args()
    inputs = typed_prefixes()
    if args.url:
        result = measure(args.url, inputs, args.rounds)
    else:
        with running_server(args.data_dir) as base:
            result = measure(base, inputs, args.rounds)
    if args.json:
        print(json.dumps(result))
        return
    print(f"suggest over HTTP, {result['inputs']} inputs x {result['rounds']} rounds (medians):")
    for key in ("p50", "p95", "p99"):
        print(f"  {key:>4}: {result[key]:7.2f} ms")


if __name__ == "__main__":
    main()
