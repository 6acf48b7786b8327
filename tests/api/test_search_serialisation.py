"""The search route writes its answers itself (``schemas.search_response_json``) instead of
through FastAPI's response-model pass; these tests hold it to exactly what that pass
produced: the bytes pydantic would write for ``SearchResponse``."""

from __future__ import annotations

import httpx
import orjson
import pytest
from pydantic import BaseModel, ConfigDict

from search_api.schemas import SearchResponse, conform, search_response_json

LIVE_CASES = [
    {"q": "老板拖欠工资怎么办"},
    {"q": "离婚孩子归谁", "explain": "true"},
    {"q": "普法视频 养老诈骗", "type": "video"},
    {"q": "法律援助", "type": "service", "near": "吴宁街道"},
    {"q": "借钱不还", "related": "true", "size": "5"},
    {"q": "zzzzqqq"},
]


@pytest.mark.parametrize("params", LIVE_CASES, ids=[c["q"] for c in LIVE_CASES])
def test_served_bytes_are_what_the_response_model_writes(
    http: httpx.Client, params: dict[str, str]
) -> None:
    response = http.get("/api/v1/search", params=params, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    served = response.content
    assert served == SearchResponse.model_validate_json(served).model_dump_json().encode()


class Inner(BaseModel):
    a: int
    b: str | None = None


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")

    first: str
    items: list[Inner] = []
    one: Inner | None = None
    many: list[Inner] | None = None
    tags: list[str] = []
    last: float = 0.5


@pytest.mark.parametrize(
    "data",
    [
        {"first": "x"},
        {"extra": 1, "first": "x", "items": [{"a": 1}, {"b": "y", "a": 2}]},
        {"last": 2.0, "one": {"a": 3}, "many": None, "first": "甲", "z": {"k": [1, 2]}},
        {"first": "x", "many": [{"a": 4, "b": None}], "one": None, "tags": ["t"]},
    ],
)
def test_conform_matches_pydantic_order_defaults_and_nesting(data: dict) -> None:
    expected = Loose.model_validate(data).model_dump_json().encode()
    assert orjson.dumps(conform(Loose, data)) == expected


def test_a_missing_required_field_fails_loudly() -> None:
    with pytest.raises(ValueError, match=r"Loose\.first"):
        conform(Loose, {"items": []})
    with pytest.raises(ValueError, match="SearchResponse"):
        search_response_json({"query": "q"})
