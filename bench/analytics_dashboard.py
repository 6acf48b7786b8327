"""Dashboard render time at 1M events (target: median ≤ 1 s for 8 weeks).

Usage::

    python bench/analytics_dashboard.py [--events N] [--store DIR] [--rounds N] [--json]

Generates ``--events`` events (planted needs and gaps, 8 weeks) into a fresh
analytics store unless ``--store`` already holds some, then times, in process:

* cold: the first report of a new ``Reports`` (loads the store, aggregates every week
  into parts: once per process, and in the background when the server starts);
* the 8-week dashboard for everyone, recombined from the parts (``cached=False``), and
  again while no event changed (the report cache);
* the fresh dashboard after a new batch of events (the target): each round appends a
  batch of ``--batch`` events to the current week, then times the report — which loads
  that segment, aggregates its rows as one more part and combines; and the same when
  the background warmer has already aggregated the batch (what the console sees);
* one audience (elderly): its first report (its parts for 8 weeks) and recombined;
* the full console page over HTTP (signed in, server-rendered HTML with charts).

It prints the machine's load average (``os.getloadavg``) before and after: the
machine is shared, so medians move with it.

It also prints where the planted gaps rank.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
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


def batch(rng: random.Random, week: date, size: int) -> list[Row]:
    """A batch as the recorder writes one: searches, clicks and 没用 of many residents,
    some new to the store, in the current week."""
    start = datetime.combine(week, datetime.min.time()) + timedelta(days=rng.randrange(7))
    queries = ("养老诈骗", "工伤认定", "外卖骑手撞人谁赔", "离婚财产分割", "拖欠工资")
    rows = []
    for _ in range(size):
        kind = rng.choice(("search", "search", "search", "click", "not_useful"))
        rows.append(
            Row(
                start + timedelta(seconds=rng.randrange(3600)),
                kind,
                rng.randrange(1, 30_000),
                (rng.choice(("elderly", "gig_workers", "farmers")),),
                "浙江省/金华市/东阳市",
                rng.choice(queries) if kind == "search" else "",
                ("anti_fraud",),
                "",
                "video" if kind == "click" else "",
                3,
                rng.random() < 0.2,
                ("case", "video") if kind == "search" else (),
            )
        )
    return rows


def console_render(
    store_dir: Path, rounds: int, new_batch: Callable[[], None]
) -> tuple[list[float], list[float]]:
    """The console page over HTTP, on a live server whose analytics store is ``store_dir``:
    while no event changed, and right after a new batch was stored."""
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

                def page() -> None:
                    http.get("/editor/analytics").raise_for_status()

                unchanged = timed(page, rounds)
                after_batch = []
                for _ in range(rounds):
                    new_batch()
                    after_batch.append(timed(page, 1)[0])
                return unchanged, after_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=500, help="events per new batch")
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
    out["load_before"] = [round(x, 2) for x in os.getloadavg()]
    reports = Reports(store, dict, lambda: 0)
    started = time.perf_counter()
    first = reports.build(reports.default_filter())
    out["cold_s"] = round(time.perf_counter() - started, 3)
    everyone = timed(lambda: reports.build(reports.default_filter(), cached=False), args.rounds)
    cached = timed(lambda: reports.build(reports.default_filter()), args.rounds)
    rng = random.Random(7)
    last = store.weeks()[-1]

    def new_batch() -> None:
        store.append(batch(rng, last, args.batch))

    after_batch = []
    warmed = []
    for _ in range(args.rounds):
        new_batch()
        after_batch.append(timed(lambda: reports.build(reports.default_filter()), 1)[0])
        new_batch()
        reports.warm()  # what the background warmer does after the recorder writes a batch
        warmed.append(timed(lambda: reports.build(reports.default_filter()), 1)[0])
    started = time.perf_counter()
    reports.build(reports.default_filter(audience="elderly"))
    elderly_first = time.perf_counter() - started
    elderly = timed(
        lambda: reports.build(reports.default_filter(audience="elderly"), cached=False),
        args.rounds,
    )
    out["dashboard_s"] = {
        "after_new_batch_median": round(statistics.median(after_batch), 3),
        "after_new_batch_max": round(max(after_batch), 3),
        "after_new_batch_warmed_median": round(statistics.median(warmed), 3),
        "everyone_recombined_median": round(statistics.median(everyone), 3),
        "everyone_recombined_max": round(max(everyone), 3),
        "unchanged_events_median": round(statistics.median(cached), 4),
        "elderly_first": round(elderly_first, 3),
        "elderly_recombined_median": round(statistics.median(elderly), 3),
    }
    out["events_after_batches"] = store.count()
    if not args.skip_http:
        page, page_after_batch = console_render(root, args.rounds, new_batch)
        out["console_page_s"] = {
            "unchanged_median": round(statistics.median(page), 3),
            "after_new_batch_median": round(statistics.median(page_after_batch), 3),
            "after_new_batch_max": round(max(page_after_batch), 3),
        }
    planted = {(p.audience, p.topic) for p in PLANTED_GAPS}
    out["planted_gap_ranks"] = [
        r["rank"] for r in first.tables["gaps"] if (r["audience"], r["topic"]) in planted
    ]
    reports.close()
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    tmp.cleanup()
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for key, value in out.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
