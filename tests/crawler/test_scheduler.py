"""The scheduler starts each source on its cron expression and never overlaps two runs."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.localsite.server import SiteServer
from crawler.localsite.site import SourceSite
from crawler.scheduler import Scheduler
from indexer.catalog.crawls import CrawlLedger
from tests.catalog_db import data_dir_env
from tests.crawler.conftest import CRAWL_ENV, open_catalog, small_site_data


def _intervals(log: Path) -> list[tuple[float, float]]:
    rows = [line.split() for line in log.read_text().splitlines()]
    starts = [float(t) for kind, t in rows if kind == "start"]
    ends = [float(t) for kind, t in rows if kind == "end"]
    return list(zip(starts, ends, strict=False))


def test_slow_runs_are_skipped_not_overlapped(tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    job = (
        "import sys, time; f = open(sys.argv[1], 'a'); "
        "f.write(f'start {time.time()}\\n'); f.flush(); time.sleep(1.5); "
        "f.write(f'end {time.time()}\\n')"
    )
    scheduler = Scheduler(
        {"a": "* * * * * *"},  # every second, while a run takes 1.5 s
        command=lambda _source: [sys.executable, "-c", job, str(log)],
        tick=0.05,
    )
    scheduler.run(max_seconds=5)
    runs = _intervals(log)
    assert len(runs) >= 2 and scheduler.jobs["a"].skipped >= 1
    for (_s1, e1), (s2, _e2) in itertools.pairwise(runs):
        assert s2 >= e1  # the next run started after the previous one ended


def test_source_busy_elsewhere_is_skipped() -> None:
    scheduler = Scheduler(
        {"a": "* * * * * *"},
        command=lambda _s: [sys.executable, "-c", "pass"],
        tick=0.05,
        is_busy=lambda _s: True,
    )
    scheduler.run(max_seconds=2.2)
    assert scheduler.jobs["a"].started == 0 and scheduler.jobs["a"].skipped >= 1


def test_invalid_cron_is_rejected() -> None:
    with pytest.raises(ValueError, match="invalid cron"):
        Scheduler({"a": "every day"})


def test_fasou_schedule_runs_crawls_without_overlap(tmp_path: Path) -> None:
    with SiteServer(SourceSite(small_site_data(), bad=False)) as server:
        env = (
            os.environ
            | CRAWL_ENV
            | {
                **data_dir_env(tmp_path),
                "FASOU_CRAWL_SITE_URL": server.url,
            }
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "fasou",
                "schedule",
                "--only",
                "videos",
                "--cron",
                "videos=* * * * * */2",
                "--max-seconds",
                "12",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    catalog = open_catalog(tmp_path)
    try:
        runs = sorted(CrawlLedger(catalog).runs("videos"), key=lambda r: r["id"])
    finally:
        catalog.close()
    # A crawl process outlives the 2 s slots (its start-up alone takes seconds here):
    # the slots in between are skipped, never run in parallel.
    assert "previous run still going; this slot is skipped" in done.stderr
    assert runs and runs[0]["status"] in ("finished", "interrupted")
    assert any(r["new"] > 0 for r in runs)
    # Stopping the scheduler interrupts a running crawl gracefully: it stays resumable.
    assert all(r["status"] in ("finished", "interrupted") for r in runs)
    for before, after in itertools.pairwise(runs):
        assert after["started_at"] >= before["finished_at"]


def test_two_schedulers_started_at_once_run_each_due_crawl_once(tmp_path: Path) -> None:
    """Two ``fasou schedule`` processes, same sources and cron, started together: every due
    slot is claimed by one of them and yields one crawl run (``crawl_runs``)."""
    import re
    import time

    with SiteServer(SourceSite(small_site_data(), bad=False)) as server:
        env = os.environ | CRAWL_ENV | data_dir_env(tmp_path) | {
            "FASOU_CRAWL_SITE_URL": server.url,
        }  # fmt: skip
        open_catalog(tmp_path).close()  # migrate once, not in a race of two first opens
        # Start just after a 20 s boundary: the next slot is due in 20 s, once both
        # schedulers are up (start-up takes seconds on a loaded machine), and the one
        # after it (40 s) falls beyond --max-seconds: exactly one due slot, and 15 s
        # for its crawl to finish before the schedulers stop.
        time.sleep(20 - time.time() % 20 + 0.2)
        command = [sys.executable, "-m", "fasou", "-v", "schedule", "--only", "videos",
                   "--cron", "videos=* * * * * */20", "--max-seconds", "35"]  # fmt: skip
        schedulers = [
            subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)
        ]
        logs = [s.communicate(timeout=120)[1] for s in schedulers]
    assert all(s.returncode == 0 for s in schedulers), logs
    started = [re.findall(r"started run for slot ([\d:\- ]+UTC)", log) for log in logs]
    taken = [re.findall(r"slot ([\d:\- ]+UTC) taken by another scheduler", log) for log in logs]
    slots = sorted(started[0] + started[1])
    assert len(slots) == 1, logs  # one due slot, started by one scheduler only
    assert taken[0] + taken[1] == slots  # …and the other one saw it taken
    catalog = open_catalog(tmp_path)
    try:
        runs = CrawlLedger(catalog).runs("videos")
    finally:
        catalog.close()
    assert len(runs) == 1 and runs[0]["status"] in ("finished", "interrupted"), runs
