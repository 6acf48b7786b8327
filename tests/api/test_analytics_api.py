"""Needs analytics over HTTP on a live server: recording, k-anonymity, erasure, CSV, load."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fasou.analytics.reports import TABLES, parse_csv
from fasou.profiles import Declared
from tests.api.conftest import EditorServer, fresh_copy

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def server(editor_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EditorServer]:
    data_dir = fresh_copy(editor_corpus, tmp_path_factory.mktemp("analytics") / "data")
    with EditorServer(data_dir, analytics_k=3) as live:
        yield live


def residents(server: EditorServer, prefix: str, n: int) -> list[str]:
    ids = [f"{prefix}-{i:04d}" for i in range(n)]
    for client in ids:
        server.runtime.profiles.put(
            client, Declared(age_band="60_plus", region="浙江省/金华市/东阳市/吴宁街道")
        )
    return ids


def report(server: EditorServer, **params: str) -> dict:
    assert server.runtime.analytics.flush()
    response = server.client.get(
        "/api/v1/analytics/report", params={"audience": "elderly"} | params, headers=server.editor
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_searches_are_recorded_and_k_anonymity_holds(server: EditorServer) -> None:
    clients = residents(server, "kanon", 3)
    for client in clients[:2]:
        server.client.get("/api/v1/search", params={"q": "保健品诈骗 老人 退钱", "profile": client})
    body = report(server)
    queries = {row["query"] for row in body["tables"]["top_queries"]}
    assert body["k"] == 3 and "保健品诈骗 老人 退钱" not in queries
    server.client.get("/api/v1/search", params={"q": "保健品诈骗 老人 退钱", "profile": clients[2]})
    body = report(server)
    row = next(r for r in body["tables"]["top_queries"] if r["query"] == "保健品诈骗 老人 退钱")
    assert row["profiles"] == 3 and row["searches"] == 3
    assert {r["audience"] for r in body["tables"]["gaps"]} <= {"elderly"}
    # region coarsened to the county; no client id anywhere in the answer
    assert {r["region"] for r in body["tables"]["regions"]} == {"浙江省/金华市/东阳市"}
    assert "kanon-" not in str(body)


def test_deleting_a_profile_erases_its_analytics(server: EditorServer) -> None:
    clients = residents(server, "erase", 3)
    for client in clients:
        server.client.get("/api/v1/search", params={"q": "子女不赡养老人怎么办", "profile": client})
    server.client.post(
        "/api/v1/events",
        json={
            "profile": clients[0],
            "kind": "not_useful",
            "doc_id": min(server.runtime.catalog.content_hashes()),
        },
    )
    body = report(server)
    assert any(r["query"] == "子女不赡养老人怎么办" for r in body["tables"]["top_queries"])
    store = server.runtime.analytics.store
    assert store.count(clients[0]) == 2
    assert server.client.delete(f"/api/v1/profiles/{clients[0]}").status_code == 204
    assert store.count(clients[0]) == 0
    body = report(server)
    assert all(r["query"] != "子女不赡养老人怎么办" for r in body["tables"]["top_queries"])


def test_csv_export_matches_json(server: EditorServer) -> None:
    residents(server, "csv", 1)
    server.client.get("/api/v1/search", params={"q": "拖欠工资", "profile": "csv-0000"})
    server.runtime.analytics.flush()
    for table in TABLES:
        params = {"audience": "elderly"}
        json_rows = server.client.get(
            f"/api/v1/analytics/report/{table}", params=params, headers=server.editor
        ).json()["rows"]
        response = server.client.get(
            f"/api/v1/analytics/report/{table}",
            params=params | {"format": "csv"},
            headers=server.editor,
        )
        assert response.headers["content-type"].startswith("text/csv")
        assert parse_csv(response.text) == [
            {k: str(v) for k, v in row.items()} for row in json_rows
        ], table
    # the console's export serves the same bytes as the API
    console = httpx.Client(base_url=server.base_url)
    console.post(
        "/editor/login", data={"username": "edna", "password": "correct horse battery staple"}
    )
    page = console.get("/editor/analytics", params={"audience": "elderly"})
    assert page.status_code == 200 and "<svg" in page.text and "内容缺口" in page.text
    assert "/editor/analytics/gaps.csv" in page.text
    exported = console.get("/editor/analytics/gaps.csv", params={"audience": "elderly"})
    api = server.client.get(
        "/api/v1/analytics/report/gaps",
        params={"audience": "elderly", "format": "csv"},
        headers=server.editor,
    )
    assert exported.status_code == 200 and exported.text == api.text
    console.close()


def test_bad_parameters_name_the_field(server: EditorServer) -> None:
    for params, field in (({"audience": "martians"}, "audience"), ({"weeks": "99"}, "weeks")):
        response = server.client.get(
            "/api/v1/analytics/report", params=params, headers=server.editor
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
    response = server.client.get("/api/v1/analytics/report/nope", headers=server.editor)
    assert response.status_code == 422


def test_a_stalled_analytics_store_never_blocks_search(editor_corpus: Path, tmp_path: Path) -> None:
    """The store's writer is stuck (a lock held); 8 clients search hard: every search
    answers, fast, and the overflow is counted as dropped."""
    data_dir = fresh_copy(editor_corpus, tmp_path / "data")
    with EditorServer(data_dir, analytics_queue_size=50) as live:
        recorder = live.runtime.analytics
        stuck = threading.Event()
        original = recorder.sink.append

        def stalled(events):  # type: ignore[no-untyped-def]
            stuck.wait(30)
            original(events)

        recorder.sink.append = stalled  # type: ignore[method-assign]
        recorder.writer.batch_seconds = 0.05  # reach the stuck store at once, not in 5 s
        residents(live, "load", 8)
        latencies: list[float] = []
        statuses: list[int] = []

        def client(i: int) -> None:
            with httpx.Client(base_url=live.base_url, timeout=10) as http:
                for n in range(40):
                    started = time.perf_counter()
                    response = http.get(
                        "/api/v1/search", params={"q": f"工资 {n}", "profile": f"load-{i:04d}"}
                    )
                    latencies.append(time.perf_counter() - started)
                    statuses.append(response.status_code)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        stats = recorder.stats()
        stuck.set()
        assert statuses == [200] * 320
        assert stats["dropped"] > 0 and stats["queued"] <= stats["capacity"]
        latencies.sort()
        assert latencies[len(latencies) // 2] < 1.0  # generous: a blocked search would hang
        assert recorder.flush(timeout=30)
