"""Item pipelines, one concern each, in the order ``crawler.settings.ITEM_PIPELINES`` gives:

clean → extract → validate → quarantine → dedup → store.

Clean, extract and validate only transform an item (golden tests run them
without a catalog); quarantine, dedup and store hand settled pages to the
run's ``CrawlWriter``, the crawl's only catalog writer.
"""

from __future__ import annotations

from typing import Any

from crawler.context import CrawlerAware
from crawler.items import PageItem

__all__ = ["TRANSFORMS", "CrawlerAware", "pending"]

#: The transforming pipelines, in order (what golden tests run).
TRANSFORMS = (
    "crawler.pipelines.clean.CleanPipeline",
    "crawler.pipelines.extract.ExtractPipeline",
    "crawler.pipelines.validate.ValidatePipeline",
)


def pending(item: Any) -> bool:
    """A page item that no earlier pipeline has found a problem with."""
    return isinstance(item, PageItem) and item.problem is None
