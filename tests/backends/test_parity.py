"""tantivy and Elasticsearch agree on the top 10 for real layperson questions.

Runs ``bench/backend_parity.py`` (STARD train queries over ../shared/data/laws)
against the session's Elasticsearch node and checks the figure it prints.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fasou.es_test_node import EsTestCluster
from tests.conftest import REPO

pytestmark = [pytest.mark.es, pytest.mark.slow, pytest.mark.shared_data]


def test_backends_agree_on_the_stard_top_10(shared_data: Path, es_node: EsTestCluster) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "backend_parity.py"),
            "--laws",
            str(shared_data / "laws"),
            "--queries",
            str(shared_data / "eval" / "stard_train_queries.jsonl"),
            "--es-url",
            es_node.url,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["queries"] >= 1000 and report["documents"] >= 50_000
    assert report["mean_overlap@10"] >= 0.8, report
