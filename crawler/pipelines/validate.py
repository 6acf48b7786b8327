"""Validate: payloads → the project's pydantic documents, plus what a crawl requires.

The document model allows empty bodies (a starter sample may be short); a
crawled page of each type must carry the fields listed in ``REQUIRED`` or it is
not worth showing a resident — such items are quarantined with the field named.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from crawler.pipelines import CrawlerAware, pending
from crawler.pipelines.extract import describe
from indexer.models import document_from_record

REQUIRED: dict[str, tuple[str, ...]] = {
    "statute_article": ("law_title", "article_no", "body"),
    "case": ("title", "body"),
    "video": ("title", "play_url"),
    "service": ("title", "kind"),
    "article": ("title", "body", "published_at"),
}


class ValidatePipeline(CrawlerAware):
    def process_item(self, item: Any) -> Any:
        if not pending(item):
            return item
        for doc in item.documents:  # built (and validated) by the extractor, e.g. statutes
            missing = [name for name in REQUIRED[item.doc_type] if not getattr(doc, name, None)]
            if missing:
                item.problem = "required field missing: " + ", ".join(missing)
                return item
        documents = []
        for payload in item.payloads:
            missing = [name for name in REQUIRED[item.doc_type] if not payload.get(name)]
            if missing:
                item.problem = "required field missing: " + ", ".join(missing)
                return item
            try:
                documents.append(document_from_record(item.doc_type, payload))
            except ValidationError as exc:
                item.problem = "invalid: " + describe(exc)
                return item
        item.documents += documents
        for doc in item.documents:  # stable ids now (the ledger records them); hashes on store
            doc.id = doc.id or doc.stable_id()
        return item
