"""Every saved page yields exactly the requests and items its .expected.json lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.crawler.golden import PAGES, cases, run_case

SOURCES = ("flk", "court_cases", "videos", "legal_services", "pufa_articles")


@pytest.mark.parametrize("expected_path", cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_page(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    produced = run_case(expected_path)
    assert produced["requests"] == expected["requests"]
    assert produced["items"] == expected["items"]


@pytest.mark.parametrize("source", SOURCES)
def test_every_spider_has_list_and_detail_golden_pages(source: str) -> None:
    callbacks = {
        json.loads(p.read_text(encoding="utf-8"))["callback"]
        for p in (PAGES / source).glob("*.expected.json")
    }
    assert "parse_list" in callbacks
    assert callbacks & {"parse_detail", "on_detail", "parse_body_file"}
    documents = [
        item
        for p in (PAGES / source).glob("*.expected.json")
        for item in json.loads(p.read_text(encoding="utf-8"))["items"]
        if "documents" in item
    ]
    assert documents, f"{source}: no golden page yields a document"
