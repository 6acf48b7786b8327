"""What metrics cost a request: ``observe_request`` + ``observe_search`` per call, in the
multiprocess mode ``fasou serve --workers N`` uses (memory-mapped files) and in-process.

    python bench/metrics_overhead.py

Prints the median over repeated rounds (microseconds per request). The budget is
0.1 ms; each mode runs in its own interpreter because prometheus_client chooses
its value store when imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROUND = """
import statistics, sys, time
sys.path.insert(0, {repo!r})
from search_api.core.metrics import observe_request, observe_search
rounds = []
for _ in range(7):
    n = 20000
    started = time.perf_counter()
    for i in range(n):
        observe_request("/api/v1/search", "GET", 200, 0.004)
        observe_search(10, False, i % 4 != 0)
    rounds.append((time.perf_counter() - started) / n * 1e6)
print(f"{{statistics.median(rounds):.1f}}")
"""


def measure(multiprocess: bool) -> str:
    env = dict(os.environ)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with tempfile.TemporaryDirectory() as tmp:
        if multiprocess:
            env["PROMETHEUS_MULTIPROC_DIR"] = tmp
        code = ROUND.format(repo=str(Path(__file__).resolve().parents[1]))
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return done.stdout.strip()


def main() -> None:
    for label, multiprocess in (("multiprocess (mmap files)", True), ("single process", False)):
        print(f"{label:<28} {measure(multiprocess):>6} µs per request (median of 7 rounds)")


if __name__ == "__main__":
    main()
