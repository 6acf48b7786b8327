"""An unreachable search engine is a clear 503, not an internal error (no node needed)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import LiveServer, free_port, make_settings


def test_unreachable_elasticsearch_gives_503_with_the_error_body(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, backend="elasticsearch", es_url=f"http://127.0.0.1:{free_port()}", es_timeout=2
    )
    with (
        LiveServer(settings) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as http,
    ):
        search = http.get("/api/v1/search", params={"q": "工伤"})
        assert search.status_code == 503
        assert search.json()["code"] == "backend_unavailable"
        assert set(search.json()) == {"detail", "code", "errors"}
        health = http.get("/api/v1/healthz")
        assert health.status_code == 503 and health.json()["status"] == "error"
        assert health.json()["catalog"]["status"] == "ok"
