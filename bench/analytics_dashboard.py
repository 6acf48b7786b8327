"""Dashboard render time at 1M events (target: median ≤ 1 s for 8 weeks).

Usage::

    python bench/analytics_dashboard.py [--events N] [--store DIR] [--rounds N] [--json]

Generates ``--events`` events (planted needs and gaps, 8 weeks) into a fresh
analytics store unless ``--store`` already holds some, then times, in process:

* cold: the first report of a new ``Reports`` (loads the store into its cache);
* the 8-week dashboard for everyone and per audience, computed afresh each time
  (``cached=False``), and again while no event changed (the report cache);
* the full console page over HTTP (signed in, server-rendered HTML with charts);
* the report once more after one new batch of events (one week reloaded).

It also prints where the planted gaps rank.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from _common import REPO

sys.path.insert(0, str(REPO))

from fasou.analytics.events import Row
from fasou.analytics.generate import PLANTED_GAPS, GeneratorConfig, generate
from fasou.analytics.reports import Reports
from fasou.analytics.store import AnalyticsStore


def timed(fn, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def console_render(store_dir: Path, rounds: int) -> list[float]:
    """The console page over HTTP, on a live server whose analytics store is ``store_dir``."""
    from tests.conftest import LiveServer, build_data_dir, make_settings

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = build_data_dir(Path(tmp) / "data")
        settings = make_settings(data_dir, analytics_dir=store_dir)
        with LiveServer(settings) as server:
            server.runtime.accounts.create_user("bench", "bench-password-123456", "editor")
            with httpx.Client(base_url=server.base_url, timeout=60) as http:
                http.post(
                    "/editor/login",
                    data={"username": "bench", "password": "bench-password-123456"},
                )
                assert http.get("/editor/analytics").status_code == 200  # cold load
                return timed(lambda: http.get("/editor/analytics").raise_for_status(), rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    root = args.store or Path(tmp.name) / "analytics"
    store = AnalyticsStore(root)
    out: dict[str, object] = {}
    if not store.weeks():
        started = time.perf_counter()
        counts = generate(store, GeneratorConfig(events=args.events))
        out["generate_s"] = round(time.perf_counter() - started, 2)
        out["events"] = sum(counts.values())
    else:
        out["events"] = store.count()
    store.compact(min_segments=1)
    reports = Reports(store, dict, lambda: 0)
    started = time.perf_counter()
    first = reports.build(reports.default_filter())
    out["cold_s"] = round(time.perf_counter() - started, 3)
    everyone = timed(lambda: reports.build(reports.default_filter(), cached=False), args.rounds)
    cached = timed(lambda: reports.build(reports.default_filter()), args.rounds)
    elderly = timed(
        lambda: reports.build(reports.default_filter(audience="elderly"), cached=False),
        args.rounds,
    )
    out["dashboard_s"] = {
        "everyone_median": round(statistics.median(everyone), 3),
        "everyone_max": round(max(everyone), 3),
        "elderly_median": round(statistics.median(elderly), 3),
        "unchanged_events_median": round(statistics.median(cached), 4),
    }
    last = store.weeks()[-1]
    row = Row(
        datetime.combine(last, datetime.min.time()) + timedelta(hours=1),
        "search",
        1,
        ("elderly",),
        "",
        "养老诈骗",
        ("anti_fraud",),
        "",
        "",
        3,
        False,
        (),
    )
    store.append([row] * 500)
    started = time.perf_counter()
    reports.build(reports.default_filter())
    out["after_new_events_s"] = round(time.perf_counter() - started, 3)
    if not args.skip_http:
        page = console_render(root, args.rounds)
        out["console_page_s"] = {
            "median": round(statistics.median(page), 3),
            "max": round(max(page), 3),
        }
    planted = {(p.audience, p.topic) for p in PLANTED_GAPS}
    out["planted_gap_ranks"] = [
        r["rank"] for r in first.tables["gaps"] if (r["audience"], r["topic"]) in planted
    ]
    reports.close()
    tmp.cleanup()
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for key, value in out.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
