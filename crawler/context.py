"""What one crawl run shares between its spider, middlewares and pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.writer import CrawlWriter
from indexer.catalog import Catalog
from indexer.catalog.crawls import CrawlLedger, PageState


@dataclass
class CrawlContext:
    catalog: Catalog
    ledger: CrawlLedger
    source: str
    run_id: int
    resumed: bool
    pages: dict[str, PageState]  # the source's ledger as the run started
    writer: CrawlWriter
    known_titles: frozenset[str] = frozenset()
    #: Pages this run already settled before it was killed (skipped on resume).
    done: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, catalog: Catalog, source: str, *, batch_docs: int = 2000) -> CrawlContext:
        """Start the source's run, or resume its unfinished one (caller holds the lease)."""
        ledger = CrawlLedger(catalog)
        run_id, resumed = ledger.start_run(source)
        pages = ledger.pages(source)
        done = {key for key, page in pages.items() if page.run_id == run_id} if resumed else set()
        writer = CrawlWriter(ledger, source, run_id, pages, batch_docs=batch_docs)
        return cls(
            catalog=catalog,
            ledger=ledger,
            source=source,
            run_id=run_id,
            resumed=resumed,
            pages=pages,
            writer=writer,
            known_titles=catalog.law_titles(),
            done=done,
        )


class CrawlerAware:
    """Gives a component the running crawl's spider (and so its ``CrawlContext``)."""

    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        component = cls()
        component.crawler = crawler
        return component

    @property
    def context(self) -> Any:
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "context", None)
