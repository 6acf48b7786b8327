"""Golden pages: saved responses and the items each must yield, juriscraper-style.

Each ``pages/<source>/<name>.<ext>`` has a ``<name>.expected.json`` naming the URL,
the spider callback and what it must produce: follow-up requests, and items run
through the transforming pipelines (clean → extract → validate) as documents, or
the problem that sends the item to quarantine. One generic test runs them all.

Regenerate after a deliberate change, then review the diff of the .expected.json
files by eye:  python -m tests.crawler.golden
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.utils.misc import load_object

from crawler.config import load_source
from crawler.items import PageFailed, PageItem, PageNotModified
from crawler.pipelines import TRANSFORMS
from crawler.runner import SPIDERS

PAGES = Path(__file__).resolve().parent / "pages"
#: The local source site's address as recorded in the saved pages' URLs.
SITE = "http://127.0.0.1:8800"


def cases() -> list[Path]:
    return sorted(PAGES.glob("*/*.expected.json"))


def page_file(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    return next(
        p
        for p in expected.parent.glob(f"{stem}.*")
        if not p.name.endswith(".json") or p.name == f"{stem}.json"
    )


def response_for(case: dict[str, Any], body: bytes) -> scrapy.http.Response:
    headers = Headers({"Content-Type": case["content_type"], **case.get("headers", {})})
    request = scrapy.Request(
        case["url"],
        method=case.get("method", "GET"),
        body=case.get("body", ""),
        meta=dict(case.get("meta", {})),
    )
    cls = responsetypes.from_args(headers=headers, url=case["url"], body=body)
    return cls(
        url=case["url"], status=case.get("status", 200), headers=headers, body=body, request=request
    )


def transform(item: PageItem) -> dict[str, Any]:
    pipelines = [load_object(path)() for path in TRANSFORMS]
    for pipeline in pipelines:
        item = pipeline.process_item(item)
    if item.problem:
        return {"problem": item.problem}
    return {"documents": [_record(doc.to_record()) for doc in item.documents]}


def _record(record: dict[str, Any]) -> dict[str, Any]:
    record.pop("fetched_at", None)
    record.pop("content_hash", None)
    return record


def run_case(expected_path: Path) -> dict[str, Any]:
    """What the spider produces today for the saved page (same shape as .expected.json)."""
    case = json.loads(expected_path.read_text(encoding="utf-8"))
    body = page_file(expected_path).read_bytes()
    spider = SPIDERS[case["source"]](config=load_source(case["source"], SITE))
    response = response_for(case, body)
    callback = getattr(spider, case["callback"])
    produced: dict[str, Any] = {"requests": [], "items": []}
    for output in callback(response, **case.get("cb_kwargs", {})) or []:
        if isinstance(output, scrapy.Request):
            produced["requests"].append(
                {
                    "method": output.method,
                    "url": output.url,
                    "body": output.body.decode("utf-8"),
                    "callback": getattr(output.callback, "__name__", None),
                }
            )
        elif isinstance(output, PageItem):
            produced["items"].append(transform(output))
        elif isinstance(output, (PageNotModified, PageFailed)):
            produced["items"].append({"kind": type(output).__name__, "url": output.url})
    return produced


def _save(
    source: str, name: str, url: str, callback: str, response: Any, ext: str, **extra: Any
) -> None:
    folder = PAGES / source
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.{ext}").write_bytes(response.content)
    case = {
        "source": source,
        "url": url,
        "callback": callback,
        "content_type": response.headers.get("content-type", ""),
        **extra,
    }
    path = folder / f"{name}.expected.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    case.update(run_case(path))
    path.write_text(json.dumps(case, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def regenerate() -> None:  # pragma: no cover - a maintenance tool
    import httpx

    from crawler.localsite import pages
    from crawler.localsite.corpus import SiteData
    from crawler.localsite.server import SiteServer
    from crawler.localsite.site import BadMaterial, SourceSite

    data = SiteData.build(
        law_titles=["中华人民共和国烟叶税法", "中华人民共和国外国中央银行财产司法强制措施豁免法"]
    )
    site = SourceSite(data)
    with SiteServer(site, port=8800) as server, httpx.Client(base_url=server.url) as http:

        def get(path: str, **kw: Any) -> httpx.Response:
            return http.get(path, **kw)

        _save(
            "flk",
            "list",
            f"{SITE}/flk/api/?type=flfg&page=1&size=100",
            "parse_list",
            get("/flk/api/?type=flfg&page=1&size=100"),
            "json",
            cb_kwargs={"page": 1},
        )
        for law in data.laws:
            detail = http.post("/flk/api/detail", data={"id": law.id})
            key = f"POST {SITE}/flk/api/detail id={law.id}"
            _save(
                "flk",
                f"detail-{law.id[:8]}",
                f"{SITE}/flk/api/detail",
                "parse_detail",
                detail,
                "json",
                method="POST",
                body=f"id={law.id}",
                meta={"page_key": key},
            )
            fields = json.loads((PAGES / "flk" / f"detail-{law.id[:8]}.expected.json").read_text())[
                "requests"
            ]
            assert fields
            kind = "WORD" if law.docx else "HTML"
            ext = "docx" if law.docx else "html"
            spider = SPIDERS["flk"](config=load_source("flk", SITE))
            resp = response_for(
                {
                    "url": f"{SITE}/flk/api/detail",
                    "method": "POST",
                    "content_type": "application/json",
                    "meta": {"page_key": key},
                },
                detail.content,
            )
            follow = next(iter(spider.parse_detail(resp)))
            _save(
                "flk",
                f"body-{law.id[:8]}",
                follow.url,
                "parse_body_file",
                get(follow.url.removeprefix(SITE)),
                ext,
                cb_kwargs={"fields": follow.cb_kwargs["fields"], "kind": kind},
                meta={"item_key": key},
            )
        _save(
            "court_cases",
            "list",
            f"{SITE}/court/shenpan/gengduo/77.html?page=1",
            "parse_list",
            get("/court/shenpan/gengduo/77.html?page=1"),
            "html",
            cb_kwargs={"page": 1},
        )
        for case in data.cases[:2]:
            path = f"/court{pages.case_path(case)}"
            _save(
                "court_cases",
                f"case-{case.id[:8]}",
                f"{SITE}{path}",
                "parse_detail",
                get(path),
                "html",
            )
        _save(
            "court_cases",
            "missing-title",
            f"{SITE}{BadMaterial.CASE_MISSING_TITLE}",
            "parse_detail",
            get(BadMaterial.CASE_MISSING_TITLE),
            "html",
        )
        _save(
            "videos",
            "list",
            f"{SITE}/tingshen/api/video/list?pageSize=20&pageNum=1",
            "parse_list",
            get("/tingshen/api/video/list?pageSize=20&pageNum=1"),
            "json",
            cb_kwargs={"page": 1},
        )
        for video in (data.videos[0], data.videos[-1]):
            path = f"/tingshen/live/{pages.video_id(video)}"
            _save(
                "videos",
                f"video-{pages.video_id(video)[:8]}",
                f"{SITE}{path}",
                "parse_detail",
                get(path),
                "html",
            )
        _save(
            "legal_services",
            "list",
            f"{SITE}/12348/fwjg/list.html?page=1",
            "parse_list",
            get("/12348/fwjg/list.html?page=1"),
            "html",
            cb_kwargs={"page": 1},
        )
        for service in (data.services[0], data.services[5]):
            path = f"/12348/fwjg/detail/{pages.service_id(service)}.html"
            _save(
                "legal_services",
                f"service-{pages.service_id(service)[:8]}",
                f"{SITE}{path}",
                "parse_detail",
                get(path),
                "html",
            )
        _save(
            "legal_services",
            "missing-name",
            f"{SITE}{BadMaterial.MISSING_NAME}",
            "parse_detail",
            get(BadMaterial.MISSING_NAME),
            "html",
        )
        _save(
            "pufa_articles",
            "list",
            f"{SITE}/dongyang/col/col1229512011/index.html?pageNum=1",
            "parse_list",
            get("/dongyang/col/col1229512011/index.html?pageNum=1"),
            "html",
            cb_kwargs={"page": 1},
        )
        article = data.articles[1]
        path = f"/dongyang{pages.article_path(article)}"
        _save("pufa_articles", "article", f"{SITE}{path}", "on_detail", get(path), "html")
        for name, path in (
            ("gbk", BadMaterial.GBK),
            ("truncated", BadMaterial.TRUNCATED),
            ("notice", BadMaterial.PDF),
        ):
            ext = "pdf" if name == "notice" else "html"
            _save("pufa_articles", name, f"{SITE}{path}", "on_detail", get(path), ext)


if __name__ == "__main__":  # pragma: no cover
    regenerate()
