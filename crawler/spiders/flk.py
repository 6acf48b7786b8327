"""国家法律法规数据库: JSON list → JSON detail (POST id) → body file (Word or HTML).

The detail call is the ledgered, conditional page: when it is unchanged the law
is unchanged, and the body file is not fetched at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from crawler.items import PageItem
from crawler.spiders import SourceSpider
from indexer.models import Level, Status


def _date(text: str | None) -> str | None:
    try:
        return date.fromisoformat((text or "")[:10]).isoformat()
    except ValueError:
        return None


def _level(name: str | None) -> str | None:
    return name if name in {level.value for level in Level} else None


class FlkSpider(SourceSpider):
    name = "flk"
    doc_type = "statute_article"

    def list_request(self, page: int) -> scrapy.Request:
        params = dict(self.config["list"].get("params", {}))
        params[self.config["list"]["page_param"]] = str(page)
        url = f"{self.config.base_url}{self.config['list']['path']}?{urlencode(params)}"
        return self.list_url_request(url, page)

    def parse_list(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        result = json.loads(response.text)["result"]
        detail = self.config["detail"]
        for row in result["data"]:
            yield self.detail_request(
                f"{self.config.base_url}{detail['path']}",
                request_cls=scrapy.FormRequest,
                method=detail.get("method", "POST"),
                formdata={detail["form_field"]: row["id"]},
            )
        if page * int(result["size"]) < int(result["totalSizes"]):
            yield self.list_request(page + 1)

    def parse_detail(self, response: Response, **_kwargs: Any) -> Iterator[Any]:
        """The detail JSON: metadata now, the body from the preferred file next."""
        law = json.loads(response.text)["result"]
        status = self.config["status_codes"].get(str(law.get("status")), Status.current.value)
        promulgated = _date(law.get("publish"))
        fields = {
            "title": (law.get("title") or "").strip(),
            "issuing_body": law.get("office") or None,
            "level": _level(law.get("level")),
            "status": status,
            "promulgated_at": promulgated,
            "effective_at": _date(law.get("expiry")),
            # An amended (older) version keeps its own ids beside the current one.
            "law_version": promulgated if status == Status.amended.value else None,
            "url": f"{self.config.base_url}/detail2.html?{law.get('id')}",
        }
        files = {f.get("type"): f.get("path") for f in law.get("body") or [] if f.get("path")}
        kind = next((k for k in self.config["prefer_body"] if files.get(k)), None)
        # Not "page_key": the file is fetched in full, filtered and ledgered under its own URL,
        # while the item it completes belongs to the detail page's ledger entry.
        item_meta = {
            "item_key": response.meta["page_key"],
            "etag": response.headers.get("ETag", b"").decode("latin-1") or None,
            "last_modified": response.headers.get("Last-Modified", b"").decode("latin-1") or None,
        }
        if kind is None:
            yield self.page_item(response, fields=fields, problem="detail names no body file")
            return
        yield scrapy.Request(
            self.config["files_base_url"].rstrip("/") + files[kind],
            callback=self.on_body_file,
            errback=self.on_error,
            cb_kwargs={"fields": fields, "kind": kind},
            meta=item_meta,
        )

    def on_body_file(self, response: Response, fields: dict[str, Any], kind: str) -> Iterator[Any]:
        self.count("pages")
        yield from self.parse_body_file(response, fields, kind)

    def parse_body_file(
        self, response: Response, fields: dict[str, Any], kind: str
    ) -> Iterator[PageItem]:
        meta = response.meta
        item = self.page_item(response, key=meta["item_key"], fields=dict(fields))
        item.url = fields["url"]
        item.etag, item.last_modified = meta.get("etag"), meta.get("last_modified")
        if kind == "WORD":
            item.docx = response.body
        else:
            item.problem = self.unusable(response)
            if item.problem is None:
                item.text["body"] = "\n".join(body_lines(response))
        yield item


#: Elements of a flk HTML body that hold one line each (title, 编/章/节 lines, paragraphs).
_LINE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li")


def body_lines(response: Response) -> list[str]:
    """The law text one paragraph per line, straight from lxml's tree.

    A law body is thousands of flat paragraphs and nothing else worth cleaning, so the
    paragraphs' text is read with lxml (C speed) instead of re-parsing the fragment
    with BeautifulSoup; the clean pipeline still normalises the text.
    """
    found = response.css("#content") or response.css("body")
    if not found:
        return []
    # ``itertext`` is ``text_content()`` without an XPath evaluation per paragraph.
    return [" ".join("".join(el.itertext()).split()) for el in found[0].root.iter(*_LINE_TAGS)]
