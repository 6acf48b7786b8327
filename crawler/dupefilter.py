"""Duplicate-request filter by canonical page key, kept in memory only.

Content pages are filtered by their ledger key (canonical URL without tracking
parameters), so ``/art/1.html?from=index`` is not fetched beside ``/art/1.html``.
It deliberately keeps no seen-file in JOBDIR: after SIGKILL such a file can name
requests that the disk queue lost, which would lose those pages for good. A
resumed run instead re-discovers everything from the listing pages, and
``SkipSettledMiddleware`` skips what the ledger says the run already stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.dupefilters import BaseDupeFilter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class CanonicalDupeFilter(BaseDupeFilter):
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.fingerprints: set[bytes] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalDupeFilter:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        key = request.meta.get("page_key")
        # Content pages by canonical key; other requests — and the hops of a redirect,
        # which carry their origin's key — by Scrapy's request fingerprint.
        if key and not request.meta.get("redirect_urls"):
            fingerprint = key.encode()
        else:
            fingerprint = self.crawler.request_fingerprinter.fingerprint(request)
        if fingerprint in self.fingerprints:
            return True
        self.fingerprints.add(fingerprint)
        return False
