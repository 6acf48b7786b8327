"""A small generated source site on loopback, and crawls of it in real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crawler.localsite.corpus import SiteData
from crawler.localsite.server import SiteServer
from crawler.localsite.site import SourceSite
from indexer.catalog import Catalog
from indexer.catalog.crawls import CrawlLedger
from tests.catalog_db import catalog_url, data_dir_env

SOURCES = ("flk", "court_cases", "videos", "legal_services", "pufa_articles")
#: Laws of the small site: those the samples and sample cases cite, plus two tiny ones.
SMALL_SITE_LAWS = [
    "中华人民共和国劳动法",
    "中华人民共和国劳动合同法",
    "中华人民共和国劳动争议调解仲裁法",
    "中华人民共和国消费者权益保护法",
    "中华人民共和国法律援助法",
    "中华人民共和国烟叶税法",
]
#: Failure settings for the deliberately slow / failing pages: short, but with room for a
#: loaded machine (the site answers good pages in milliseconds when the machine is idle).
DOWNLOAD_TIMEOUT = 4.0
CRAWL_ENV = {
    "FASOU_CRAWL_DOWNLOAD_TIMEOUT": str(DOWNLOAD_TIMEOUT),
    "FASOU_CRAWL_RETRY_TIMES": "2",
    "FASOU_CRAWL_LEASE_TTL": "3",
}


def small_site_data() -> SiteData:
    return SiteData.build(law_titles=SMALL_SITE_LAWS, docx_every=3)


def crawl(
    data_dir: Path,
    site_url: str,
    *sources: str,
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """``fasou crawl run SOURCES`` in a subprocess, as the scheduler would start it."""
    full_env = (
        os.environ
        | CRAWL_ENV
        | {
            **data_dir_env(data_dir),
            "FASOU_CRAWL_SITE_URL": site_url,
        }
        | (env or {})
    )
    return subprocess.run(
        [sys.executable, "-m", "fasou", "crawl", "run", *sources, "--no-index"],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def open_catalog(data_dir: Path) -> Catalog:
    return Catalog.open(catalog_url(data_dir))


@dataclass
class Crawled:
    """The small site crawled once, source by source, into a fresh catalog."""

    data_dir: Path
    server: SiteServer
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)  # site hit counts after that crawl

    @property
    def site(self) -> SourceSite:
        return self.server.site

    def quarantine(self, source: str) -> list[dict[str, Any]]:
        catalog = open_catalog(self.data_dir)
        try:
            return CrawlLedger(catalog).quarantined(source, self.runs[source]["id"], 1000)
        finally:
            catalog.close()


@pytest.fixture(scope="session")
def site_server() -> Iterator[SiteServer]:
    with SiteServer(SourceSite(small_site_data(), slow_seconds=DOWNLOAD_TIMEOUT + 2)) as server:
        yield server


@pytest.fixture(scope="session")
def crawled(site_server: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    data_dir = tmp_path_factory.mktemp("crawled")
    result = Crawled(data_dir=data_dir, server=site_server)
    done = crawl(data_dir, site_server.url, *SOURCES)
    assert done.returncode == 0, done.stdout + done.stderr
    catalog = open_catalog(data_dir)
    for source in SOURCES:
        result.runs[source] = CrawlLedger(catalog).runs(source, 1)[0]
    catalog.close()
    result.hits = dict(site_server.site.stats()["hits"])
    return result


def runs_json(data_dir: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "fasou", "crawl", "runs", "--json"],
        env=os.environ | data_dir_env(data_dir),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)
