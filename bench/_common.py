"""Shared helpers for benchmarks: percentiles, a server subprocess, query lists."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """``fasou serve`` in a subprocess on a free port; yields its base URL once healthy."""
    port = free_port()
    env = os.environ | {"FASOU_DATA_DIR": str(data_dir)} | (extra_env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "fasou", "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
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
                raise RuntimeError(f"server failed: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
