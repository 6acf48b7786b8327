"""Generic 普法 column spider: everything site-specific is in the source's YAML.

List URL, pagination parameter, CSS selectors for links, title, date, author
and body, the date pattern and the region all come from configuration, so
another county's column is a new ``crawler/sources/*.yaml``, not new code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from scrapy.http import Response

from crawler.spiders import HtmlListingSpider, first


class PufaArticlesSpider(HtmlListingSpider):
    name = "pufa_articles"
    doc_type = "article"

    def parse_detail(self, response: Response, **_kwargs: Any) -> Iterator[Any]:
        date_text = first(response.css(self.config.selector("date")).getall())
        author = first(response.css(self.config.selector("author")).getall())
        fields = {
            "title": first(response.css(self.config.selector("title")).getall()),
            "published_at": self.parse_date(date_text),
            "author": author.removeprefix(self.config.get("author_prefix", "")) or None,
            "region": self.config.get("region"),
        }
        html = {"body": response.css(self.config.selector("body")).get() or ""}
        yield self.page_item(response, fields=fields, html=html)

    def parse_date(self, text: str) -> str | None:
        match = re.search(self.config["date_pattern"], text or "")
        if not match:
            return None
        try:
            return date(*(int(g) for g in match.groups()[:3])).isoformat()
        except ValueError:
            return None
