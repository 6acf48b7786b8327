"""The mini-app contract over real HTTP: cursor paging, ETag/304, gzip, media, places,
personas, and the page's own delivery (no third-party resources)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fasou.config import Settings
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import samples
from indexer.sync import ensure_index
from search_api.core.enrich import SAMPLE_NOTE, media
from search_api.main import STATIC_DIR
from tests.api.test_search_api import error_fields
from tests.conftest import LiveServer, make_settings

LABOUR_30 = "sa-d95306c6045f174e"


def walk(http: httpx.Client, params: dict, want: int, size: int) -> list[str]:
    ids: list[str] = []
    cursor = None
    while len(ids) < want:
        page = http.get("/api/v1/search", params={**params, "size": size, "cursor": cursor})
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["offset"] == len(ids)
        ids += [h["id"] for h in body["hits"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    return ids


@pytest.mark.parametrize(
    "params",
    [
        {"q": "劳动合同法82条"},  # a pinned lookup
        {"q": "找律师 离婚"},  # pinned intended type
        {"q": "老板拖欠工资怎么办"},
        {"q": "赡养老人", "type": ["case", "video", "article", "statute_article"]},
    ],
)
def test_pages_are_slices_of_one_ordering(http: httpx.Client, params: dict) -> None:
    whole = http.get("/api/v1/search", params={**params, "size": 36}).json()
    expected = [h["id"] for h in whole["hits"]]
    assert len(expected) == 36
    walked = walk(http, params, 36, size=7)
    assert walked[:36] == expected
    assert len(set(walked)) == len(walked), "a hit repeated across pages"
    by_page = http.get("/api/v1/search", params={**params, "size": 12, "page": 2}).json()
    assert [h["id"] for h in by_page["hits"]] == expected[12:24]


def test_personalised_pages_are_consistent_too(http: httpx.Client) -> None:
    client = f"test-{uuid.uuid4().hex[:12]}"
    http.put(f"/api/v1/profiles/{client}", json={"age_band": "60_plus"})
    params = {"q": "房子", "profile": client}
    whole = [
        h["id"] for h in http.get("/api/v1/search", params={**params, "size": 30}).json()["hits"]
    ]
    assert walk(http, params, 30, size=6)[:30] == whole
    http.delete(f"/api/v1/profiles/{client}")


def test_the_last_page_has_no_cursor(http: httpx.Client) -> None:
    first = http.get("/api/v1/search", params={"q": "司法所", "type": "service", "size": 50}).json()
    assert 0 < first["total"] <= 50 and first["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "工资", "cursor": "not-a-cursor"}, "invalid cursor"),
        ({"q": "工资", "cursor": "eyJvIjo1fQ", "page": 2}, "not both"),
        ({"q": "工资", "cursor": "eyJvIjo1fQ"}, "another query"),  # {"o": 5}: no key
    ],
)
def test_bad_cursors_are_422_naming_cursor(http: httpx.Client, params: dict, message: str) -> None:
    response = http.get("/api/v1/search", params=params)
    assert response.status_code == 422 and error_fields(response) == ["cursor"]
    assert message in response.json()["detail"]


def test_document_etag_and_conditional_requests(http: httpx.Client) -> None:
    first = http.get(f"/api/v1/documents/{LABOUR_30}")
    etag = first.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag) and first.headers["cache-control"] == "no-cache"
    assert http.get(f"/api/v1/documents/{LABOUR_30}").headers["etag"] == etag  # deterministic
    for header in (etag, etag.removeprefix("W/"), f'"nope", {etag}', "*"):
        again = http.get(f"/api/v1/documents/{LABOUR_30}", headers={"If-None-Match": header})
        assert again.status_code == 304 and again.content == b"", header
        assert again.headers["etag"] == etag
    stale = http.get(f"/api/v1/documents/{LABOUR_30}", headers={"If-None-Match": 'W/"0000"'})
    assert stale.status_code == 200 and stale.json()["id"] == LABOUR_30
    other = http.get("/api/v1/documents/case-ba47e17bfbe58b73")
    assert other.headers["etag"] != etag
    # The representation depends on the parameters, and so does the tag.
    assert http.get(f"/api/v1/documents/{LABOUR_30}?links=false").headers["etag"] != etag


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Samples only: a catalog this module may change without disturbing other tests."""
    data_dir = tmp_path_factory.mktemp("small")
    settings = make_settings(data_dir)
    catalog = Catalog.open(settings.catalog_url)
    catalog.upsert(samples.iter_samples())
    backend = TantivyBackend(settings.index_dir / "tantivy")
    ensure_index(catalog, backend)
    backend.close()
    catalog.close()
    with LiveServer(settings) as server:
        yield server


def test_the_etag_changes_when_the_document_does(small_server: LiveServer) -> None:
    doc_id = "case-f389cbcf0e429c53"
    with httpx.Client(base_url=small_server.base_url) as http:
        before = http.get(f"/api/v1/documents/{doc_id}")
        etag = before.headers["etag"]
        assert "farmers" not in before.json()["audiences"]
        small_server.runtime.catalog.set_tags(doc_id, "audience", add=["farmers"], editor="t")
        after = http.get(f"/api/v1/documents/{doc_id}", headers={"If-None-Match": etag})
        assert after.status_code == 200 and "farmers" in after.json()["audiences"]
        assert after.headers["etag"] != etag


def test_gzip_for_json_and_page_assets_not_for_video(http: httpx.Client) -> None:
    gz = {"Accept-Encoding": "gzip"}
    for path in ("/api/v1/search?q=工资", "/static/app/app.css", "/static/app/main.js", "/"):
        response = http.get(path, headers=gz)
        assert response.status_code == 200 and response.headers.get("content-encoding") == "gzip", (
            path
        )
    plain = http.get("/api/v1/search?q=工资", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    video = http.get("/static/media/pufa-sample.webm", headers=gz)
    assert video.headers["content-type"] == "video/webm" and "content-encoding" not in video.headers
    assert 10_000 < len(video.content) <= 300 * 1024
    ranged = http.get("/static/media/pufa-sample.webm", headers={**gz, "Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100


def test_videos_say_when_a_local_sample_plays(http: httpx.Client) -> None:
    hits = http.get("/api/v1/search", params={"q": "讨薪", "type": "video"}).json()["hits"]
    assert hits and all(h["media"]["sample"] and h["media"]["note"] for h in hits)
    assert all(h["play_url"].startswith("https://") for h in hits)  # the source stays as it is
    assert http.get(hits[0]["media"]["src"]).status_code == 200


def test_media_fallback_setting() -> None:
    remote = {"type": "video", "play_url": "https://example.gov.cn/v.mp4"}
    assert media(remote, None) == {
        "src": "https://example.gov.cn/v.mp4",
        "type": "video/mp4",
        "sample": False,
        "note": None,
    }
    assert media(remote, "/static/media/pufa-sample.webm")["note"] == SAMPLE_NOTE
    local = {"type": "video", "play_url": "/static/media/own.webm"}
    assert media(local, "/static/media/pufa-sample.webm")["sample"] is False
    assert media({"type": "video"}, None) is None
    assert Settings(media_fallback="").media_fallback == ""


def test_near_adds_distances_to_services_only(http: httpx.Client) -> None:
    body = http.get(
        "/api/v1/search", params={"q": "法律援助", "near": "29.29,120.24", "size": 20}
    ).json()
    assert body["near"]["label"] == "position"
    services = [h for h in body["hits"] if h["type"] == "service"]
    assert services and all(
        h["distance_km"] is not None for h in services if h.get("latitude") is not None
    )
    assert all(h["distance_km"] is None for h in body["hits"] if h["type"] != "service")


def test_every_persona_is_a_valid_profile(http: httpx.Client) -> None:
    personas = http.get("/api/v1/taxonomy").json()["personas"]
    assert [p["label"] for p in personas] == [
        "老人",
        "学生或家长",
        "务工",
        "骑手司机",
        "经营者",
        "农民",
        "其他",
    ]
    implied = {"elderly": "elderly", "rider_driver": "gig_workers", "farmer": "farmers"}
    for persona in personas:
        client = f"test-{uuid.uuid4().hex[:12]}"
        body = {**persona["declared"], "region": "浙江省/金华市/东阳市"}
        response = http.put(f"/api/v1/profiles/{client}", json=body)
        assert response.status_code == 201, response.text
        if persona["id"] in implied:
            assert implied[persona["id"]] in response.json()["audiences"]
        http.delete(f"/api/v1/profiles/{client}")


def test_the_page_loads_nothing_from_elsewhere(http: httpx.Client) -> None:
    page = http.get("/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    files = [p for p in Path(STATIC_DIR).rglob("*") if p.suffix in {".html", ".js", ".css"}]
    assert any(p.name == "main.js" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), path
        assert not re.search(r"@import|url\(\s*[\"']?(https?:)?//", text), path
        assert 'fetch("http' not in text and "fetch('http" not in text, path


def test_cors_allows_only_configured_origins(
    http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    preflight = {"Access-Control-Request-Method": "GET"}
    other = http.options("/api/v1/search", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    simple = http.get(
        f"/api/v1/documents/{LABOUR_30}", headers={"Origin": "https://servicewechat.com"}
    )
    assert simple.headers["access-control-allow-origin"] == "https://servicewechat.com"
    assert "etag" in simple.headers["access-control-expose-headers"].lower()
    monkeypatch.setenv("FASOU_CORS_ORIGINS", '["https://a.example", "https://b.example"]')
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]
    assert Settings.model_fields["cors_origins"].default_factory() == []


def test_feed_pages_agree_on_what_was_seen(http: httpx.Client) -> None:
    """An item viewed just before the first page stays out of the second page too (the
    cursor keeps the first page's moment to the microsecond, not the second)."""
    client = f"test-{uuid.uuid4().hex[:12]}"
    http.put(f"/api/v1/profiles/{client}", json={"occupation": "farmer"})
    head = http.get("/api/v1/feed", params={"profile": client, "size": 12}).json()["items"]
    seen = head[0]["id"]
    http.post("/api/v1/events", json={"profile": client, "kind": "view", "doc_id": seen})
    first = http.get("/api/v1/feed", params={"profile": client, "size": 6}).json()
    second = http.get(
        "/api/v1/feed", params={"profile": client, "size": 6, "cursor": first["next_cursor"]}
    ).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert seen not in ids and len(ids) == len(set(ids)) == 12
    http.delete(f"/api/v1/profiles/{client}")
