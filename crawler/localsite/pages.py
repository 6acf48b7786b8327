"""Pages of the local source site, shaped like the real sites' pages and APIs.

One host serves all five sources under a prefix each (``/flk``, ``/court``,
``/tingshen``, ``/12348``, ``/dongyang``); a source's YAML maps its real base URL
onto that prefix when the crawl is pointed at the local site. Besides the good
pages, ``BadMaterial`` lists the deliberately broken ones the crawler must survive.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from crawler.localsite.corpus import STATUS_CODES, CaseEntry, Law, digest

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"

SERVICE_KINDS = {
    "law_firm": "律师事务所",
    "lawyer": "律师",
    "legal_aid": "法律援助中心",
    "mediation": "人民调解委员会",
    "notary": "公证处",
    "judicial_office": "司法所",
    "hotline": "法律服务热线",
    "arbitration": "仲裁机构",
}

ROBOTS_TXT = """User-agent: *
Disallow: /dongyang/private/
Disallow: /12348/admin/
"""

_NAV = (
    '<div class="header"><div class="nav"><a href="/">首页</a> | <a href="#">政务公开</a> | '
    '<a href="#">办事服务</a> | <a href="#">互动交流</a></div></div>'
)
_FOOTER = (
    '<div class="footer">主办单位：示例 | 网站标识码 0000000000 | '
    '<a href="#">网站地图</a></div><script>var _hmt = _hmt || [];</script>'
)


@dataclass
class Page:
    body: bytes
    content_type: str = HTML
    status: int = 200
    modified: datetime = field(default_factory=lambda: datetime(2025, 1, 1, tzinfo=UTC))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'

    @property
    def last_modified(self) -> str:
        return format_datetime(self.modified, usegmt=True)


def _modified(day: date | None, revision: int) -> datetime:
    base = datetime.combine(day or date(2020, 1, 1), datetime.min.time(), tzinfo=UTC)
    return base.replace(hour=min(revision, 23))


def html_page(title: str, main: str, *, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="{charset}">'
        f"<title>{escape(title)}</title><style>body{{font-family:sans-serif}}</style>"
        f"<script>console.log('stats')</script></head><body>{_NAV}"
        f'<div class="main">{main}</div>{_FOOTER}</body></html>\n'
    )


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(t)}</p>" for t in texts)


def revision_note(revision: int) -> str:
    return f"（编者按：本页内容于第{revision}次更新时补充，请以最新公布内容为准。）"


def _pager(total: int, size: int, page: int, link: str) -> str:
    pages = max(1, math.ceil(total / size))
    parts = [f'<span class="total">共{total}条 第{page}/{pages}页</span>']
    if page > 1:
        parts.append(f'<a class="prev" href="{link}{page - 1}">上一页</a>')
    if page < pages:
        parts.append(f'<a class="next" href="{link}{page + 1}">下一页</a>')
    return f'<div class="pagination">{"".join(parts)}</div>'


def _slice(items: list[Any], page: int, size: int) -> list[Any]:
    return items[(page - 1) * size : page * size]


# -- flk: JSON list API, JSON detail API, HTML / Word body files ---------------


def flk_list(laws: list[Law], page: int, size: int) -> Page:
    rows = [
        {
            "id": law.id,
            "title": law.title,
            "office": law.office,
            "publish": f"{law.publish} 00:00:00" if law.publish else "",
            "expiry": f"{law.effective} 00:00:00" if law.effective else "",
            "type": law.level,
            "status": STATUS_CODES[law.status],
            "url": f"./detail2.html?{law.id}",
        }
        for law in _slice(laws, page, size)
    ]
    body = {
        "result": {"data": rows, "totalSizes": len(laws), "page": page, "size": size},
        "code": 200,
        "success": True,
    }
    return Page(json.dumps(body, ensure_ascii=False).encode(), JSON)


def flk_detail(law: Law, revision: int) -> Page:
    files = [{"type": "HTML", "path": f"/flfg/{law.id}.html", "url": ""}]
    if law.docx:
        files.insert(0, {"type": "WORD", "path": f"/flfg/{law.id}.docx", "url": ""})
    result = {
        "id": law.id,
        "title": law.title,
        "level": law.level,
        "office": law.office,
        "publish": f"{law.publish} 00:00:00" if law.publish else "",
        "expiry": f"{law.effective} 00:00:00" if law.effective else "",
        "status": STATUS_CODES[law.status],
        "body": files,
        "otherFile": [],
        "revision": revision,
    }
    body = {"result": result, "code": 200, "success": True}
    return Page(
        json.dumps(body, ensure_ascii=False).encode(),
        JSON,
        modified=_modified(law.publish, revision),
    )


def _law_lines(law: Law, revision: int) -> list[str]:
    lines = list(law.lines)
    if revision:
        lines[-1] = lines[-1] + revision_note(revision)
    return lines


def flk_body_html(law: Law, revision: int) -> Page:
    """The body as flk's Word-converted HTML: centred bold 章/节 lines, 第X条 paragraphs."""
    out = [f'<div class="law-title"><h1>{escape(law.title)}</h1></div>']
    for line in _law_lines(law, revision):
        if line.startswith("#"):
            text = escape(line.lstrip("#").strip())
            out.append(f'<p align="center" style="text-align:center"><b>{text}</b></p>')
        else:
            out.append(f'<p style="text-indent:2em">{escape(line)}</p>')
    main = f'<div class="law-content" id="content">{"".join(out)}</div>'
    return Page(
        html_page(law.title, main).encode(), HTML, modified=_modified(law.publish, revision)
    )


def flk_body_docx(law: Law, revision: int) -> Page:
    from docx import Document

    document = Document()
    document.add_heading(law.title, level=0)
    for line in _law_lines(law, revision):
        if line.startswith("#"):
            document.add_heading(line.lstrip("#").strip(), level=2)
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    # python-docx stamps the current time into core.xml; pin it for stable validators.
    return Page(
        _pin_docx_times(buffer.getvalue()),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        modified=_modified(law.publish, revision),
    )


def _pin_docx_times(data: bytes) -> bytes:
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", content
                )
            pinned = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            pinned.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(pinned, content)
    return out.getvalue()


# -- court cases: HTML list and detail --------------------------------------------


def case_path(case: CaseEntry) -> str:
    return f"/shenpan/xiangqing/{case.id}.html"


def court_list(prefix: str, cases: list[CaseEntry], page: int, size: int = 20) -> Page:
    items = "".join(
        f'<li><a href="{prefix}{case_path(c)}" title="{escape(c.title)}">{escape(c.title)}</a>'
        f'<i class="date">{c.published}</i></li>'
        for c in _slice(cases, page, size)
    )
    main = (
        '<div class="sec_list"><h2>典型案例</h2><ul>'
        + items
        + "</ul></div>"
        + _pager(len(cases), size, page, f"{prefix}/shenpan/gengduo/77.html?page=")
    )
    return Page(html_page("典型案例", main).encode())


def court_detail(case: CaseEntry, revision: int, *, drop_title: bool = False) -> Page:
    sections = dict(case.sections)
    if revision:
        last = list(sections)[-1]
        sections[last] = [*sections[last], revision_note(revision)]
    body = "".join(
        f'<div class="section"><h3>{escape(h)}</h3>{_paragraphs(ps)}</div>'
        for h, ps in sections.items()
    )
    meta = [
        ("案号", ""),
        ("审理法院", case.court),
        ("法院层级", case.court_level),
        ("发布日期", str(case.published)),
        ("案由", case.cause or ""),
        ("案件类型", case.case_type),
        ("案例类别", case.category),
    ]
    rows = "".join(f"<tr><th>{k}</th><td>{escape(v)}</td></tr>" for k, v in meta)
    title = "" if drop_title else escape(case.title)
    main = (
        f'<div class="detail"><div class="title">{title}</div>'
        f'<table class="case-meta">{rows}</table><div class="txt_txt" id="zoom">{body}</div></div>'
    )
    return Page(html_page(case.title, main).encode(), modified=_modified(case.published, revision))


# -- videos: JSON list API, HTML player page --------------------------------------


def video_id(video: dict[str, Any]) -> str:
    return digest("video", video["key"], size=12)


def videos_list(prefix: str, videos: list[dict[str, Any]], page: int, size: int) -> Page:
    rows = [
        {
            "id": video_id(v),
            "title": v["title"],
            "courtName": v.get("court") or v.get("publisher"),
            "publishTime": str(v.get("published_at") or ""),
            "detailUrl": f"{prefix}/live/{video_id(v)}",
        }
        for v in _slice(videos, page, size)
    ]
    body = {"code": 0, "msg": "ok", "data": {"total": len(videos), "list": rows}}
    return Page(json.dumps(body, ensure_ascii=False).encode(), JSON)


def video_detail(prefix: str, video: dict[str, Any], revision: int) -> Page:
    vid = video_id(video)
    description = video.get("description", "")
    if revision:
        description += revision_note(revision)
    play = video.get("play_url") or f"{prefix}/media/{vid}.m3u8"
    cover = video.get("cover_url") or f"{prefix}/media/{vid}.jpg"
    meta = [
        ("发布单位", video.get("publisher") or ""),
        ("审理法院", video.get("court") or ""),
        ("案号", video.get("case_no") or ""),
        ("发布时间", str(video.get("published_at") or "")),
        ("时长", _duration(video.get("duration_seconds"))),
        ("所属地区", (video.get("region") or "").replace("/", " ")),
    ]
    rows = "".join(f"<dt>{k}</dt><dd>{escape(v)}</dd>" for k, v in meta)
    tags = "".join(f'<span class="tag">{escape(str(t))}</span>' for t in video.get("tags", []))
    transcript = video.get("transcript")
    main = (
        f'<div class="video-detail"><h1 class="video-title">{escape(video["title"])}</h1>'
        f'<video id="player" src="{escape(play)}" poster="{escape(cover)}" controls></video>'
        f'<dl class="video-meta">{rows}</dl><div class="tags">{tags}</div>'
        f'<div class="video-desc">{_paragraphs([description])}</div>'
        + (f'<div class="transcript">{_paragraphs([transcript])}</div>' if transcript else "")
        + "</div>"
    )
    day = video.get("published_at")
    return Page(html_page(video["title"], main).encode(), modified=_modified(day, revision))


def _duration(seconds: int | None) -> str:
    if not seconds:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


# -- legal services (12348 style): HTML directory and detail ----------------------


def service_id(service: dict[str, Any]) -> str:
    return digest("svc", service["key"], size=12)


def services_list(prefix: str, services: list[tuple[str, str]], page: int, size: int = 10) -> Page:
    """``services``: (detail path, name) pairs, including the bad-material entries."""
    items = "".join(
        f'<li class="org"><a href="{prefix}{path}">{escape(name)}</a></li>'
        for path, name in _slice(services, page, size)
    )
    main = f'<div class="org-list"><ul>{items}</ul></div>' + _pager(
        len(services), size, page, f"{prefix}/fwjg/list.html?page="
    )
    return Page(html_page("法律服务机构", main).encode())


def service_detail(service: dict[str, Any], revision: int, *, drop_name: bool = False) -> Page:
    region = (service.get("region") or "").split("/")
    services = [str(s) for s in service.get("services", [])]
    if revision:
        services.append(revision_note(revision))
    meta = [
        ("机构类型", SERVICE_KINDS.get(service.get("kind", ""), "")),
        ("所在省份", region[0] if len(region) > 0 else ""),
        ("所在城市", region[1] if len(region) > 1 else ""),
        ("所在区县", region[2] if len(region) > 2 else ""),
        ("所在乡镇", region[3] if len(region) > 3 else ""),
        ("机构地址", service.get("address") or ""),
        ("联系电话", str(service.get("phone") or "")),
        ("办公时间", service.get("hours") or ""),
    ]
    rows = "".join(
        f'<tr><td class="label">{k}</td><td class="value">{escape(v)}</td></tr>' for k, v in meta
    )
    items = "".join(f"<li>{escape(s)}</li>" for s in services)
    name = "" if drop_name else escape(service["name"])
    coords = ""
    if service.get("latitude") is not None:
        coords = f' data-lat="{service["latitude"]}" data-lng="{service["longitude"]}"'
    main = (
        f'<div class="org-detail"{coords}><h2 class="org-name">{name}</h2>'
        f'<table class="org-info">{rows}</table><ul class="org-services">{items}</ul>'
        f'<div class="org-intro">{_paragraphs([service.get("description", "")])}</div></div>'
    )
    return Page(html_page(service["name"], main).encode(), modified=_modified(None, revision))


# -- 普法 articles (a county justice bureau's column) ------------------------------


def article_path(article: dict[str, Any]) -> str:
    day = article.get("published_at") or date(2024, 1, 1)
    name = f"art_1229512011_{digest(article['key'], size=8)}.html"
    return f"/art/{day.year}/{day.month}/{day.day}/{name}"


def articles_list(
    prefix: str, links: list[tuple[str, str, str]], page: int, size: int = 10
) -> Page:
    """``links``: (href, title, date) rows, including the bad-material links."""
    items = "".join(
        f'<li><a href="{escape(href)}" target="_blank" title="{escape(title)}">{escape(title)}</a>'
        f'<span class="date">{day}</span></li>'
        for href, title, day in _slice(links, page, size)
    )
    main = (
        f'<div class="column"><h2 class="column-title">普法宣传</h2><ul class="list">{items}</ul>'
        + _pager(len(links), size, page, f"{prefix}/col/col1229512011/index.html?pageNum=")
        + "</div>"
    )
    return Page(html_page("普法宣传", main).encode())


def article_html(
    title: str,
    day: date | None,
    author: str,
    paragraphs: list[str],
    *,
    charset: str = "utf-8",
) -> str:
    main = (
        f'<div class="article"><h1 class="art-title">{escape(title)}</h1>'
        f'<div class="art-info"><span class="date">发布日期：{day or ""}</span>'
        f'<span class="source">来源：{escape(author)}</span></div>'
        f'<div id="zoom" class="art-content">{_paragraphs(paragraphs)}</div>'
        '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div></div>'
    )
    return html_page(title, main, charset=charset)


def article_detail(article: dict[str, Any], revision: int) -> Page:
    paragraphs = [p.strip() for p in article.get("body", "").split("\n\n") if p.strip()]
    if revision:
        paragraphs.append(revision_note(revision))
    day = article.get("published_at")
    text = article_html(article["title"], day, article.get("author") or "", paragraphs)
    return Page(text.encode(), modified=_modified(day, revision))
