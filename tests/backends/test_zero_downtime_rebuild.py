"""``fasou index rebuild`` while residents search: no errors, no empty result pages.

The API serves from the live index while a separate ``fasou index rebuild``
process builds a new one and switches to it (tantivy: a new generation and an
atomic ``CURRENT`` swap; Elasticsearch: a new versioned index and one atomic
alias swap). Clients search in a loop over real HTTP throughout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import httpx

from indexer.catalog import Catalog
from indexer.sync import ensure_index
from tests.backends.conftest import Engine
from tests.conftest import LiveServer

QUERIES = [
    "老板拖欠工资怎么办",
    "离婚后孩子抚养费",
    "借钱不还",
    "交通事故赔偿",
    "法律援助",
    "工伤认定",
]


def _live_index(http: httpx.Client) -> str:
    index = http.get("/api/v1/healthz").json()["index"]
    return str(index.get("index") or index.get("generation"))


def test_searches_never_fail_or_come_back_empty_during_a_rebuild(
    engine: Engine, catalog: Catalog
) -> None:
    ensure_index(catalog, engine.open())
    outcomes: list[tuple[str, int, int]] = []  # (query, status, hits)
    stop = threading.Event()

    with LiveServer(engine.settings) as server:

        def search_loop() -> None:
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                while not stop.is_set():
                    for query in QUERIES:
                        response = http.get("/api/v1/search", params={"q": query, "size": 10})
                        hits = len(response.json().get("hits", [])) if response.is_success else 0
                        outcomes.append((query, response.status_code, hits))

        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            before = _live_index(http)
            clients = [threading.Thread(target=search_loop) for _ in range(2)]
            for thread in clients:
                thread.start()
            time.sleep(0.5)
            during_start = len(outcomes)
            done = subprocess.run(
                [sys.executable, "-m", "fasou", "index", "rebuild"],
                capture_output=True,
                text=True,
                env=os.environ | engine.env(),
                timeout=600,
            )
            during = len(outcomes) - during_start
            time.sleep(1.0)  # tantivy readers pick up the new generation within 0.2 s
            stop.set()
            for thread in clients:
                thread.join(timeout=60)
            after = _live_index(http)

    assert done.returncode == 0, done.stderr
    assert "rebuilt:" in done.stdout
    assert after != before, "the rebuild switched searches to a new index"
    assert during >= 10, f"only {during} searches ran during the rebuild"
    failed = [o for o in outcomes if o[1] != 200]
    empty = [o for o in outcomes if o[1] == 200 and o[2] == 0]
    assert not failed, failed[:5]
    assert not empty, empty[:5]
