"""Load and soak test: ``fasou serve --workers N`` under open-loop mixed traffic.

Usage::

    python bench/load.py                          # 60 s at 500 req/s, embedded engine
    python bench/load.py --soak 600               # then 600 s at half the rate, RSS per worker
    python bench/load.py --backend both           # tantivy and Elasticsearch side by side

The server is a real ``fasou serve --workers 2`` subprocess on 127.0.0.1 over a
data directory holding the starter corpus (built here with ``fasou import
starter`` unless ``--data-dir`` names one). The generator is *open loop*: request
i is due at ``start + i / rate`` whatever happened to earlier ones, and latency
is measured from when it was due, so a stalled server shows up as latency
rather than as a politely slower client (no coordinated omission).

Traffic: questions from ``analyzers/data/popular_queries.txt``, the benchmark's
layperson questions and (when ``../shared/data`` is present) STARD questions,
drawn with Zipf-like repetition (rank^-1), as real search logs are; 10 % carry a
type filter, 8 % ask for page 2, 12 % are search-box suggestions. Cache hit rate
comes from the server's own ``/metrics``. Numbers on a shared 2-core machine are
noisy: repeat and quote medians.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    REPO,
    SHARED_DATA,
    elasticsearch_url,
    free_port,
    layperson_queries,
    summary,
)

TYPES = ("statute_article", "case", "video", "service", "article")
GENEROUS_LIMITS = json.dumps(
    {g: "10000000/minute" for g in ("search", "suggest", "feed", "documents", "profiles")}
)


# -- traffic -----------------------------------------------------------------------


def question_pool(stard_limit: int = 1500) -> list[str]:
    popular = (REPO / "analyzers" / "data" / "popular_queries.txt").read_text("utf-8")
    questions = [q.strip() for q in popular.splitlines() if q.strip() and not q.startswith("#")]
    questions += layperson_queries()
    stard = SHARED_DATA / "eval" / "stard_train_queries.jsonl"
    if stard.exists():
        with stard.open(encoding="utf-8") as lines:
            for n, line in enumerate(lines):
                if n >= stard_limit:
                    break
                questions.append(json.loads(line)["text"][:200])
    return list(dict.fromkeys(questions))


def request_stream(seed: int = 7) -> Iterator[tuple[str, dict[str, str]]]:
    """(path, params) forever: Zipf over a shuffled question list, plus the mix above."""
    rng = random.Random(seed)
    questions = question_pool()
    rng.shuffle(questions)
    weights = [1 / (rank + 1) for rank in range(len(questions))]
    while True:
        for q in rng.choices(questions, weights, k=1000):
            roll = rng.random()
            if roll < 0.12:
                yield "/api/v1/suggest", {"q": q[: rng.randint(1, 4)]}
            elif roll < 0.22:
                yield "/api/v1/search", {"q": q, "type": rng.choice(TYPES)}
            elif roll < 0.30:
                yield "/api/v1/search", {"q": q, "page": "2"}
            else:
                yield "/api/v1/search", {"q": q}


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    seconds: float = 0.0


async def _one(
    session: aiohttp.ClientSession, url: str, params: dict[str, str], due: float, out: Outcome
) -> None:
    try:
        async with session.get(url, params=params) as response:
            await response.read()
            if response.status != 200:
                key = f"HTTP {response.status}"
                out.errors[key] = out.errors.get(key, 0) + 1
                return
    except Exception as exc:
        key = type(exc).__name__
        out.errors[key] = out.errors.get(key, 0) + 1
        return
    out.latencies.append(time.perf_counter() - due)


async def open_loop(base: str, rate: float, seconds: float, stream: Iterator) -> Outcome:
    """The generator's own pauses would be charged to the server (latency counts from
    when a request was due): its garbage collector is off while it sends — a full
    collection over the requests in flight stalled it for tens of milliseconds, seen
    as p99 spikes — and finished requests are not kept."""
    out = Outcome()
    connector = aiohttp.TCPConnector(limit=512, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    gc.collect()
    gc.disable()
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            pending: set[asyncio.Task[None]] = set()
            start = time.perf_counter()
            total = int(rate * seconds)
            for i in range(total):
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                path, params = next(stream)
                task = asyncio.create_task(_one(session, base + path, params, due, out))
                pending.add(task)
                task.add_done_callback(pending.discard)
                out.sent += 1
            await asyncio.gather(*pending)
            out.seconds = time.perf_counter() - start
    finally:
        gc.enable()
    return out


# -- the server ------------------------------------------------------------------------


def build_data_dir(target: Path) -> Path:
    env = os.environ | {"FASOU_DATA_DIR": str(target)}
    subprocess.run([sys.executable, "-m", "fasou", "import", "starter"], env=env, check=True)
    return target


@contextmanager
def serve(data_dir: Path, workers: int, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """``fasou serve --workers`` until ready and fully indexed; yields (base URL, pid)."""
    port = free_port()
    full_env = os.environ | {
        "FASOU_DATA_DIR": str(data_dir),
        "FASOU_RATE_LIMITS": GENEROUS_LIMITS,
        "PROMETHEUS_MULTIPROC_DIR": str(data_dir / f"metrics-{port}"),
    } | env  # fmt: skip
    log = (data_dir / f"serve-{port}.log").open("w")
    command = [sys.executable, "-m", "fasou", "serve", "--workers", str(workers)]
    proc = subprocess.Popen(
        [*command, "--port", str(port)], env=full_env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while True:
            try:
                ready = httpx.get(f"{base}/api/v1/healthz/ready", timeout=5)
                body = ready.json()
                if ready.status_code == 200 and body["applied_rev"] >= body["rev"]:
                    break
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server failed; see {log.name}")
            time.sleep(0.5)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def worker_rss(server_pid: int) -> dict[int, int]:
    """RSS in bytes of each worker process (children of the uvicorn supervisor)."""
    parent = psutil.Process(server_pid)
    return {
        child.pid: child.memory_info().rss
        for child in parent.children()
        if "resource_tracker" not in " ".join(child.cmdline())
    }


_SAMPLE = re.compile(r'^(fasou_search_cache_total)\{result="(hit|miss)"\} ([0-9.e+]+)$', re.M)


def cache_counts(base: str) -> dict[str, float]:
    text = httpx.get(f"{base}/metrics", timeout=120).text
    return {m.group(2): float(m.group(3)) for m in _SAMPLE.finditer(text)}


def report(name: str, out: Outcome, cache: dict[str, float]) -> dict[str, object]:
    stats = summary(out.latencies) if out.latencies else {"p50": 0, "p95": 0, "p99": 0}
    lookups = cache.get("hit", 0) + cache.get("miss", 0)
    row = {
        "phase": name,
        "sent": out.sent,
        "ok": len(out.latencies),
        "errors": sum(out.errors.values()),
        "error_kinds": out.errors,
        "rps": round(len(out.latencies) / out.seconds, 1) if out.seconds else 0,
        "p50_ms": round(stats["p50"] * 1000, 2),
        "p95_ms": round(stats["p95"] * 1000, 2),
        "p99_ms": round(stats["p99"] * 1000, 2),
        "cache_hit_rate": round(cache.get("hit", 0) / lookups, 3) if lookups else None,
    }
    print(
        f"{name:<28} {row['rps']:>8} req/s  p50 {row['p50_ms']:>7} ms  p95 {row['p95_ms']:>7} ms"
        f"  p99 {row['p99_ms']:>7} ms  errors {row['errors']}  cache hits {row['cache_hit_rate']}",
        flush=True,
    )
    return row


def run_backend(args: argparse.Namespace, data_dir: Path, backend: str, es: str | None) -> list:
    env = {"FASOU_BACKEND": backend}
    if es:
        env |= {"FASOU_ES_URL": es, "FASOU_ES_INDEX_PREFIX": f"load{os.getpid()}"}
    rows = []
    stream = request_stream()
    with serve(data_dir, args.workers, env) as (base, pid):
        asyncio.run(open_loop(base, args.rate / 2, args.warmup, stream))  # warm caches, JIT
        time.sleep(3)  # let a backlog from the warm-up drain before measuring
        before = cache_counts(base)
        out = asyncio.run(open_loop(base, args.rate, args.seconds, stream))
        after = cache_counts(base)
        delta = {k: after.get(k, 0) - before.get(k, 0) for k in ("hit", "miss")}
        rows.append(report(f"{backend} {args.rate:g}/s {args.seconds:g}s", out, delta))
        if args.soak:
            start_rss = worker_rss(pid)
            before = cache_counts(base)
            out = asyncio.run(open_loop(base, args.rate / 2, args.soak, stream))
            after = cache_counts(base)
            end_rss = worker_rss(pid)
            delta = {k: after.get(k, 0) - before.get(k, 0) for k in ("hit", "miss")}
            row = report(f"{backend} soak {args.rate / 2:g}/s {args.soak:g}s", out, delta)
            row["rss_mb"] = {
                str(p): [round(start_rss[p] / 2**20, 1), round(end_rss.get(p, 0) / 2**20, 1)]
                for p in start_rss
            }
            for p, (a, b) in row["rss_mb"].items():
                print(f"    worker {p}: RSS {a} MB → {b} MB ({(b - a) / a * 100:+.1f} %)")
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--soak", type=float, default=0.0, help="soak seconds at rate / 2")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, help="default: a fresh starter corpus")
    parser.add_argument(
        "--backend", choices=("tantivy", "elasticsearch", "both"), default="tantivy"
    )
    parser.add_argument("--es-url", help="default: a local node from scripts/es-test-node")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fasou-load-") as tmp:
        data_dir = args.data_dir or build_data_dir(Path(tmp) / "data")
        rows = []
        if args.backend in ("tantivy", "both"):
            rows += run_backend(args, data_dir, "tantivy", None)
        if args.backend in ("elasticsearch", "both"):
            with elasticsearch_url(args.es_url, heap="1g") as es:
                rows += run_backend(args, data_dir, "elasticsearch", es)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
