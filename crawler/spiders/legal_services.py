"""12348-style legal service directory: HTML list → one HTML page per provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.spiders import HtmlListingSpider, first

INFO_FIELDS = {
    "机构类型": "kind",
    "所在省份": "province",
    "所在城市": "city",
    "所在区县": "county",
    "所在乡镇": "town",
    "机构地址": "address",
    "联系电话": "phone",
    "办公时间": "hours",
}


class LegalServicesSpider(HtmlListingSpider):
    name = "legal_services"
    doc_type = "service"

    def parse_detail(self, response: Response, **_kwargs: Any) -> Iterator[Any]:
        info: dict[str, str] = {}
        for row in response.css(self.config.selector("info_rows")):
            label = first(row.css("td.label::text").getall())
            if label in INFO_FIELDS:
                info[INFO_FIELDS[label]] = first(row.css("td.value::text").getall())
        kind_label = info.pop("kind", "")
        region = "/".join(
            info.pop(k) for k in ("province", "city", "county", "town") if info.get(k)
        )
        for k in ("province", "city", "county", "town"):
            info.pop(k, None)
        box = response.css(self.config.selector("coordinates"))
        fields: dict[str, Any] = {
            "title": first(response.css(self.config.selector("name")).getall()),
            # An unknown kind label stays as written: validation then names it.
            "kind": self.config["kinds"].get(kind_label, kind_label or None),
            "region": region or None,
            "services": [
                s.strip() for s in response.css(self.config.selector("services")).getall()
            ],
            "latitude": _float(box.attrib.get("data-lat")),
            "longitude": _float(box.attrib.get("data-lng")),
            **{k: v or None for k, v in info.items()},
        }
        html = {"body": response.css(self.config.selector("intro")).get() or ""}
        yield self.page_item(response, fields=fields, html=html)


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None
