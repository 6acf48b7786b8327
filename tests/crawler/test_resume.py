"""A crawl killed with SIGKILL resumes: nothing stored twice, nothing lost, counts exact."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from crawler.extract import statute_lines
from crawler.localsite.corpus import SiteData
from crawler.localsite.server import SiteServer
from crawler.localsite.site import SourceSite
from indexer.importers.statute_markdown import LawInfo, parse_statute_lines
from tests.catalog_db import data_dir_env, sqlite_only
from tests.crawler.conftest import CRAWL_ENV, crawl, open_catalog

#: Reads the SQLite file directly while a killed process left it behind.
pytestmark = [sqlite_only]

SLOW_SITE = {"FASOU_CRAWL_CONCURRENCY": "4", "FASOU_CRAWL_BATCH_DOCS": "50"}


def expected_article_ids(data: SiteData) -> set[str]:
    ids = set()
    for law in data.laws:
        info = LawInfo(title=law.title, source="flk")
        ids |= {
            a.stable_id() for a in parse_statute_lines(statute_lines("\n".join(law.lines)), info)
        }
    return ids


def stored_pages(db: Path, run_id: int) -> set[str]:
    with sqlite3.connect(db, timeout=5) as conn:
        return {
            row[0]
            for row in conn.execute("SELECT key FROM crawl_pages WHERE run_id = ?", (run_id,))
        }


def start_and_wait(tmp_path: Path, site_url: str, pages: int) -> subprocess.Popen[bytes]:
    """A flk crawl in a subprocess, returned once it has stored ``pages`` pages (or ended)."""
    env = (
        os.environ
        | CRAWL_ENV
        | SLOW_SITE
        | {
            **data_dir_env(tmp_path),
            "FASOU_CRAWL_SITE_URL": site_url,
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "fasou", "crawl", "run", "flk", "--no-index"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = tmp_path / "catalog.db"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if db.exists() and len(stored_pages(db, 1)) >= pages:
                break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    return proc


def test_sigkill_mid_crawl_then_resume(tmp_path: Path) -> None:
    data = SiteData.build(law_limit=60)
    expected = expected_article_ids(data)
    without_articles = sum(1 for law in data.laws if law.articles() == 0)
    with SiteServer(SourceSite(data, bad=False, delay=0.1)) as server:
        proc = start_and_wait(tmp_path, server.url, pages=10)
        db = tmp_path / "catalog.db"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "the crawl finished before it could be killed"

        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            status, new_before = conn.execute(
                "SELECT status, new FROM crawl_runs WHERE id = 1"
            ).fetchone()
        assert status == "running"
        done_before = stored_pages(db, 1)
        assert 10 <= len(done_before) < len(data.laws)
        hits_before = dict(server.site.stats()["hits"])

        # The killed run cannot release its lease; the next run takes it once it expired.
        with sqlite3.connect(db) as conn:
            (expires,) = conn.execute("SELECT expires_at FROM job_leases").fetchone()
        wait = datetime.fromisoformat(expires) - datetime.now(UTC).replace(tzinfo=None)
        time.sleep(max(0.0, wait.total_seconds()) + 0.2)
        resumed = crawl(tmp_path, server.url, "flk", env=SLOW_SITE)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert "run 1 finished (resumed)" in resumed.stdout
        hits = server.site.stats()["hits"]

    catalog = open_catalog(tmp_path)
    try:
        with catalog.engine.connect() as conn:
            ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM documents")]
            pairs = conn.exec_driver_sql(
                "SELECT count(*), count(DISTINCT json_extract(fields, '$.law_title') || '|' || "
                "json_extract(fields, '$.article_no')) FROM documents"
            ).one()
            run = dict(conn.exec_driver_sql("SELECT * FROM crawl_runs WHERE id = 1").one()._mapping)
            quarantined = conn.exec_driver_sql("SELECT count(*) FROM crawl_quarantine").scalar()
    finally:
        catalog.close()
    assert set(ids) == expected  # nothing lost
    assert pairs[0] == pairs[1] == len(expected)  # nothing stored twice
    # Counts commit with the documents, so they are exact across the kill.
    assert run["new"] == len(expected) and run["resumed"] == 1 and run["status"] == "finished"
    assert new_before < len(expected)
    assert quarantined == without_articles  # laws without 第X条 articles, once each
    # Pages the killed run had stored were not fetched again.
    for key in done_before:
        law_id = key.rsplit("id=", 1)[1]
        path = f"/flk/api/detail?id={law_id}"
        assert hits[path] == hits_before[path] == 1, key


def test_a_source_already_running_elsewhere_is_not_started(tmp_path: Path) -> None:
    from indexer.catalog.leases import Leases

    catalog = open_catalog(tmp_path)
    try:
        assert Leases(catalog).acquire("crawl:videos", "another-host:1:abc", ttl=120)
    finally:
        catalog.close()
    busy = crawl(tmp_path, "http://127.0.0.1:9", "videos")
    assert busy.returncode == 3
    assert "not started: lease 'crawl:videos' is held by another-host:1:abc" in busy.stderr


def test_graceful_interrupt_keeps_the_queue_and_resumes(tmp_path: Path) -> None:
    """Ctrl-C / the scheduler's SIGTERM → SIGINT: the run is ``interrupted`` and resumable."""
    data = SiteData.build(law_limit=40)
    expected = expected_article_ids(data)
    with SiteServer(SourceSite(data, bad=False, delay=0.1)) as server:
        proc = start_and_wait(tmp_path, server.url, pages=5)
        db = tmp_path / "catalog.db"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=120) == 1  # the run did not finish
        with sqlite3.connect(db) as conn:
            (status,) = conn.execute("SELECT status FROM crawl_runs WHERE id = 1").fetchone()
        assert status == "interrupted"
        queue = tmp_path / "crawl" / "jobs" / "flk" / "run-1" / "requests.queue"
        assert (queue / "active.json").exists()  # Scrapy saved its queue: kept for the resume
        resumed = crawl(tmp_path, server.url, "flk", env=SLOW_SITE)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert "run 1 finished (resumed)" in resumed.stdout
    with sqlite3.connect(db) as conn:
        ids = {row[0] for row in conn.execute("SELECT id FROM documents")}
        (new,) = conn.execute("SELECT new FROM crawl_runs WHERE id = 1").fetchone()
    assert ids == expected and new == len(expected)
    assert not queue.exists()  # a finished run leaves no JOBDIR behind
