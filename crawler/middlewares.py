"""Downloader middlewares, one concern each (order in ``crawler.settings``)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.context import CrawlerAware

log = logging.getLogger(__name__)


class AlreadySettled(IgnoreRequest):
    """The page was stored by this run before it was interrupted."""


class SkipSettledMiddleware(CrawlerAware):
    """A resumed run does not fetch again what it already stored.

    The dupefilter stops such requests when they are scheduled; this catches the
    ones a cleanly paused run's JOBDIR queue hands back, which bypass the dupefilter.
    """

    def process_request(self, request: Request) -> None:
        context = self.context
        key = request.meta.get("page_key")
        if context is not None and key is not None and key in context.done:
            raise AlreadySettled(key)
        return None


class ConditionalRequestMiddleware(CrawlerAware):
    """Send the ledger's validators: an unchanged page then costs one 304."""

    def process_request(self, request: Request) -> None:
        context = self.context
        key = request.meta.get("page_key")
        if context is None or key is None:
            return None
        page = context.pages.get(key)
        if page is None:
            return None
        # Quarantined and duplicate pages are stored without validators: fetched in full.
        if page.etag:
            request.headers.setdefault("If-None-Match", page.etag)
        elif page.last_modified:
            request.headers.setdefault("If-Modified-Since", page.last_modified)
        return None


class RetryBackoffMiddleware:
    """Wait before a retry: ``RETRY_BACKOFF_BASE`` × 2^(attempt-1), capped, so a struggling
    server gets breathing room instead of an immediate second hit."""

    def __init__(self, base: float, cap: float) -> None:
        self.base, self.cap = base, cap

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryBackoffMiddleware:
        settings = crawler.settings
        return cls(settings.getfloat("RETRY_BACKOFF_BASE"), settings.getfloat("RETRY_BACKOFF_MAX"))

    async def process_request(self, request: Request) -> None:
        attempt = request.meta.get("retry_times", 0)
        if attempt and self.base > 0:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (attempt - 1)))
        return None


class RedirectLoopMiddleware:
    """Stop a redirect that returns to a URL of its own chain (reported as a failed page).

    Without this, Scrapy's dupefilter silently drops the looping request and the
    page vanishes without a trace in the run's counts.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = response.urljoin(location.decode("latin-1"))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise IgnoreRequest(f"redirect loop: {' → '.join([*chain, target])}")
        return response
