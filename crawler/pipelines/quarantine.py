"""Quarantine: items with a problem and pages that failed are recorded, never dropped silently."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageFailed, PageItem
from crawler.pipelines import CrawlerAware


class QuarantinePipeline(CrawlerAware):
    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageFailed):
            self.context.writer.failed(item)
            raise DropItem(f"fetch failed, recorded: {item.url}: {item.reason}")
        if isinstance(item, PageItem) and item.problem is not None:
            self.context.writer.quarantined(item)
            raise DropItem(f"quarantined: {item.url}: {item.problem}")
        return item
