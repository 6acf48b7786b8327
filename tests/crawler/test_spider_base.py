"""The base spider's handling of conditional answers (shared by every source)."""

from __future__ import annotations

import scrapy
from scrapy.http import TextResponse

from crawler.config import load_source
from crawler.items import PageFailed, PageNotModified
from crawler.runner import SPIDERS

SITE = "http://127.0.0.1:8800"


def _answer(status: int, conditional: bool) -> list[object]:
    spider = SPIDERS["flk"](config=load_source("flk", SITE))
    request = spider.detail_request(
        f"{SITE}/flk/api/detail", request_cls=scrapy.FormRequest, formdata={"id": "x"}
    )
    if conditional:
        request.headers["If-None-Match"] = '"abc"'
    response = TextResponse(request.url, status=status, body=b"", request=request)
    return list(spider.on_detail(response))


def test_304_is_not_modified() -> None:
    [item] = _answer(304, conditional=True)
    assert isinstance(item, PageNotModified) and item.key == f"POST {SITE}/flk/api/detail id=x"


def test_412_to_a_conditional_post_is_not_modified() -> None:
    assert isinstance(_answer(412, conditional=True)[0], PageNotModified)


def test_412_without_our_condition_is_a_failure() -> None:
    [item] = _answer(412, conditional=False)
    assert isinstance(item, PageFailed) and "412" in item.reason


def test_a_corrupt_word_file_is_quarantined_with_its_reason() -> None:
    from crawler.items import PageItem
    from crawler.pipelines.clean import CleanPipeline

    item = PageItem(source="flk", doc_type="statute_article", url=f"{SITE}/x", key="k")
    item.docx = b"PK\x05\x06" + b"\0" * 18  # an empty zip: no Word package inside
    CleanPipeline().process_item(item)
    assert item.problem is not None and item.problem.startswith("unreadable Word file")
    assert "no package relationships" in item.problem


def test_word_file_paragraphs_come_from_the_main_document_part() -> None:
    from pathlib import Path

    from crawler.text import docx_lines

    data = (Path(__file__).parent / "pages" / "flk" / "body-5f307c31.docx").read_bytes()
    lines = docx_lines(data)
    assert lines[0] == "中华人民共和国烟叶税法"
    assert any(line.startswith("第一条") for line in lines)
