"""The public API over real HTTP against the starter corpus."""

from __future__ import annotations

import httpx
import pytest

from search_api.api.routes.search import SearchParams


def error_fields(response: httpx.Response) -> list[str]:
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    return [e["field"] for e in body["errors"]]


def test_plain_language_search_finds_labour_law(http: httpx.Client) -> None:
    response = http.get(
        "/api/v1/search", params={"q": "老板拖欠工资怎么办", "type": "statute_article"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] > 0 and len(body["hits"]) == 10
    laws = [h["law_title"] for h in body["hits"]]
    assert any("劳动" in law for law in laws), laws
    first = body["hits"][0]
    for key in (
        "id",
        "type",
        "title",
        "snippet",
        "score",
        "law_title",
        "article_no",
        "status",
        "level",
    ):
        assert key in first
    assert "<em>" in first["snippet"]
    assert set(body["facets"]) >= {"type", "status", "level"}
    assert "body" not in first


def test_raw_utf8_request_line_is_accepted(live_server) -> None:  # type: ignore[no-untyped-def]
    """curl sends the query unencoded; the server must accept it like a browser's request."""
    import socket

    with socket.create_connection(("127.0.0.1", live_server.port)) as sock:
        sock.sendall(
            "GET /api/v1/search?q=老板拖欠工资怎么办&size=1 HTTP/1.1\r\nHost: x\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data[:200]
    assert "拖欠".encode() in data


def test_filters_and_pagination(http: httpx.Client) -> None:
    first = http.get("/api/v1/search", params={"q": "劳动合同", "size": 5, "page": 1}).json()
    second = http.get("/api/v1/search", params={"q": "劳动合同", "size": 5, "page": 2}).json()
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    services = http.get(
        "/api/v1/search", params={"q": "法律援助", "type": "service", "region": "东阳市"}
    ).json()
    assert services["hits"] and all(h["type"] == "service" for h in services["hits"])
    repealed = http.get("/api/v1/search", params={"q": "合同", "status": "已废止"}).json()
    assert all(h["status"] == "已废止" for h in repealed["hits"])


def test_document_page(http: httpx.Client) -> None:
    hit = http.get("/api/v1/search", params={"q": "离婚 调解", "size": 1}).json()["hits"][0]
    doc = http.get(f"/api/v1/documents/{hit['id']}")
    assert doc.status_code == 200
    assert doc.json()["id"] == hit["id"] and doc.json()["body"]
    assert doc.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x", "size": 51}, "size"),
        ({"q": "x", "size": 0}, "size"),
        ({"q": "x", "page": 0}, "page"),
        ({"q": "x", "page": "abc"}, "page"),
        ({"q": "x", "type": "bogus"}, "type"),
        ({"q": "x", "status": "有效"}, "status"),
        ({"q": "x", "level": "村规"}, "level"),
        ({"q": "x", "date_from": "2024-13-01"}, "date_from"),
        ({"q": "x", "date_from": "2025-01-01", "date_to": "2024-01-01"}, "date_from"),
        ({"q": "x", "department": "部" * 51}, "department"),
        ({"q": "x", "region": ["东阳市", "区" * 101]}, "region"),
        ({"q": "x", "profile": "not a client id!"}, "profile"),
        ({"q": "x", "cursor": "c" * 201}, "cursor"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    http: httpx.Client, params: dict, field: str
) -> None:
    response = http.get("/api/v1/search", params=params)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_over_long_query_is_400(http: httpx.Client) -> None:
    response = http.get("/api/v1/search", params={"q": "长" * 201})
    assert response.status_code == 400
    assert error_fields(response) == ["q"]
    assert http.get("/api/v1/search", params={"q": "长" * 200}).status_code == 200


def test_unknown_document_is_404(http: httpx.Client) -> None:
    response = http.get("/api/v1/documents/sa-0000000000000000")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_route_is_404_in_the_same_format(http: httpx.Client) -> None:
    response = http.get("/api/v1/nope")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_health_and_openapi_and_page(http: httpx.Client) -> None:
    health = http.get("/api/v1/healthz").json()
    assert (
        health["status"] == "ok" and health["index"]["documents"] == health["catalog"]["documents"]
    )
    spec = http.get("/api/v1/openapi.json").json()
    assert "/api/v1/search" in spec["paths"] and "/api/v1/documents/{doc_id}" in spec["paths"]
    # The search parameters are read by ``query_model`` and documented by ``openapi_extra``:
    # every field of the model, once, with its constraints and enums.
    documented = {p["name"]: p for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert set(documented) == set(SearchParams.model_fields)
    assert documented["q"]["required"] is True and documented["size"]["schema"]["maximum"] == 50
    assert "video" in documented["type"]["schema"]["items"]["enum"]
    page = http.get("/")
    assert page.status_code == 200 and "法搜" in page.text
    assert "charset=utf-8" in page.headers["content-type"]
