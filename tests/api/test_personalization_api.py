"""Profiles, events, personalised search and the feed over real HTTP."""

from __future__ import annotations

import itertools
import uuid

import httpx
import pytest

from fasou.config import Settings
from search_api.api.cursors import encode_cursor, request_key
from tests.api.test_search_api import error_fields

DONGYANG = "浙江省/金华市/东阳市"


def new_client() -> str:
    return f"test-{uuid.uuid4().hex[:16]}"


def test_profile_crud_and_erasure(http: httpx.Client) -> None:
    client = new_client()
    assert http.get(f"/api/v1/profiles/{client}").status_code == 404
    created = http.put(
        f"/api/v1/profiles/{client}",
        json={"age_band": "60_plus", "occupation": "retired", "region": DONGYANG},
    )
    assert created.status_code == 201
    assert created.json()["audiences"] == {"elderly": 1.0}
    updated = http.put(f"/api/v1/profiles/{client}", json={"audiences": ["farmers"]})
    assert updated.status_code == 200 and updated.json()["audiences"] == {"farmers": 1.0}

    doc = http.get("/api/v1/search", params={"q": "赡养费", "type": "article"}).json()["hits"][0]
    assert (
        http.post(
            "/api/v1/events", json={"profile": client, "kind": "useful", "doc_id": doc["id"]}
        ).status_code
        == 204
    )
    http.get("/api/v1/search", params={"q": "工资", "profile": client})
    profile = http.get(f"/api/v1/profiles/{client}").json()
    assert profile["events"] >= 1 and profile["interests"]["topics"]

    assert http.delete(f"/api/v1/profiles/{client}").status_code == 204
    assert http.get(f"/api/v1/profiles/{client}").status_code == 404
    assert http.delete(f"/api/v1/profiles/{client}").status_code == 204  # idempotent


@pytest.mark.parametrize(
    ("method", "url", "body", "field", "status"),
    [
        ("GET", "/api/v1/profiles/bad id!", None, "client_id", 422),
        ("GET", "/api/v1/profiles/short", None, "client_id", 422),
        ("PUT", "/api/v1/profiles/client-ok-001", {"audiences": ["aliens"]}, "audiences", 422),
        ("PUT", "/api/v1/profiles/client-ok-001", {"age_band": "old"}, "age_band", 422),
        ("PUT", "/api/v1/profiles/client-ok-001", {"region": "浙江省//x"}, "region", 422),
        ("PUT", "/api/v1/profiles/client-ok-001", {"nickname": "张三"}, "nickname", 422),
        (
            "POST",
            "/api/v1/events",
            {"profile": "client-ok-001", "kind": "click", "doc_id": "nope"},
            "doc_id",
            404,
        ),
        (
            "POST",
            "/api/v1/events",
            {"profile": "client-ok-001", "kind": "like", "doc_id": "x"},
            "kind",
            422,
        ),
        (
            "POST",
            "/api/v1/events",
            {"profile": "x", "kind": "click", "doc_id": "x"},
            "profile",
            422,
        ),
        ("GET", "/api/v1/search?q=工资&profile=a b", None, "profile", 422),
        ("GET", "/api/v1/feed", None, "profile", 422),
        ("GET", "/api/v1/feed?profile=client-ok-001&cursor=%%%", None, "cursor", 422),
        ("GET", "/api/v1/feed?profile=client-ok-001&size=500", None, "size", 422),
    ],
)
def test_bad_input_gets_a_clear_error(
    http: httpx.Client, method: str, url: str, body: dict | None, field: str, status: int
) -> None:
    response = http.request(method, url, json=body)
    assert response.status_code == status, response.text
    assert field in error_fields(response)


def test_search_with_a_profile_puts_their_material_first(http: httpx.Client) -> None:
    client = new_client()
    http.put(f"/api/v1/profiles/{client}", json={"age_band": "60_plus", "region": DONGYANG})
    anonymous = http.get("/api/v1/search", params={"q": "房子", "size": 5}).json()
    again = http.get("/api/v1/search", params={"q": "房子", "size": 5}).json()
    assert [h["id"] for h in anonymous["hits"]] == [h["id"] for h in again["hits"]]
    personal = http.get(
        "/api/v1/search", params={"q": "房子", "size": 5, "profile": client, "explain": "true"}
    ).json()
    assert personal["total"] == anonymous["total"]
    top = personal["hits"][0]
    assert "elderly" in top["audiences"]
    assert top["personalization"]["boosts"]["audience"] > 0
    assert "personalization" not in anonymous["hits"][0]
    http.delete(f"/api/v1/profiles/{client}")


def test_feed_is_mixed_diversified_paged_and_skips_seen_items(http: httpx.Client) -> None:
    client = new_client()
    http.put(f"/api/v1/profiles/{client}", json={"age_band": "60_plus", "region": DONGYANG})
    first = http.get("/api/v1/feed", params={"profile": client, "size": 12}).json()
    items = first["items"]
    assert len(items) == 12 and first["next_cursor"]
    assert len({i["type"] for i in items}) >= 3  # statute highlights, videos, articles, services
    for a, b in itertools.pairwise(items):
        assert not (a.get("law_title") and a.get("law_title") == b.get("law_title")), (a, b)
        for key in ("publisher", "author"):
            assert not (a.get(key) and a.get(key) == b.get(key)), (a, b)
    # Cold start from declared attributes: the head of the feed is for the elderly.
    assert sum("elderly" in i["audiences"] for i in items[:5]) >= 3
    assert all("reasons" in i for i in items)

    second = http.get(
        "/api/v1/feed", params={"profile": client, "size": 12, "cursor": first["next_cursor"]}
    ).json()
    assert not {i["id"] for i in items} & {i["id"] for i in second["items"]}

    seen = items[0]["id"]
    http.post("/api/v1/events", json={"profile": client, "kind": "view", "doc_id": seen})
    fresh = http.get("/api/v1/feed", params={"profile": client, "size": 12}).json()
    assert seen not in {i["id"] for i in fresh["items"]}
    http.delete(f"/api/v1/profiles/{client}")


def test_cursor_out_of_range_is_rejected(http: httpx.Client) -> None:
    from datetime import datetime

    cursor = encode_cursor(
        10_000, key=request_key("feed", "client-ok-001"), asof=datetime(2026, 1, 1)
    )
    response = http.get("/api/v1/feed", params={"profile": "client-ok-001", "cursor": cursor})
    assert response.status_code == 422 and error_fields(response) == ["cursor"]


def test_retention_is_configurable_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASOU_EVENT_RETENTION_DAYS", "30")
    assert Settings().event_retention_days == 30
    assert Settings.model_fields["event_retention_days"].default == 180
