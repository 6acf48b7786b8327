"""The JOBDIR request queue: memory while crawling, one file when the crawl stops."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import scrapy

from crawler.config import load_source
from crawler.queues import FILE_NAME, StoppedToDiskQueue
from crawler.runner import SPIDERS

SITE = "http://127.0.0.1:8800"


def _queue(spider: scrapy.Spider, key: Path) -> StoppedToDiskQueue:
    return StoppedToDiskQueue.from_crawler(SimpleNamespace(spider=spider), str(key))  # type: ignore[arg-type]


def test_requests_survive_a_clean_stop_in_order(tmp_path: Path) -> None:
    spider = SPIDERS["flk"](config=load_source("flk", SITE))
    key = tmp_path / "requests.queue" / "0"
    queue = _queue(spider, key)
    detail = spider.detail_request(
        f"{SITE}/flk/api/detail", request_cls=scrapy.FormRequest, formdata={"id": "a"}
    )
    body = scrapy.Request(
        f"{SITE}/flk/files/flfg/a.html",
        callback=spider.on_body_file,
        errback=spider.on_error,
        cb_kwargs={"fields": {"title": "中华人民共和国某某法"}, "kind": "HTML"},
        meta={"item_key": detail.meta["page_key"]},
    )
    queue.push(detail)
    queue.push(body)
    assert not key.exists()  # nothing written while crawling
    queue.close()
    assert (key / FILE_NAME).exists()

    resumed = _queue(SPIDERS["flk"](config=load_source("flk", SITE)), key)
    assert not (key / FILE_NAME).exists()  # handed over: a later kill cannot replay it
    assert len(resumed) == 2
    first, second = resumed.pop(), resumed.pop()
    assert resumed.pop() is None
    assert (first.method, first.body, first.meta["page_key"]) == (
        "POST",
        b"id=a",
        detail.meta["page_key"],
    )
    assert first.callback.__name__ == "on_detail" and first.errback.__name__ == "on_error"
    assert second.cb_kwargs == body.cb_kwargs and second.callback.__name__ == "on_body_file"


def test_an_emptied_queue_writes_nothing(tmp_path: Path) -> None:
    spider = SPIDERS["videos"](config=load_source("videos", SITE))
    key = tmp_path / "q"
    queue = _queue(spider, key)
    queue.push(spider.detail_request(f"{SITE}/tingshen/live/abc"))
    assert queue.peek() is not None and queue.pop() is not None
    queue.close()
    assert not key.exists()


def test_a_request_that_cannot_be_restored_is_refused(tmp_path: Path) -> None:
    """Scrapy keeps such a request in its memory queue instead (it expects ValueError)."""
    spider = SPIDERS["videos"](config=load_source("videos", SITE))
    queue = _queue(spider, tmp_path / "q")
    with pytest.raises(ValueError):
        queue.push(scrapy.Request(f"{SITE}/x", callback=lambda response: None))
    assert len(queue) == 0
