"""Spiders: one module per source, all with the same fixed interface (juriscraper-style).

A source spider implements exactly three things:

- ``list_request(page)`` — the request for listing page ``page`` (1-based);
- ``parse_list(response, page)`` — detail requests (via ``detail_request``) and the
  next listing request;
- ``parse_detail(response, **kwargs)`` — ``PageItem``s (or a follow-up request,
  e.g. flk's body file).

The base class owns everything around them: conditional-request bookkeeping
(``page_key`` in meta), 304 → ``PageNotModified``, non-HTML and truncated pages →
quarantine, fetch failures → ``PageFailed``, and page counting. Golden tests call
``parse_list``/``parse_detail`` on saved pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.config import SourceConfig, load_source
from crawler.items import PageFailed, PageItem, PageNotModified
from crawler.middlewares import AlreadySettled
from crawler.urls import request_key

if TYPE_CHECKING:
    from crawler.context import CrawlContext

_HTML_END = re.compile(rb"</html\s*>\s*$", re.IGNORECASE)
_TEXT_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "application/json", "text/json", "text/plain", ""}
)


class SourceSpider(scrapy.Spider):
    doc_type: ClassVar[str]
    #: 304 reaches the spider (as "not modified"), not HttpErrorMiddleware; so does 412,
    #: which RFC 9110 prescribes for a matching If-None-Match on a POST (flk's detail API).
    handle_httpstatus_list: ClassVar[list[int]] = [304, 412]

    def __init__(
        self,
        config: SourceConfig | None = None,
        context: CrawlContext | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.config = config or load_source(self.name)
        self.context = context

    # -- the fixed interface --------------------------------------------------------

    def list_request(self, page: int) -> scrapy.Request:
        raise NotImplementedError

    def parse_list(self, response: Response, page: int) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    def parse_detail(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        raise NotImplementedError

    # -- plumbing shared by every source ----------------------------------------------

    async def start(self):  # type: ignore[no-untyped-def, override]
        # Listing pages are always fetched (dont_filter): a resumed run re-discovers
        # from them whatever the killed run had queued but not stored.
        request = self.list_request(1)
        request.dont_filter = True
        yield request

    def list_url_request(self, url: str, page: int, **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.on_list, errback=self.on_error, cb_kwargs={"page": page}, **kwargs
        )

    def detail_request(
        self, url: str, *, request_cls: type[scrapy.Request] = scrapy.Request, **kwargs: Any
    ) -> scrapy.Request:
        """A request for a content page: conditional, ledgered, resumable."""
        request = request_cls(url, callback=self.on_detail, errback=self.on_error, **kwargs)
        request.meta["page_key"] = request_key(request)
        return request

    def on_list(self, response: Response, page: int) -> Iterator[Any]:
        self.count("pages")
        yield from self.parse_list(response, page)

    def on_detail(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        self.count("pages")
        key = response.meta.get("page_key") or request_key(response.request)
        conditional = response.request is not None and b"If-None-Match" in response.request.headers
        if response.status == 304 or (response.status == 412 and conditional):
            yield PageNotModified(self.name, response.url, key)
            return
        if response.status == 412:
            yield PageFailed(self.name, response.url, key, "HTTP 412 to an unconditional request")
            return
        problem = self.unusable(response)
        if problem:
            yield self.page_item(response, key=key, problem=problem)
            return
        yield from self.parse_detail(response, **kwargs)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        reason = failure.getErrorMessage() or failure.type.__name__
        if "robots.txt" in reason:  # forbidden by robots.txt: obeyed, not a failure
            self.count("robots_forbidden")
            return
        if failure.check(AlreadySettled):  # stored before a resume: nothing to do
            self.count("resumed_skips")
            return
        if response := getattr(failure.value, "response", None):
            reason = f"HTTP {response.status}"
        # A redirect chain is reported under the URL the spider asked for.
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        key = request.meta.get("page_key") or request_key(request)
        yield PageFailed(self.name, url, key, f"{failure.type.__name__}: {reason}")

    def page_item(self, response: Response, *, key: str | None = None, **values: Any) -> PageItem:
        """A ``PageItem`` for ``response`` carrying its validators for the next crawl."""
        meta = response.meta
        return PageItem(
            source=self.name,
            doc_type=self.doc_type,
            url=values.pop("url", None) or response.url,
            key=key or meta.get("page_key") or request_key(response.request),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            status=response.status,
            **values,
        )

    @staticmethod
    def unusable(response: Response) -> str | None:
        """Why a content page cannot be parsed at all (it then goes to quarantine)."""
        content_type = _header(response, "Content-Type") or ""
        mime = content_type.split(";")[0].strip().lower()
        if not isinstance(response, TextResponse) or mime not in _TEXT_TYPES:
            return f"unsupported content type {mime or 'unknown'!r}: not a page to parse"
        if "html" in content_type and not _HTML_END.search(response.body[-256:]):
            return "truncated HTML: the page ends before </html>"
        return None

    def count(self, counter: str, amount: int = 1) -> None:
        if self.context is not None:
            self.context.writer.count(counter, amount)
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(f"fasou/{counter}", amount)


class HtmlListingSpider(SourceSpider):
    """Sources whose listing is HTML pages ``<list path>?<page_param>=N`` with detail links
    and a next-page link, both found by the selectors ``links`` and ``next_page``."""

    def list_request(self, page: int) -> scrapy.Request:
        listing = self.config["list"]
        url = f"{self.config.base_url}{listing['path']}?{listing['page_param']}={page}"
        return self.list_url_request(url, page)

    def parse_list(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        for href in response.css(self.config.selector("links")).getall():
            yield self.detail_request(response.urljoin(href))
        if response.css(self.config.selector("next_page")).get():
            yield self.list_request(page + 1)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def first(values: Iterable[str | None]) -> str:
    return next((v.strip() for v in values if v and v.strip()), "")
