"""One crawl run of one source: lease, run record, Scrapy process, finish.

Runs in its own process (Twisted's reactor starts once per process): ``fasou
crawl run SOURCE`` calls ``run_crawl``; the scheduler starts that command.
The lease ``crawl:<source>`` keeps two runs of a source from overlapping,
across processes and hosts; a run killed before it finished is resumed by the
next run of its source (same run record, same JOBDIR).
"""

from __future__ import annotations

import gc
import logging
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler import settings as crawler_settings
from crawler.config import SourceConfig, load_source
from crawler.context import CrawlContext
from crawler.spiders.court_cases import CourtCasesSpider
from crawler.spiders.flk import FlkSpider
from crawler.spiders.legal_services import LegalServicesSpider
from crawler.spiders.pufa_articles import PufaArticlesSpider
from crawler.spiders.videos import VideosSpider
from fasou.config import Settings
from indexer.catalog import Catalog
from indexer.catalog.leases import HeldLease, LeaseBusy, Leases

log = logging.getLogger(__name__)

SPIDERS = {
    cls.name: cls
    for cls in (FlkSpider, CourtCasesSpider, VideosSpider, LegalServicesSpider, PufaArticlesSpider)
}

__all__ = ["SPIDERS", "CrawlResult", "LeaseBusy", "lease_name", "run_crawls", "scrapy_settings"]


#: Above "cmdline": a crawl's own JOBDIR must survive the process-wide settings merge.
JOBDIR_PRIORITY = 50


def lease_name(source: str) -> str:
    return f"crawl:{source}"


@dataclass
class CrawlResult:
    run: dict[str, Any]
    resumed: bool
    reason: str


def scrapy_settings(settings: Settings, config: SourceConfig) -> ScrapySettings:
    result = ScrapySettings()
    result.setmodule(crawler_settings, priority="project")
    if config.local:
        result.setdict(crawler_settings.LOCAL_SITE, priority="project")
    result.setdict(
        {
            "DOWNLOAD_TIMEOUT": settings.crawl_download_timeout,
            "RETRY_TIMES": settings.crawl_retry_times,
            "LOG_LEVEL": settings.crawl_log_level,
            # The CLI configured logging (WARNING, INFO with -v): Scrapy logs through it.
            "LOG_INSTALL_ROOT_HANDLER": False,
        },
        priority="cmdline",
    )
    if settings.crawl_concurrency:
        result.set("CONCURRENT_REQUESTS_PER_DOMAIN", settings.crawl_concurrency, "cmdline")
        result.set("AUTOTHROTTLE_TARGET_CONCURRENCY", float(settings.crawl_concurrency), "cmdline")
    return result


def run_crawls(sources: list[str], settings: Settings) -> list[CrawlResult]:
    """Crawl each of ``sources`` into the catalog, concurrently in this one process.

    Raises ``LeaseBusy`` (before crawling anything) if one of them is running elsewhere.
    """
    configs = [load_source(source, settings.crawl_site_url) for source in sources]
    catalog = Catalog.open(settings.catalog_url)
    try:
        with ExitStack() as stack:
            leases = [
                stack.enter_context(
                    HeldLease(Leases(catalog), lease_name(c.name), settings.crawl_lease_ttl)
                )
                for c in configs
            ]
            process = CrawlerProcess(scrapy_settings(settings, configs[0]))
            quiet_scrapy_loggers(settings.crawl_log_level)
            started = []
            for config in configs:
                context = CrawlContext.open(
                    catalog, config.name, batch_docs=settings.crawl_batch_docs
                )
                jobdir = settings.crawl_dir / "jobs" / config.name / f"run-{context.run_id}"
                if not context.resumed and jobdir.exists():
                    shutil.rmtree(jobdir)
                discard_unclean_queue(jobdir)
                crawler = process.create_crawler(SPIDERS[config.name])
                crawler.settings.set("JOBDIR", str(jobdir), priority=JOBDIR_PRIORITY)
                process.crawl(crawler, config=config, context=context)
                started.append((crawler, context, jobdir))
            with crawl_gc():
                process.start()
            return [
                _finish(crawler, context, jobdir, lease)
                for (crawler, context, jobdir), lease in zip(started, leases, strict=True)
            ]
    finally:
        catalog.close()


#: Collector thresholds while crawling (CPython's default: 700, 10, 10).
CRAWL_GC_THRESHOLDS = (50_000, 20, 10)


@contextmanager
def crawl_gc() -> Iterator[None]:
    """Garbage collection sized for a crawl, restored afterwards.

    A crawl allocates millions of short-lived objects (documents, rows, requests) and
    almost no cycles; with the default thresholds the collector ran ~2,000 times per
    full crawl, and each of its full passes walked every module, class and function
    imported at start-up: a sixth of the crawl's CPU. Start-up objects are moved out
    of the collector's sight (``gc.freeze``) and collections run 70× less often;
    cyclic garbage (Twisted failures, say) is still collected, in larger batches.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*CRAWL_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def quiet_scrapy_loggers(level: str) -> None:
    """Make ``FASOU_CRAWL_LOG_LEVEL`` hold for Scrapy's own loggers.

    Scrapy sets its ``scrapy`` logger to DEBUG and relies on its root handler's level;
    we log through the CLI's handler instead (``LOG_INSTALL_ROOT_HANDLER`` off), which
    would then print — and format — a "Crawled"/"Scraped" line for every page and item.
    """
    logging.getLogger("scrapy").setLevel(level.upper())


def discard_unclean_queue(jobdir: Path) -> None:
    """Drop a request queue that a killed process left behind.

    Scrapy's disk queue records where it stands only when the crawl closes cleanly
    (``active.json``); after SIGKILL it would hand out stale requests and lose new
    ones. Nothing is lost by dropping it: the resumed run re-fetches the listings
    and the ledger says which pages are already stored.
    """
    queue = jobdir / "requests.queue"
    if queue.exists() and not (queue / "active.json").exists():
        log.warning("discarding the request queue of a killed run: %s", queue)
        shutil.rmtree(queue)


def _finish(crawler: Any, context: CrawlContext, jobdir: Path, lease: HeldLease) -> CrawlResult:
    reason = (crawler.stats.get_value("finish_reason") if crawler.stats else None) or "?"
    context.writer.close()
    if lease.lost.is_set():
        context.ledger.finish_run(context.run_id, "failed", "lease lost during the run")
    elif reason == "finished":
        context.ledger.finish_run(context.run_id, "finished")
        shutil.rmtree(jobdir, ignore_errors=True)
    else:
        # Interrupted (Ctrl-C, shutdown): stays resumable by the next run.
        context.ledger.finish_run(context.run_id, "interrupted", reason)
    return CrawlResult(context.ledger.run(context.run_id) or {}, context.resumed, reason)
