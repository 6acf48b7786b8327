"""Duplicate-request filter seeded from the catalog's ledger, not from JOBDIR's seen-file.

Scrapy's JOBDIR keeps the scheduler queue and a file of request fingerprints,
both consistent only after a graceful stop: after SIGKILL the queue may miss
requests the seen-file already names, which would lose those pages for good.
Here the seen-set starts from what the ledger proves this run has *stored*
(committed with its documents), so a resumed run skips exactly those pages and
re-discovers everything else from the listing pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.dupefilters import BaseDupeFilter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class LedgerDupeFilter(BaseDupeFilter):
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.fingerprints: set[bytes] = set()
        self.resumed_skips = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LedgerDupeFilter:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        context = getattr(self.crawler.spider, "context", None)
        key = request.meta.get("page_key")
        if context is not None and key is not None and key in context.done:
            self.resumed_skips += 1
            return True
        # Content pages by canonical URL (tracking parameters dropped), others — and the hops
        # of a redirect, which carry their origin's key — as Scrapy does.
        if key and not request.meta.get("redirect_urls"):
            fingerprint = key.encode()
        else:
            fingerprint = self.crawler.request_fingerprinter.fingerprint(request)
        if fingerprint in self.fingerprints:
            return True
        self.fingerprints.add(fingerprint)
        return False

    def close(self, reason: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("fasou/resumed_skips", self.resumed_skips)
