"""Each deliberately bad page of the local site, crawled for real: what happens to it."""

from __future__ import annotations

import sqlalchemy as sa

from crawler.localsite.site import GBK_ARTICLE, BadMaterial
from indexer.catalog.tables import documents
from tests.catalog_db import data_dir_env
from tests.crawler.conftest import DOWNLOAD_TIMEOUT, Crawled, open_catalog


def _by_url(rows: list[dict], path: str) -> list[dict]:
    return [r for r in rows if r["url"].endswith(path)]


def _docs(crawled: Crawled, source: str) -> list[dict]:
    catalog = open_catalog(crawled.data_dir)
    try:
        with catalog.engine.connect() as conn:
            ids = list(
                conn.execute(
                    sa.select(documents.c.id)
                    .where(documents.c.source == source)
                    .order_by(documents.c.id)
                ).scalars()
            )
        return catalog.get_many(ids)
    finally:
        catalog.close()


def test_gbk_page_is_decoded_and_stored_without_mojibake(crawled: Crawled) -> None:
    title, day, author, paragraphs = GBK_ARTICLE
    docs = [d for d in _docs(crawled, "pufa_articles") if d["url"].endswith(BadMaterial.GBK)]
    assert len(docs) == 1
    assert docs[0]["title"] == title
    assert docs[0]["published_at"] == day.isoformat()
    assert docs[0]["author"] == author
    assert paragraphs[0] in docs[0]["body"]


def test_truncated_html_is_quarantined(crawled: Crawled) -> None:
    rows = _by_url(crawled.quarantine("pufa_articles"), BadMaterial.TRUNCATED)
    assert [(r["stage"], r["reason"]) for r in rows] == [
        ("validate", "truncated HTML: the page ends before </html>")
    ]


def test_non_html_response_is_quarantined(crawled: Crawled) -> None:
    rows = _by_url(crawled.quarantine("pufa_articles"), BadMaterial.PDF)
    assert len(rows) == 1 and "application/pdf" in rows[0]["reason"]


def test_redirect_loop_fails_once_without_hanging(crawled: Crawled) -> None:
    rows = _by_url(crawled.quarantine("pufa_articles"), BadMaterial.LOOP)
    assert len(rows) == 1 and rows[0]["stage"] == "fetch"
    assert "redirect loop" in rows[0]["reason"]
    assert crawled.hits[BadMaterial.LOOP] <= 2 and crawled.hits[BadMaterial.LOOP_B] <= 2


def test_oversized_page_is_not_downloaded(crawled: Crawled) -> None:
    rows = _by_url(crawled.quarantine("pufa_articles"), BadMaterial.OVERSIZED)
    assert len(rows) == 1 and "max size" in rows[0]["reason"]
    titles = {d["title"] for d in _docs(crawled, "pufa_articles")}
    assert not any("年报" in t for t in titles)


def test_robots_txt_is_obeyed(crawled: Crawled) -> None:
    assert BadMaterial.PRIVATE not in crawled.hits
    assert crawled.hits["/robots.txt"] >= 1


def test_same_content_under_two_urls_is_one_document(crawled: Crawled) -> None:
    first = next(iter(crawled.site.articles))
    docs = [d for d in _docs(crawled, "pufa_articles") if first.rsplit("/", 1)[1] in d["url"]]
    assert len(docs) == 1 and "/mirror/" not in docs[0]["url"]
    assert crawled.runs["pufa_articles"]["duplicates"] == 1  # the mirror
    # The tracking-parameter variant is the same page: never fetched separately.
    assert crawled.hits[f"/dongyang{first}"] == 1


def test_page_missing_required_field_is_quarantined_naming_it(crawled: Crawled) -> None:
    rows = _by_url(crawled.quarantine("legal_services"), BadMaterial.MISSING_NAME)
    assert [r["reason"] for r in rows] == ["required field missing: title"]
    assert rows[0]["payload"]["fields"]["kind"] == "mediation"  # the rest is kept for review
    rows = _by_url(crawled.quarantine("court_cases"), BadMaterial.CASE_MISSING_TITLE)
    assert [r["reason"] for r in rows] == ["required field missing: title"]


def test_transient_500_is_retried_and_stored(crawled: Crawled) -> None:
    assert crawled.hits[BadMaterial.FLAKY] == 3  # 500, 500, 200
    assert [d for d in _docs(crawled, "legal_services") if d["url"].endswith(BadMaterial.FLAKY)]
    assert not _by_url(crawled.quarantine("legal_services"), BadMaterial.FLAKY)


def test_permanent_500_fails_after_retries(crawled: Crawled) -> None:
    assert crawled.hits[BadMaterial.BROKEN] == 3  # first try + RETRY_TIMES=2
    rows = _by_url(crawled.quarantine("legal_services"), BadMaterial.BROKEN)
    assert [(r["stage"], r["reason"]) for r in rows] == [("fetch", "HttpError: HTTP 500")]


def test_timeout_fails_the_page_not_the_run(crawled: Crawled) -> None:
    rows = _by_url(crawled.quarantine("videos"), BadMaterial.SLOW)
    assert len(rows) == 1 and f"took longer than {DOWNLOAD_TIMEOUT} seconds" in rows[0]["reason"]
    run = crawled.runs["videos"]
    assert run["status"] == "finished" and run["failed"] == 1
    assert run["new"] == len(crawled.site.videos)


def test_run_counts_add_up(crawled: Crawled) -> None:
    run = crawled.runs["pufa_articles"]
    # 37 sample articles + the GBK page stored; truncated + PDF quarantined; loop + big failed.
    assert (run["new"], run["quarantined"], run["failed"], run["duplicates"]) == (
        len(crawled.site.articles) + 1,
        2,
        2,
        1,
    )


def test_cli_lists_runs_and_quarantine(crawled: Crawled) -> None:
    import os
    import subprocess
    import sys

    from tests.crawler.conftest import runs_json

    listed = {r["id"]: r for r in runs_json(crawled.data_dir)}
    first = {source: listed[run["id"]] for source, run in crawled.runs.items()}
    assert first["pufa_articles"]["quarantined"] == 2
    out = subprocess.run(
        [sys.executable, "-m", "fasou", "crawl", "quarantine", "--source", "pufa_articles"],
        env=os.environ | data_dir_env(crawled.data_dir),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "truncated HTML: the page ends before </html>" in out
    assert BadMaterial.TRUNCATED in out
