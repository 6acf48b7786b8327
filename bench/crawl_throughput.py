"""Full crawl of the local source site built from ../shared/data: wall time, pages/s, docs/s.

Usage: ``python bench/crawl_throughput.py [--runs N] [--laws DIR] [--recrawl] [--index]``.

Starts ``fasou sources serve`` (≈1,420 laws → ≈59k article documents, 52 cases,
videos, services, 普法 articles, bad material included) in one process and
``fasou crawl run <all five sources>`` into a fresh data directory in another,
as production would. Reports per run and as medians:

- ``wall_s``: the crawl command from start to exit (process start-up included);
- ``detail_pages``: content pages fetched (flk detail API calls and body files,
  case / video / service / article pages), and ``detail_pages_per_s`` over the wall time;
- ``docs``: documents stored, and ``docs_per_s``;
- ``crawler_cpu_s`` and ``detail_pages_per_cpu_s``: the crawl process's CPU time, and
  detail pages per CPU second — what one free core sustains, whatever the machine's load;
- ``site_cpu_s`` and ``detail_pages_per_site_cpu_s``: the same for the site server during
  the run (the first run also builds the pages the site then keeps cached);
- ``requests_served``: every request the site answered during the run (listings, robots.txt
  and retries included) — a cross-check that ``detail_pages`` counts real fetches;
- with ``--recrawl``: a second, unchanged crawl (every page a 304);
- with ``--index``: ``fasou index sync`` afterwards (building the tantivy index).

The machine may be shared: the load average before and after each run is printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import SHARED_DATA, free_port

SOURCES = ["flk", "court_cases", "videos", "legal_services", "pufa_articles"]


def start_site(laws: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fasou",
            "sources",
            "serve",
            "--port",
            str(port),
            "--laws",
            str(laws),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"{url}/robots.txt", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"site failed: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.3)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a running process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def served(site: str) -> int:
    return sum(httpx.get(f"{site}/_site/stats", timeout=30).json()["hits"].values())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl(data_dir: Path, site: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``fasou crawl run`` of all five sources."""
    env = os.environ | {
        "FASOU_DATA_DIR": str(data_dir),
        "FASOU_CRAWL_SITE_URL": site,
        "FASOU_CRAWL_DOWNLOAD_TIMEOUT": "5",
        "FASOU_CRAWL_RETRY_TIMES": "2",
    }
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "fasou", "crawl", "run", *SOURCES, "--no-index"],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-3000:] + done.stderr[-3000:])
    return wall, _children_cpu() - cpu


def counts(data_dir: Path, since_run: int = 0) -> dict[str, int]:
    with sqlite3.connect(data_dir / "catalog.db") as conn:
        row = conn.execute(
            "SELECT sum(pages), sum(new), sum(changed), sum(unchanged), sum(not_modified), "
            "sum(failed), sum(quarantined), max(id) FROM crawl_runs WHERE id > ?",
            (since_run,),
        ).fetchone()
        listing = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    pages, new, changed, unchanged, not_modified, failed, quarantined, last = row
    return {
        "pages": pages,
        "new": new,
        "changed": changed,
        "unchanged": unchanged,
        "not_modified": not_modified,
        "failed": failed,
        "quarantined": quarantined,
        "documents": listing,
        "last_run": last,
    }


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def one_run(site: str, site_pid: int, *, recrawl: bool, index: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        before = load()
        site_cpu, requests = process_cpu(site_pid), served(site)
        wall, cpu = crawl(data_dir, site)
        site_cpu, requests = process_cpu(site_pid) - site_cpu, served(site) - requests
        first = counts(data_dir)
        result: dict[str, float] = {
            "wall_s": wall,
            "crawler_cpu_s": cpu,
            "site_cpu_s": site_cpu,
            "pages": first["pages"],
            "docs": first["new"],
        }
        # Content pages = every page but the listings (flk: detail call + body file per law).
        with sqlite3.connect(data_dir / "catalog.db") as conn:
            ledgered = conn.execute("SELECT count(*) FROM crawl_pages").fetchone()[0]
            flk_files = conn.execute(
                "SELECT count(*) FROM crawl_pages WHERE source = 'flk'"
            ).fetchone()[0]
        detail = ledgered + flk_files + first["failed"]
        result["detail_pages"] = detail
        result["requests_served"] = requests
        result["detail_pages_per_s"] = detail / wall
        result["docs_per_s"] = first["new"] / wall
        # Load-independent: what one free core sustains (the site runs on the other).
        result["detail_pages_per_cpu_s"] = detail / cpu
        result["detail_pages_per_site_cpu_s"] = detail / site_cpu
        if recrawl:
            wall2, _cpu2 = crawl(data_dir, site)
            second = counts(data_dir, since_run=first["last_run"])
            result["recrawl_wall_s"] = wall2
            result["recrawl_changed"] = second["new"] + second["changed"]
            result["recrawl_304"] = second["not_modified"]
        if index:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "fasou", "index", "sync"],
                env=os.environ | {"FASOU_DATA_DIR": str(data_dir)},
                check=True,
                capture_output=True,
            )
            result["index_s"] = time.perf_counter() - started
        print(f"  load before/after: {before} → {load()}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--laws", type=Path, default=SHARED_DATA / "laws")
    parser.add_argument("--recrawl", action="store_true", help="also time an unchanged recrawl")
    parser.add_argument("--index", action="store_true", help="also time `fasou index sync`")
    args = parser.parse_args()
    if not args.laws.is_dir():
        print(f"skipped: {args.laws} not found (../shared/data is read-only and not in the repo)")
        return
    print(f"cores: {os.cpu_count()}, load average (1/5/15 min): {load()}")
    site_proc, site = start_site(args.laws)
    try:
        runs = []
        for i in range(args.runs):
            result = one_run(site, site_proc.pid, recrawl=args.recrawl, index=args.index)
            runs.append(result)
            print(
                f"run {i + 1}: " + ", ".join(f"{k} {v:,.1f}" for k, v in result.items()), flush=True
            )
    finally:
        site_proc.terminate()
        site_proc.wait(timeout=30)
    print(
        "median: " + ", ".join(f"{k} {statistics.median(r[k] for r in runs):,.1f}" for k in runs[0])
    )
    wall = statistics.median(r["wall_s"] for r in runs)
    rate = statistics.median(r["detail_pages_per_s"] for r in runs)
    print(
        f"targets: full crawl ≤ 300 s: {'met' if wall <= 300 else 'NOT met'} ({wall:.0f} s); "
        f"≥ 100 detail pages/s: {'met' if rate >= 100 else 'NOT met'} ({rate:.0f}/s)"
    )


if __name__ == "__main__":
    main()
