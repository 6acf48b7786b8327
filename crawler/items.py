"""What spiders yield. Spiders extract; pipelines clean, build, validate, dedupe and store.

A ``PageItem`` is one content page: the values the spider's selectors found
(``fields``), raw HTML fragments still to be cleaned (``html``) or a Word
attachment (``docx``), and the page's validators for the next conditional
request. Pipelines fill ``text``, ``payloads`` and ``documents`` in turn, or set
``problem`` — the reason the item goes to quarantine instead of the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexer.models import BaseDocument


@dataclass
class PageItem:
    source: str
    doc_type: str
    url: str
    key: str  # ledger key: canonical request (see crawler.urls.request_key)
    fields: dict[str, Any] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)
    docx: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    problem: str | None = None
    # filled by the pipelines
    text: dict[str, str] = field(default_factory=dict)
    payloads: list[dict[str, Any]] = field(default_factory=list)
    documents: list[BaseDocument] = field(default_factory=list)
    content_hash: str | None = None

    def __repr__(self) -> str:  # logs name the page, not its megabytes of text
        state = f"problem={self.problem!r}" if self.problem else f"{len(self.documents)} documents"
        return f"<PageItem {self.source} {self.url} {state}>"


@dataclass
class PageNotModified:
    """The server answered 304: the page and its documents are unchanged."""

    source: str
    url: str
    key: str


@dataclass
class PageFailed:
    """A page that could not be fetched (after retries): counted and recorded, not lost."""

    source: str
    url: str
    key: str
    reason: str
