"""A crawl runs while the API serves searches and editors tag: one index writer, no errors."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from crawler.localsite.server import SiteServer
from crawler.localsite.site import SourceSite
from indexer.catalog import Catalog
from indexer.importers import samples
from tests.catalog_db import data_dir_env
from tests.conftest import LiveServer, make_settings
from tests.crawler.conftest import CRAWL_ENV, small_site_data
from tests.crawler.test_end_to_end import wait_until_indexed
from tests.index_dump import indexed_documents


def test_crawl_while_serving_and_tagging(tmp_path: Path) -> None:
    # An installation already serving content: the server's worker has built the index
    # (an index of an empty catalog is indistinguishable from none, which a crawl may build).
    catalog = Catalog.open(make_settings(tmp_path).catalog_url)
    catalog.upsert(samples.iter_samples())
    catalog.close()
    with (
        SiteServer(SourceSite(small_site_data(), bad=False, delay=0.05)) as site,
        LiveServer(make_settings(tmp_path)) as api,
        httpx.Client(base_url=api.base_url, timeout=30) as http,
    ):
        wait_until_indexed(api)
        env = (
            os.environ
            | CRAWL_ENV
            | {
                **data_dir_env(tmp_path),
                "FASOU_CRAWL_SITE_URL": site.url,
                "FASOU_CRAWL_CONCURRENCY": "4",
                "FASOU_CRAWL_BATCH_DOCS": "100",
            }
        )
        # Without --no-index: the crawl tries to update the index itself and must yield
        # to the API process's IndexWorker, which holds tantivy's single writer.
        proc = subprocess.Popen(
            [sys.executable, "-m", "fasou", "crawl", "run", "flk", "court_cases"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        catalog = api.runtime.catalog
        searches, tagged = 0, set()
        while proc.poll() is None:
            response = http.get("/api/v1/search", params={"q": "劳动者 工资"})
            assert response.status_code == 200, response.text
            searches += 1
            for hit in catalog.changes_since(0, limit=5000)[::50]:
                if hit["id"] not in tagged and not hit.get("deleted"):
                    assert catalog.set_tags(hit["id"], "topic", add=["labor"], editor="ed")
                    tagged.add(hit["id"])
            time.sleep(0.05)
        out, err = proc.communicate()
        assert proc.returncode == 0, out + err
        assert "writer held by another process" in out or "index: up to date" in out
        assert searches > 5 and len(tagged) > 5
        wait_until_indexed(api)
        body = http.get(
            "/api/v1/search", params={"q": "劳动者 工资", "type": "statute_article", "size": 50}
        ).json()
        assert body["total"] > 0 and {h["source"] for h in body["hits"]} == {"flk"}
        tagged_hits = http.get(
            "/api/v1/search", params={"q": "劳动", "topic": "labor", "size": 50}
        ).json()
        # The filter also matches automatic suggestions (and the samples' own tags);
        # on crawled documents, editorial "labor" is only ours.
        editorial = {
            h["id"] for h in tagged_hits["hits"] if "labor" in h["topics"] and h["source"] == "flk"
        }
        assert editorial <= tagged
        # Every tag written during the crawl reached the index (which of them rank in the
        # top 50 for a query depends on ranking, so the index itself is checked).
        indexed = indexed_documents(api.runtime.backend)
        live = [i for i in tagged if i in indexed or catalog.get(i) is not None]
        assert live and all("labor" in indexed[i]["record"]["topics"] for i in live)
        for doc_id in list(tagged)[:20]:
            assert "labor" in catalog.get(doc_id)["topics"]
