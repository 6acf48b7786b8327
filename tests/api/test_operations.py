"""Operations over HTTP: Prometheus metrics, liveness vs readiness, the result cache."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from indexer.catalog.revisions import bump_rev
from tests.api.conftest import fresh_copy
from tests.conftest import LiveServer, free_port, make_settings


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture(scope="module")
def server(editor_corpus: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data_dir = fresh_copy(editor_corpus, tmp_path_factory.mktemp("ops") / "data")
    with LiveServer(make_settings(data_dir)) as live:
        yield live


@pytest.fixture()
def client(server: LiveServer):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        yield http


def test_metrics_count_requests_latency_outcomes_and_cache(client: httpx.Client) -> None:
    before = client.get("/metrics").text
    for _ in range(3):
        assert client.get("/api/v1/search", params={"q": "拖欠工资 仲裁"}).status_code == 200
    assert client.get("/api/v1/search", params={"q": "x" * 500}).status_code == 400
    assert client.get("/api/v1/documents/art-0000000000000000").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    after = response.text

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    search = {"route": "/api/v1/search", "method": "GET"}
    assert grew("fasou_http_requests_total", status="200", **search) == 3
    assert grew("fasou_http_requests_total", status="400", **search) == 1
    # The route template, never the concrete path (which would be one series per id).
    assert grew("fasou_http_requests_total", route="/api/v1/documents/{doc_id}", status="404")
    assert "art-0000000000000000" not in after and "拖欠" not in after
    assert grew("fasou_http_request_duration_seconds_count", **search) == 4
    assert grew("fasou_http_request_duration_seconds_bucket", le="+Inf", **search) == 4
    assert grew("fasou_searches_total", outcome="hits") == 3
    # The same anonymous request twice more: served from the cache.
    assert grew("fasou_search_cache_total", result="hit") >= 2
    for name in ("fasou_index_lag_revisions", "fasou_index_backlog_documents"):
        assert re.search(rf"^{name} 0\.0$", after, re.M), name
    assert sample(after, "fasou_catalog_rev") == sample(after, "fasou_index_applied_rev") > 0
    assert sample(after, "fasou_background_leader_present") == 1
    assert "fasou_jobs" in after and "fasou_crawl_runs" in after


def test_zero_results_are_counted(client: httpx.Client) -> None:
    before = sample(client.get("/metrics").text, "fasou_searches_total", outcome="zero")
    body = client.get("/api/v1/search", params={"q": "𠀀𠀁𠀂"}).json()
    assert body["total"] == 0
    after = sample(client.get("/metrics").text, "fasou_searches_total", outcome="zero")
    assert after == before + 1


def test_live_and_ready(client: httpx.Client) -> None:
    live = client.get("/api/v1/healthz/live")
    assert live.status_code == 200 and live.json() == {"status": "ok", "role": "leader"}
    ready = client.get("/api/v1/healthz/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["applied_rev"] == ready.json()["rev"]
    assert client.get("/api/v1/healthz").status_code == 200  # the full report stays


def test_not_ready_when_the_search_backend_is_down(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, backend="elasticsearch", es_url=f"http://127.0.0.1:{free_port()}", es_timeout=2
    )
    with LiveServer(settings) as live, httpx.Client(base_url=live.base_url, timeout=30) as http:
        assert http.get("/api/v1/healthz/live").status_code == 200  # up, just not ready
        ready = http.get("/api/v1/healthz/ready")
        assert ready.status_code == 503 and ready.headers["retry-after"]
        body = ready.json()
        assert set(body) == {"detail", "code", "errors"} and body["code"] == "not_ready"
        assert [e["field"] for e in body["errors"]] == ["search_backend"]
        metrics = http.get("/metrics")  # still answers, says what it could not read
        assert metrics.status_code == 200
        assert sample(metrics.text, "fasou_state_readable", part="index") == 0


def test_not_ready_when_the_index_is_far_behind(editor_corpus: Path, tmp_path: Path) -> None:
    data_dir = fresh_copy(editor_corpus, tmp_path / "data")
    # The index worker polls once an hour here and nobody pokes it: the lag stays.
    settings = make_settings(data_dir, ready_max_lag_revisions=2, index_sync_interval=3600)
    with LiveServer(settings) as live, httpx.Client(base_url=live.base_url, timeout=30) as http:
        assert http.get("/api/v1/healthz/ready").status_code == 200
        for _ in range(3):
            with live.runtime.catalog.writing() as conn:
                bump_rev(conn)
        ready = http.get("/api/v1/healthz/ready")
        assert ready.status_code == 503
        assert [e["field"] for e in ready.json()["errors"]] == ["index"]
        assert "3 revisions behind" in ready.json()["detail"]
