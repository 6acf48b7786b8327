"""The local source site's routing, state and deliberately bad material.

``SourceSite.respond`` maps a request onto a ``Page`` (or a ``Behaviour`` the
server acts out: a slow answer, a redirect). State that tests need lives here:
per-path hit counts, page revisions (``revise`` changes exactly one page), and
the flaky page's failure budget.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from crawler.localsite import pages
from crawler.localsite.corpus import SiteData
from crawler.localsite.pages import HTML, Page

FLK, COURT, VIDEOS, SERVICES, PUFA = "/flk", "/court", "/tingshen", "/12348", "/dongyang"
PREFIXES = {
    "flk": FLK,
    "court_cases": COURT,
    "videos": VIDEOS,
    "legal_services": SERVICES,
    "pufa_articles": PUFA,
}


@dataclass
class Redirect:
    location: str
    status: int = 302


@dataclass
class Slow:
    seconds: float
    page: Page


class BadMaterial:
    """Paths of the broken pages, and what each is meant to test."""

    GBK = f"{PUFA}/art/2024/9/1/art_1229512011_gbk00001.html"  # charset=GBK, decoded right
    TRUNCATED = f"{PUFA}/art/2024/9/2/art_1229512011_trunc0001.html"  # no </html>: quarantine
    PDF = f"{PUFA}/art/2024/9/3/notice.pdf"  # non-HTML response: quarantine
    LOOP = f"{PUFA}/art/loop-a.html"  # redirect loop: failed, not hung
    LOOP_B = f"{PUFA}/art/loop-b.html"
    OVERSIZED = f"{PUFA}/art/2024/9/4/art_1229512011_big00001.html"  # > 5 MB: failed
    PRIVATE = f"{PUFA}/private/draft.html"  # robots.txt forbids: never fetched
    MIRROR_PREFIX = f"{PUFA}/mirror"  # same content under a second URL: one document
    TRACKING = "?from=index&spm=1.2"  # same URL plus tracking parameters: canonicalised
    MISSING_NAME = f"{SERVICES}/fwjg/detail/missing-name.html"  # required field missing
    FLAKY = f"{SERVICES}/fwjg/detail/flaky.html"  # 500 twice, then fine: retried
    BROKEN = f"{SERVICES}/fwjg/detail/broken.html"  # always 500: failed
    SLOW = f"{VIDEOS}/live/slow00000001"  # answers after the download timeout: failed
    CASE_MISSING_TITLE = f"{COURT}/shenpan/xiangqing/missing-title.html"  # quarantine


GBK_ARTICLE = (
    "农村土地承包经营权流转要签书面合同",
    date(2024, 9, 1),
    "东阳市司法局普法办",
    [
        "土地经营权流转，当事人双方应当签订书面流转合同。口头约定容易在流转期限、流转费用和"
        "土地用途上产生争议。",
        "合同一般包括双方当事人的姓名和住所、流转土地的名称、坐落、面积、质量等级、流转期限和"
        "起止日期、流转土地的用途、双方的权利和义务、流转价款及支付方式、违约责任等条款。",
        "发生纠纷的，可以向村民委员会、乡镇人民政府申请调解，也可以向农村土地承包仲裁机构申请仲裁，"
        "或者直接向人民法院起诉。",
    ],
)
TRUNCATED_ARTICLE = (
    "邻里之间因噪声发生纠纷怎么办",
    date(2024, 9, 2),
    "东阳市司法局普法办",
    ["装修、广场舞、宠物吠叫……噪声是邻里纠纷的常见原因。"] * 3,
)
OVERSIZED_ARTICLE = (
    "2024年度行政执法统计年报（附全部明细表）",
    date(2024, 9, 4),
    "东阳市司法局",
)


class SourceSite:
    """All five sources on one host; build once, serve many requests (thread-safe)."""

    def __init__(
        self,
        data: SiteData,
        *,
        bad: bool = True,
        slow_seconds: float = 8.0,
        page_size: int = 100,
        delay: float = 0.0,
    ) -> None:
        self.data = data
        self.bad = bad
        self.slow_seconds = slow_seconds
        self.page_size = page_size
        self.delay = delay  # added to every content page: a slower site for kill tests
        self.hits: Counter[str] = Counter()
        self.revisions: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str, int], Page] = {}
        self.laws = {law.id: law for law in data.laws}
        self.cases = {case.id: case for case in data.cases}
        self.videos = {pages.video_id(v): v for v in data.videos}
        self.services = {pages.service_id(s): s for s in data.services}
        self.articles = {pages.article_path(a): a for a in data.articles}

    # -- state used by tests and the control endpoint ------------------------------

    def revise(self, path: str) -> int:
        """Change one page's content (a new paragraph), so its validators change too."""
        if self._route(path.split("?")[0], {}) is None:
            raise KeyError(path)
        with self._lock:
            self.revisions[path] += 1
            return self.revisions[path]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"hits": dict(self.hits), "revisions": dict(self.revisions)}

    def detail_paths(self) -> dict[str, list[str]]:
        """The content pages of each source (what a full crawl must fetch)."""
        return {
            "flk": [f"{FLK}/api/detail?id={law_id}" for law_id in self.laws],
            "court_cases": [f"{COURT}{pages.case_path(c)}" for c in self.data.cases],
            "videos": [f"{VIDEOS}/live/{vid}" for vid in self.videos],
            "legal_services": [f"{SERVICES}/fwjg/detail/{sid}.html" for sid in self.services],
            "pufa_articles": [f"{PUFA}{path}" for path in self.articles],
        }

    # -- dispatch ----------------------------------------------------------------

    def respond(self, method: str, path: str, params: dict[str, str]) -> Page | Redirect | Slow:
        key = path
        if path == f"{FLK}/api/detail":
            key = f"{path}?id={params.get('id', '')}"
        with self._lock:
            self.hits[key] += 1
            hits = self.hits[key]
        if self.bad:
            special = self._bad(path, hits)
            if special is not None:
                return special
        route = self._route(path, params)
        if route is None:
            return Page(pages.html_page("404", "<h1>页面不存在</h1>").encode(), status=404)
        build, revision_key = route
        revision = self.revisions[revision_key] if revision_key else 0
        if revision_key is None:
            return build(0)
        cache_key = (key, revision_key, revision)
        page = self._cache.get(cache_key)
        if page is None:
            page = build(revision)
            self._cache[cache_key] = page
        return Slow(self.delay, page) if self.delay else page

    def _route(self, path: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
        """(builder(revision) → Page, revision key or None for listings) or None."""
        page = max(1, int(params.get("page") or params.get("pageNum") or 1))
        if path == "/robots.txt":
            return (lambda _r: Page(pages.ROBOTS_TXT.encode(), "text/plain; charset=utf-8")), None
        if path in (f"{FLK}/api/", f"{FLK}/api"):
            size = min(int(params.get("size") or 10), 500)
            return (lambda _r: pages.flk_list(self.data.laws, page, size)), None
        if path == f"{FLK}/api/detail":
            law = self.laws.get(params.get("id", ""))
            key = f"{FLK}/api/detail?id={params.get('id', '')}"
            return ((lambda r: pages.flk_detail(law, self._law_rev(law.id))), key) if law else None
        if path.startswith(f"{FLK}/files/flfg/"):
            law_id, _, ext = path.rsplit("/", 1)[1].partition(".")
            law = self.laws.get(law_id)
            if law is None or ext not in ("html", "docx") or (ext == "docx" and not law.docx):
                return None
            render = pages.flk_body_docx if ext == "docx" else pages.flk_body_html
            key = f"{FLK}/api/detail?id={law.id}"
            return (lambda r: render(law, r)), key
        if path == f"{COURT}/shenpan/gengduo/77.html":
            cases = list(self.data.cases)
            return (lambda _r: self._court_list(cases, page)), None
        if path.startswith(f"{COURT}/shenpan/xiangqing/"):
            case = self.cases.get(path.rsplit("/", 1)[1].removesuffix(".html"))
            return ((lambda r: pages.court_detail(case, r)), path) if case else None
        if path == f"{VIDEOS}/api/video/list":
            size = min(int(params.get("pageSize") or 20), 100)
            return (lambda _r: self._videos_list(page, size)), None
        if path.startswith(f"{VIDEOS}/live/"):
            video = self.videos.get(path.rsplit("/", 1)[1])
            return ((lambda r: pages.video_detail(VIDEOS, video, r)), path) if video else None
        if path == f"{SERVICES}/fwjg/list.html":
            return (lambda _r: pages.services_list(SERVICES, self._service_links(), page)), None
        if path.startswith(f"{SERVICES}/fwjg/detail/"):
            service = self.services.get(path.rsplit("/", 1)[1].removesuffix(".html"))
            return ((lambda r: pages.service_detail(service, r)), path) if service else None
        if path == f"{PUFA}/col/col1229512011/index.html":
            return (lambda _r: pages.articles_list(PUFA, self._article_links(), page)), None
        if path.startswith(f"{PUFA}/art/") or path.startswith(BadMaterial.MIRROR_PREFIX + "/"):
            rel = path.removeprefix(PUFA).removeprefix("/mirror")
            if rel.startswith("/art_"):  # mirror paths drop the date folders
                rel = next((p for p in self.articles if p.endswith(rel)), rel)
            article = self.articles.get(rel)
            return (
                ((lambda r: pages.article_detail(article, r)), f"{PUFA}{rel}") if article else None
            )
        return None

    def _law_rev(self, law_id: str) -> int:
        return self.revisions[f"{FLK}/api/detail?id={law_id}"]

    def _court_list(self, cases: list[Any], page: int) -> Page:
        listing = pages.court_list(COURT, cases, page)
        if self.bad and page == 1:
            extra = (
                f'<li><a href="{BadMaterial.CASE_MISSING_TITLE}" title="">（标题缺失）</a>'
                '<i class="date">2024-01-01</i></li></ul>'
            )
            listing.body = listing.body.replace(b"</ul>", extra.encode(), 1)
        return listing

    def _videos_list(self, page: int, size: int) -> Page:
        listing = pages.videos_list(VIDEOS, self.data.videos, page, size)
        if self.bad and page == 1:
            slow = (
                '{"id": "slow00000001", "title": "（加载缓慢的视频）", "courtName": "", '
                f'"publishTime": "", "detailUrl": "{BadMaterial.SLOW}"}}, '
            )
            listing.body = listing.body.replace(b'"list": [', b'"list": [' + slow.encode(), 1)
        return listing

    def _service_links(self) -> list[tuple[str, str]]:
        links = [(f"/fwjg/detail/{sid}.html", s["name"]) for sid, s in self.services.items()]
        if self.bad:
            links[2:2] = [
                (BadMaterial.MISSING_NAME.removeprefix(SERVICES), "（名称缺失）"),
                (BadMaterial.FLAKY.removeprefix(SERVICES), "东阳市某调解工作室"),
                (BadMaterial.BROKEN.removeprefix(SERVICES), "东阳市某法律服务所"),
            ]
        return links

    def _article_links(self) -> list[tuple[str, str, str]]:
        links = [
            (f"{PUFA}{path}", a["title"], str(a.get("published_at") or ""))
            for path, a in self.articles.items()
        ]
        if self.bad and links:
            first_path = next(iter(self.articles))
            first = links[0]
            links[1:1] = [
                (f"{PUFA}{first_path}{BadMaterial.TRACKING}", first[1], first[2]),
                (
                    f"{BadMaterial.MIRROR_PREFIX}/{first_path.rsplit('/', 1)[1]}",
                    first[1],
                    first[2],
                ),
                (BadMaterial.GBK, GBK_ARTICLE[0], str(GBK_ARTICLE[1])),
                (BadMaterial.TRUNCATED, TRUNCATED_ARTICLE[0], str(TRUNCATED_ARTICLE[1])),
                (BadMaterial.PDF, "关于开展“八五”普法总结验收的通知（PDF）", "2024-09-03"),
                (BadMaterial.LOOP, "（已迁移的页面）", "2024-09-03"),
                (BadMaterial.OVERSIZED, OVERSIZED_ARTICLE[0], str(OVERSIZED_ARTICLE[1])),
                (BadMaterial.PRIVATE, "（内部草稿）", "2024-09-05"),
            ]
        return links

    def _bad(self, path: str, hits: int) -> Page | Redirect | Slow | None:
        if path == BadMaterial.GBK:
            title, day, author, paragraphs = GBK_ARTICLE
            text = pages.article_html(title, day, author, paragraphs, charset="gbk")
            return Page(text.encode("gbk"), "text/html; charset=GBK")
        if path == BadMaterial.TRUNCATED:
            title, day, author, paragraphs = TRUNCATED_ARTICLE
            full = pages.article_html(title, day, author, paragraphs).encode()
            return Page(full[: int(len(full) * 0.55)])
        if path == BadMaterial.PDF:
            return Page(
                b"%PDF-1.4\n% fasou local site\n" + b"0" * 2048 + b"\n%%EOF\n", "application/pdf"
            )
        if path == BadMaterial.LOOP:
            return Redirect(BadMaterial.LOOP_B)
        if path == BadMaterial.LOOP_B:
            return Redirect(BadMaterial.LOOP)
        if path == BadMaterial.OVERSIZED:
            title, day, author = OVERSIZED_ARTICLE
            row = "执法案件明细：案件编号、执法主体、执法类别、处理结果、办结日期。"
            paragraphs = [f"{i:06d} {row}" for i in range(62_000)]
            return Page(pages.article_html(title, day, author, paragraphs).encode())
        if path == BadMaterial.PRIVATE:
            return Page(pages.html_page("草稿", "<h1>内部草稿</h1>").encode())
        if path == BadMaterial.MISSING_NAME:
            service = {"key": "missing", "name": "", "kind": "mediation", "services": ["调解"]}
            return pages.service_detail(service, 0, drop_name=True)
        if path == BadMaterial.FLAKY:
            if hits <= 2:
                return Page(b"<html><body>500 Internal Server Error</body></html>", status=500)
            service = {
                "key": "flaky",
                "name": "东阳市某调解工作室",
                "kind": "mediation",
                "address": "浙江省东阳市白云街道某路1号",
                "region": "浙江省/金华市/东阳市/白云街道",
                "phone": "0579-86000000",
                "services": ["人民调解", "邻里纠纷调解"],
                "description": "（本地测试站点的示例机构）提供邻里、婚姻家庭纠纷调解。",
            }
            return pages.service_detail(service, 0)
        if path == BadMaterial.BROKEN:
            return Page(b"<html><body>500 Internal Server Error</body></html>", status=500)
        if path == BadMaterial.SLOW:
            return Slow(
                self.slow_seconds, Page(pages.html_page("慢", "<p>迟到的页面</p>").encode())
            )
        if path == BadMaterial.CASE_MISSING_TITLE:
            case = self.data.cases[0] if self.data.cases else None
            if case is None:
                return None
            return pages.court_detail(case, 0, drop_title=True)
        return None


__all__ = ["HTML", "BadMaterial", "Page", "Redirect", "Slow", "SourceSite"]
