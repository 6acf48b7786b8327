"""Crawl the local site into a fresh catalog, search it over HTTP, recrawl incrementally.

One scenario in order (a module of dependent steps): first crawl → search finds
every type → second crawl changes nothing → one changed page changes exactly one
document → an editor's tag survived all of it.
"""

from __future__ import annotations

import time

import httpx
import pytest
import sqlalchemy as sa

from crawler.localsite import pages
from indexer.catalog.crawls import CrawlLedger
from indexer.catalog.tables import documents
from indexer.models import statute_article_id
from tests.conftest import LiveServer, make_settings
from tests.crawler.conftest import SOURCES, Crawled, crawl, open_catalog

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def api(crawled: Crawled):  # type: ignore[no-untyped-def]
    with LiveServer(make_settings(crawled.data_dir)) as server:
        wait_until_indexed(server)
        yield server


def wait_until_indexed(server: LiveServer, timeout: float = 60) -> None:
    """The API's IndexWorker is the single index writer; wait until it caught up."""
    runtime = server.runtime
    deadline = time.monotonic() + timeout
    while runtime.backend.applied_rev() < runtime.catalog.max_rev():
        assert time.monotonic() < deadline, runtime.worker.last_error
        runtime.worker.poke()
        time.sleep(0.1)


def search(server: LiveServer, q: str, **params: str) -> dict:
    response = httpx.get(f"{server.base_url}/api/v1/search", params={"q": q, **params}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def document(server: LiveServer, doc_id: str) -> dict:
    response = httpx.get(f"{server.base_url}/api/v1/documents/{doc_id}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def latest_runs(crawled: Crawled) -> dict[str, dict]:
    catalog = open_catalog(crawled.data_dir)
    try:
        ledger = CrawlLedger(catalog)
        return {source: ledger.runs(source, 1)[0] for source in SOURCES}
    finally:
        catalog.close()


EDITOR_TAG = ("audience", "migrant_workers")


def test_first_crawl_is_searchable(crawled: Crawled, api: LiveServer) -> None:
    for source, run in crawled.runs.items():
        assert run["status"] == "finished" and run["new"] > 0, (source, run)
    statute = search(api, "加班 工资报酬", type="statute_article")
    assert statute["hits"] and statute["hits"][0]["source"] == "flk"
    assert any(h["law_title"] == "中华人民共和国劳动法" for h in statute["hits"])
    services = search(api, "法律援助", type="service", region="东阳市")
    assert any(h["source"] == "legal_services" for h in services["hits"])
    videos = search(api, "讨薪", type="video")
    assert any(h["source"] == "videos" for h in videos["hits"])
    articles = search(api, "保健品 骗局", type="article")
    assert any(h["source"] == "pufa_articles" for h in articles["hits"])


def test_crawled_case_cites_resolved_articles_and_they_list_it(
    crawled: Crawled, api: LiveServer
) -> None:
    hits = search(api, "加班费 物流公司", type="case")["hits"]
    case = document(api, next(h["id"] for h in hits if h["title"] == "张某诉某物流公司劳动争议案"))
    article_id = statute_article_id("中华人民共和国劳动法", 44)
    cited = {c["article_id"]: c for c in case["cites"]}
    assert cited[article_id]["law_title"] == "中华人民共和国劳动法"
    assert cited[article_id]["article_no"] == "第四十四条"
    article = document(api, article_id)  # crawled from flk: the citation resolves to it
    assert article["source"] == "flk" and article["article_no"] == "第四十四条"
    assert case["id"] in article["cited_by"]


def test_editor_tags_a_crawled_document(crawled: Crawled, api: LiveServer) -> None:
    case_id = _case_id(crawled)
    assert api.runtime.catalog.set_tags(case_id, EDITOR_TAG[0], add=[EDITOR_TAG[1]], editor="ed")
    api.runtime.worker.poke()
    wait_until_indexed(api)
    hits = search(api, "加班费 物流公司", type="case", audience=EDITOR_TAG[1])["hits"]
    assert case_id in [h["id"] for h in hits]


def test_second_crawl_with_nothing_changed_changes_nothing(
    crawled: Crawled, api: LiveServer
) -> None:
    rev = api.runtime.catalog.max_rev()
    done = crawl(crawled.data_dir, crawled.server.url, *SOURCES)
    assert done.returncode == 0, done.stdout + done.stderr
    runs = latest_runs(crawled)
    for source, run in runs.items():
        assert run["id"] != crawled.runs[source]["id"]
        assert (run["new"], run["changed"]) == (0, 0), (source, run)
        assert run["not_modified"] > 0 and run["unchanged"] > 0, (source, run)
    # Every stored page cost one 304: flk's body files were not fetched again.
    assert runs["flk"]["unchanged"] == crawled.runs["flk"]["new"]
    assert api.runtime.catalog.max_rev() == rev  # nothing for the index to do
    assert _tags(api, _case_id(crawled)) == [EDITOR_TAG[1]]


def test_changing_one_page_changes_exactly_one_document(crawled: Crawled, api: LiveServer) -> None:
    case = next(c for c in crawled.site.data.cases if c.title == "张某诉某物流公司劳动争议案")
    crawled.site.revise(f"/court{pages.case_path(case)}")
    rev = api.runtime.catalog.max_rev()
    done = crawl(crawled.data_dir, crawled.server.url, "court_cases")
    assert done.returncode == 0, done.stdout + done.stderr
    run = latest_runs(crawled)["court_cases"]
    assert (run["new"], run["changed"]) == (0, 1)
    assert [c["id"] for c in api.runtime.catalog.changes_since(rev)] == [_case_id(crawled)]
    wait_until_indexed(api)
    record = document(api, _case_id(crawled))
    assert "编者按" in record["body"]
    assert record["audiences"] == [EDITOR_TAG[1]]  # the editor's tag survived the change
    hits = search(api, "编者按 物流公司", type="case", audience=EDITOR_TAG[1])["hits"]
    assert _case_id(crawled) in [h["id"] for h in hits]


def test_admin_crawls_endpoint_lists_runs(crawled: Crawled, api: LiveServer) -> None:
    url = f"{api.base_url}/api/v1/admin/crawls"
    assert httpx.get(url).status_code == 401  # operators only
    accounts = api.runtime.accounts
    if not any(u["username"] == "crawl-admin" for u in accounts.list_users()):
        accounts.create_user("crawl-admin", "correct horse battery staple", "admin")
    token = httpx.post(
        f"{api.base_url}/api/v1/auth/token",
        data={"username": "crawl-admin", "password": "correct horse battery staple"},
    ).json()["access_token"]
    admin = {"Authorization": f"Bearer {token}"}
    response = httpx.get(url, params={"source": "flk"}, headers=admin)
    assert response.status_code == 200
    runs = response.json()["runs"]
    assert runs and {r["source"] for r in runs} == {"flk"}
    assert runs[-1]["new"] == crawled.runs["flk"]["new"]
    bad = httpx.get(url, params={"limit": 0}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "limit"
    quarantine = httpx.get(f"{url}/quarantine", headers=admin).json()["items"]
    assert any("truncated HTML" in q["reason"] for q in quarantine)


def _case_id(crawled: Crawled) -> str:
    catalog = open_catalog(crawled.data_dir)
    try:
        with catalog.engine.connect() as conn:
            return conn.execute(
                sa.select(documents.c.id).where(
                    documents.c.type == "case", documents.c.title == "张某诉某物流公司劳动争议案"
                )
            ).scalar_one()
    finally:
        catalog.close()


def _tags(api: LiveServer, doc_id: str) -> list[str]:
    return document(api, doc_id)["audiences"]
