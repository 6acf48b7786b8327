"""Store: hand valid pages (and 304s) to the run's writer; commit what is left on close."""

from __future__ import annotations

from typing import Any

from crawler.items import PageItem, PageNotModified
from crawler.pipelines import CrawlerAware


class StorePipeline(CrawlerAware):
    def process_item(self, item: Any) -> Any:
        writer = self.context.writer
        if isinstance(item, PageNotModified):
            writer.not_modified(item)
        elif isinstance(item, PageItem):
            writer.stored(item)
        return item

    def close_spider(self) -> None:
        self.context.writer.close()
