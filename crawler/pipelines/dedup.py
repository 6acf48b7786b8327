"""Dedup: one page per canonical URL per run, one stored copy per content.

The canonical URL (tracking parameters dropped) is the ledger key, so URL
variants already meet there. Content that another page already holds — the
same article mirrored under a second path — is recorded as a duplicate of that
page instead of becoming a second document.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from scrapy.exceptions import DropItem

from crawler.items import PageItem
from crawler.pipelines import CrawlerAware


def page_hash(item: PageItem) -> str:
    """Hash of what the page says — its fields and text, not its URL (so mirrors hash alike)."""
    fields = {k: v for k, v in item.fields.items() if k != "url"}
    payload = {"type": item.doc_type, "fields": fields, "text": item.text}
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


class DedupPipeline(CrawlerAware):
    def __init__(self) -> None:
        self.seen_keys: set[str] = set()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        if item.key in self.seen_keys:
            raise DropItem(f"page already processed in this run: {item.key}")
        self.seen_keys.add(item.key)
        item.content_hash = page_hash(item)
        writer = self.context.writer
        owner = writer.hash_owner(item.content_hash)
        if owner is not None and owner != item.key:
            writer.duplicate(item, owner)
            raise DropItem(f"same content as {owner}: {item.url}")
        writer.claim(item.content_hash, item.key)
        return item
