"""庭审公开 / 普法 videos: JSON list API → one HTML player page per video."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from crawler.spiders import SourceSpider, first

META_FIELDS = {
    "发布单位": "publisher",
    "审理法院": "court",
    "案号": "case_no",
    "发布时间": "published_at",
    "时长": "duration",
    "所属地区": "region",
}


def duration_seconds(text: str | None) -> int | None:
    """ "01:02:03" or "02:03" → seconds."""
    if not text:
        return None
    try:
        parts = [int(p) for p in text.strip().split(":")]
    except ValueError:
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


class VideosSpider(SourceSpider):
    name = "videos"
    doc_type = "video"

    def list_request(self, page: int) -> scrapy.Request:
        listing = self.config["list"]
        params = {**listing.get("params", {}), listing["page_param"]: str(page)}
        return self.list_url_request(
            f"{self.config.base_url}{listing['path']}?{urlencode(params)}", page
        )

    def parse_list(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        data = json.loads(response.text)["data"]
        for row in data["list"]:
            yield self.detail_request(response.urljoin(row["detailUrl"]))
        size = int(self.config["list"]["params"]["pageSize"])
        if page * size < int(data["total"]):
            yield self.list_request(page + 1)

    def parse_detail(self, response: Response, **_kwargs: Any) -> Iterator[Any]:
        video = response.css(self.config.selector("video"))
        fields: dict[str, Any] = {
            "title": first(response.css(self.config.selector("title")).getall()),
            "play_url": response.urljoin(video.attrib["src"]) if video.attrib.get("src") else None,
            "cover_url": response.urljoin(video.attrib["poster"])
            if video.attrib.get("poster")
            else None,
            "tags": [t.strip() for t in response.css(self.config.selector("tags")).getall()],
        }
        meta = response.css(self.config.selector("meta"))
        for label, value in zip(
            meta.css("dt::text").getall(), meta.css("dd").xpath("string()").getall(), strict=False
        ):
            if label.strip() in META_FIELDS:
                fields[META_FIELDS[label.strip()]] = value.strip() or None
        fields["duration_seconds"] = duration_seconds(fields.pop("duration", None))
        if fields.get("region"):
            fields["region"] = "/".join(fields["region"].split())
        html = {"body": response.css(self.config.selector("description")).get() or ""}
        transcript = response.css(self.config.selector("transcript")).get()
        if transcript:
            html["transcript"] = transcript
        yield self.page_item(response, fields=fields, html=html)
