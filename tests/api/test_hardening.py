"""The public API resists abuse: limits, rate limits, CORS, headers, errors, logs, secrets."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from fasou.config import InsecureConfiguration, Settings
from search_api.core.access_log import ACCESS_LOGGER
from search_api.core.rate_limit import Rate, TokenBucketLimiter, parse_rate
from tests.api.conftest import EditorServer, fresh_copy, wait_until
from tests.catalog_db import data_dir_env
from tests.conftest import REPO, make_settings

ORIGIN = "https://mini.example.cn"


@pytest.fixture(scope="module")
def strict_server(editor_corpus: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Low limits, an allowed origin, small bodies."""
    data_dir = fresh_copy(editor_corpus, tmp_path_factory.mktemp("strict") / "data")
    limits = {"search": "5/minute", "documents": "100/minute", "login": "3/minute"}
    with EditorServer(
        data_dir,
        rate_limits=limits,
        rate_limit_client_key=["token", "profile", "ip"],
        cors_origins=[ORIGIN],
        max_body_bytes=4096,
        max_result_window=200,
        max_page=20,
    ) as server:
        yield server


def test_rate_limit_answers_429_with_retry_after(strict_server: EditorServer) -> None:
    client = strict_server.client
    profile = {"X-Fasou-Profile": "burst-client"}
    statuses = [
        client.get("/api/v1/search", params={"q": "工资"}, headers=profile).status_code
        for _ in range(7)
    ]
    assert statuses == [200] * 5 + [429] * 2
    limited = client.get("/api/v1/search", params={"q": "工资"}, headers=profile)
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 12  # 5/minute: one every 12 s
    # Another client is unaffected; so are other route groups for the same client.
    other = {"X-Fasou-Profile": "calm-client"}
    assert client.get("/api/v1/search", params={"q": "工资"}, headers=other).status_code == 200
    doc_id = min(strict_server.runtime.catalog.content_hashes())
    assert client.get(f"/api/v1/documents/{doc_id}", headers=profile).status_code == 200


def test_token_bucket_refills_at_the_steady_rate() -> None:
    limiter = TokenBucketLimiter(max_clients=2)
    rate = Rate(limit=2, period=0.2)  # 10 per second
    assert [limiter.take("g", "a", rate) for _ in range(2)] == [0.0, 0.0]
    wait = limiter.take("g", "a", rate)
    assert 0 < wait <= 0.1
    import time

    time.sleep(wait + 0.01)
    assert limiter.take("g", "a", rate) == 0.0
    limiter.take("g", "b", rate)
    limiter.take("g", "c", rate)  # evicts the least recently used bucket ("a")
    assert len(limiter._buckets) == 2 and ("g", "a") not in limiter._buckets
    assert parse_rate("120/minute") == Rate(120, 60.0)
    assert parse_rate("5/10seconds") == Rate(5, 10.0)
    with pytest.raises(ValueError):
        parse_rate("lots")


def test_query_length_page_depth_and_size_limits(strict_server: EditorServer) -> None:
    client = strict_server.client

    calls = iter(range(100))

    def status_and_field(params: dict) -> tuple[int, list[str]]:
        headers = {"X-Fasou-Profile": f"limits-{next(calls)}"}  # stay under the rate limit
        response = client.get("/api/v1/search", params=params, headers=headers)
        return response.status_code, [e["field"] for e in response.json().get("errors", [])]

    assert status_and_field({"q": "长" * 201}) == (400, ["q"])
    assert status_and_field({"q": "工资", "page": 21}) == (400, ["page"])  # max_page=20
    assert status_and_field({"q": "工资", "page": 6, "size": 40}) == (400, ["page"])  # window 200
    assert status_and_field({"q": "工资", "size": 51})[0] == 422
    assert status_and_field({"q": "工资", "page": 5, "size": 40})[0] == 200


def test_cors_allows_only_configured_origins(strict_server: EditorServer) -> None:
    client = strict_server.client
    preflight = client.options(
        "/api/v1/search",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    simple = client.get(
        f"/api/v1/documents/{min(strict_server.runtime.catalog.content_hashes())}",
        headers={"Origin": ORIGIN},
    )
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-credentials" not in simple.headers
    evil = client.options(
        "/api/v1/search",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert evil.status_code == 400 and "access-control-allow-origin" not in evil.headers


def test_security_headers_on_json_pages_and_console(strict_server: EditorServer) -> None:
    client = strict_server.client
    for path, kind in [
        ("/api/v1/healthz", "json"),
        ("/", "page"),
        ("/editor/login", "console"),
        ("/api/v1/nope", "json"),
    ]:
        response = client.get(path)
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, path
        if kind == "json":
            assert csp.startswith("default-src 'none'")
        else:
            assert "'unsafe-inline'" not in csp.split("style-src-attr")[0], (path, csp)
        if kind == "console":
            assert headers["cache-control"] == "no-store"
    page = client.get("/")
    # The public page's inline script is allowed by its hash, not by 'unsafe-inline'.
    assert "script-src 'self' 'sha256-" in page.headers["content-security-policy"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


def test_no_stack_traces_in_responses(editor_corpus: Path, tmp_path: Path) -> None:
    from tests.conftest import LiveServer

    server = LiveServer(make_settings(fresh_copy(editor_corpus, tmp_path / "data")))

    def explode() -> None:
        raise RuntimeError("secret internals: /etc/passwd at line 42")

    server.app.add_api_route("/api/v1/explode", explode)
    with server, httpx.Client(base_url=server.base_url) as client:
        response = client.get("/api/v1/explode", headers={"X-Request-ID": "trace-me-12345"})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error" and set(body) == {"detail", "code", "errors"}
    assert "secret" not in response.text and "Traceback" not in response.text
    assert "trace-me-12345" in body["detail"]
    assert response.headers["x-request-id"] == "trace-me-12345"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_request_bodies_are_bounded(strict_server: EditorServer) -> None:
    client = strict_server.client
    big = {
        "action": "tag",
        "facet": "audience",
        "values": ["elderly"],
        "selection": {"ids": ["x" * 60] * 200},
    }
    response = client.post("/api/v1/editor/jobs", json=big, headers=strict_server.editor)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 1000

    chunked = client.post(
        "/api/v1/editor/jobs",
        content=chunks(),
        headers=strict_server.editor | {"Content-Type": "application/json"},
    )
    assert chunked.status_code == 413


def _access_entry(caplog: pytest.LogCaptureFixture, request_id: str) -> dict:
    """The access-log entry of one request: written as the response ends, so it may
    trail the client's receipt of the response by a moment."""

    def find() -> str | None:
        lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
        return next((line for line in lines if request_id in line), None)

    return json.loads(wait_until(find, timeout=5))


def test_access_log_is_json_without_personal_data(
    strict_server: EditorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    query = "我被家暴了怎么办"
    response = strict_server.client.get(
        "/api/v1/search",
        params={"q": query, "profile": "resident-42"},
        headers={"X-Fasou-Profile": "resident-42", "X-Request-ID": "req-abcdef-123"},
    )
    assert response.headers["x-request-id"] == "req-abcdef-123"
    entry = _access_entry(caplog, "req-abcdef-123")
    assert entry == entry | {
        "event": "http_request",
        "method": "GET",
        "route": "/api/v1/search",
        "status": response.status_code,
        "role": "anonymous",
    }
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER)
    for secret in (query, "resident-42", "127.0.0.1", "q="):
        assert secret not in text
    editor_call = strict_server.client.get(
        "/api/v1/auth/me", headers=strict_server.editor | {"X-Request-ID": "req-editor-1"}
    )
    assert editor_call.status_code == 200
    last = _access_entry(caplog, "req-editor-1")
    assert last["role"] == "editor" and "edna" not in json.dumps(last)
    doc_id = min(strict_server.runtime.catalog.content_hashes())
    strict_server.client.get(f"/api/v1/documents/{doc_id}", headers={"X-Request-ID": "req-doc-1"})
    last = _access_entry(caplog, "req-doc-1")
    assert last["route"] == "/api/v1/documents/{doc_id}" and doc_id not in json.dumps(last)
    garbage = strict_server.client.get("/api/v1/healthz", headers={"X-Request-ID": "a b\tc"})
    assert len(garbage.headers["x-request-id"]) == 32  # invalid ids are replaced


def test_default_secret_key_refuses_to_start_outside_development(tmp_path: Path) -> None:
    from search_api.main import create_app

    with pytest.raises(InsecureConfiguration):
        create_app(Settings(data_dir=tmp_path, environment="production"))
    with pytest.raises(InsecureConfiguration):
        create_app(Settings(data_dir=tmp_path, environment="test", secret_key="short"))
    create_app(Settings(data_dir=tmp_path, environment="development"))  # fine on a laptop
    env = {"FASOU_ENVIRONMENT": "production", **data_dir_env(tmp_path), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-m", "fasou", "serve", "--port", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3 and "FASOU_SECRET_KEY" in result.stderr


def test_sql_is_parametrised_everywhere() -> None:
    """ruff's S608 (SQL built from strings) is on and the code base passes it."""
    config = (REPO / "pyproject.toml").read_text()
    assert '"S608"' in config
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "--select", "S608", "--no-cache", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
