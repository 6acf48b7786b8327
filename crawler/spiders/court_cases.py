"""最高人民法院 典型案例: HTML list pages → one HTML page per case."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.spiders import HtmlListingSpider, first

#: The case page's metadata table → model fields.
META_FIELDS = {
    "案号": "case_no",
    "审理法院": "court",
    "法院层级": "court_level",
    "裁判日期": "decided_at",
    "发布日期": "published_at",
    "案由": "cause",
    "案件类型": "case_type",
    "案例类别": "category",
}


class CourtCasesSpider(HtmlListingSpider):
    name = "court_cases"
    doc_type = "case"

    def parse_detail(self, response: Response, **_kwargs: Any) -> Iterator[Any]:
        fields: dict[str, Any] = {
            "title": first(response.css(self.config.selector("title")).getall())
        }
        for row in response.css(self.config.selector("meta_rows")):
            label = first(row.css("th::text").getall())
            if label in META_FIELDS:
                fields[META_FIELDS[label]] = first(row.css("td::text").getall()) or None
        html = {}
        for section in response.css(self.config.selector("sections")):
            heading = first(section.css("h3::text").getall())
            html[f"section:{heading}"] = "".join(section.css("p").getall())
        yield self.page_item(response, fields=fields, html=html)
