"""What each document type contributes to the indexed fields (shared by every backend).

Text is analysed here, once, by ``analyzers``; backends index the resulting
space-joined tokens with a whitespace tokenizer. That is what keeps the
embedded engine and Elasticsearch on one analysis.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from analyzers import analyzed_text
from analyzers.bigrams import bigram_text
from indexer.ranking import prior_value

NATIONAL_REGION = "全国"
#: Analysed text fields every backend indexes (boosts: ``indexer.ranking.FIELD_BOOSTS``):
#: words of ``title``/``context``/``body`` and character bigrams of title + body.
TEXT_FIELD_NAMES = ("title", "context", "body", "bigram")
#: What an otherwise empty text field holds. Lucene's BM25 (Elasticsearch) takes
#: document counts and average lengths over the documents that *have* a field,
#: tantivy's over all documents; with no empty fields the two agree, and so do
#: their rankings (a statute has no ``title``, a video has one). Analysis never
#: emits this token (it keeps only tokens with letters or digits at an end), so
#: no query can match it.
EMPTY_FIELD_TOKEN = "∅"
#: Keyword fields every backend indexes (exact values: filters and facets).
KEYWORD_FIELD_NAMES = (
    "type",
    "status",
    "level",
    "department",
    "region",
    "audience",
    "topic",
    "source",
)

_SERVICE_KIND_LABELS = {
    "law_firm": "律师事务所 律师",
    "lawyer": "律师",
    "legal_aid": "法律援助",
    "mediation": "人民调解 调解委员会",
    "notary": "公证处 公证",
    "judicial_office": "司法所",
    "hotline": "热线 电话 12348",
    "arbitration": "仲裁",
}


@dataclass
class IndexFields:
    """One document as the search backends store it.

    ``text`` is None in a partial update: only editorial data (audiences,
    topics) changed since the index last saw the document, so the backend keeps
    the analysed text it has and replaces keywords and the stored record.
    """

    id: str
    text: dict[str, str] | None
    keywords: dict[str, list[str]]
    published: date | None
    record: dict[str, Any]
    #: Static prior (authority, status, editorial standing): ``indexer.ranking.prior_value``.
    prior: float = 0.0

    @property
    def index_hash(self) -> str:
        return index_hash(self.record)


def index_hash(record: Mapping[str, Any]) -> str:
    """What an index must hold for a document to be current: its content and effective tags.

    ``content_hash`` covers what a source supplied; editors' tag decisions and
    automatic suggestions change the effective ``audiences``/``topics`` (and
    ``suggested_*``) without changing it, so verification compares this hash
    (catalog side and index side compute it here, once).
    """
    parts = [record.get("content_hash") or ""]
    for key in ("audiences", "topics"):
        parts.append(",".join(sorted(record.get(key) or [])))
        suggested = record.get(f"suggested_{key}") or {}
        parts.append(",".join(f"{v}:{c}" for v, c in sorted(suggested.items())))
    key = "\x1f".join(parts)
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def region_terms(region: str | None) -> list[str]:
    """浙江省/金华市/东阳市 → every prefix path and every place name; None → 全国."""
    if not region:
        return [NATIONAL_REGION]
    parts = region.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return list(dict.fromkeys(prefixes + parts))


def _join(*parts: Any) -> list[str]:
    """Non-empty text parts; lists (tags, services) become one part each."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        out.append(" ".join(map(str, part)) if isinstance(part, list | tuple) else str(part))
    return out


def text_fields(record: dict[str, Any]) -> dict[str, list[str]]:
    """The raw text parts of each text field (``TEXT_FIELD_NAMES``), per document type.

    ``title`` holds a descriptive title (a case's, a video's); ``context`` holds
    what situates a document but does not describe it (the law a statute article
    belongs to, its chapter, a video's tags), which ranks below the body. Parts
    are analysed one by one: a law title repeats across hundreds of articles and
    its analysis is cached.
    """
    kind = record["type"]
    if kind == "statute_article":
        return {
            "title": [],
            "context": _join(
                record.get("law_title"),
                record.get("article_no"),
                record.get("part"),
                record.get("chapter"),
                record.get("section"),
            ),
            "body": _join(record.get("body")),
        }
    if kind == "case":
        sections = record.get("sections") or {}
        return {
            "title": _join(record["title"]),
            "context": _join(record.get("cause"), record.get("court")),
            "body": _join(record.get("body"), *sections.values()),
        }
    if kind == "video":
        return {
            "title": _join(record["title"]),
            "context": _join(record.get("tags"), record.get("publisher")),
            "body": _join(record.get("body"), record.get("transcript")),
        }
    if kind == "service":
        return {
            "title": _join(record["title"]),
            "context": _join(
                _SERVICE_KIND_LABELS.get(record.get("kind", ""), ""),
                record.get("services"),
                record.get("address"),
            ),
            "body": _join(record.get("body")),
        }
    return {
        "title": _join(record["title"]),
        "context": _join(record.get("author")),
        "body": _join(record.get("body")),
    }


def _analyzed(parts: list[str]) -> str:
    joined = " ".join(text for part in parts if (text := analyzed_text(part)))
    return joined or EMPTY_FIELD_TOKEN


def analysed_text_fields(record: dict[str, Any]) -> dict[str, str]:
    """Every analysed text field: words of title/context/body, bigrams of title + body."""
    parts = text_fields(record)
    text = {name: _analyzed(parts[name]) for name in ("title", "context", "body")}
    text["bigram"] = (
        " ".join(b for part in parts["title"] + parts["body"] if (b := bigram_text(part)))
        or EMPTY_FIELD_TOKEN
    )
    return text


def index_fields(record: dict[str, Any], *, analyse: bool = True) -> IndexFields:
    """Analyse a catalog record into the fields every backend indexes.

    ``analyse=False`` skips the text (the costly part: ~0.25 ms a document) for
    a partial update; everything else is derived from the record as usual.
    """
    published = record.get("published_at")
    keywords = {
        "type": [record["type"]],
        "status": [record["status"]] if record.get("status") else [],
        "level": [record["level"]] if record.get("level") else [],
        "department": [record["department"]] if record.get("department") else [],
        "region": region_terms(record.get("region")),
        **tag_keywords(record),
        "source": [record["source"]] if record.get("source") else [],
    }
    return IndexFields(
        id=record["id"],
        text=analysed_text_fields(record) if analyse else None,
        keywords=keywords,
        published=date.fromisoformat(published[:10]) if published else None,
        record=record,
        prior=prior_value(record),
    )


def tag_keywords(record: dict[str, Any]) -> dict[str, list[str]]:
    """Audience/topic keywords: editorial tags plus the suggestions that count.

    The one definition for full documents and partial (tag) updates alike.
    """
    return {
        "audience": [*(record.get("audiences") or []), *(record.get("suggested_audiences") or {})],
        "topic": [*(record.get("topics") or []), *(record.get("suggested_topics") or {})],
    }


def patch_fields(doc_id: str, patch: dict[str, Any]) -> IndexFields:
    """A partial update: the record keys editors' decisions derive, and their keywords.

    The backend merges ``record`` into the record it stores and keeps the
    analysed text (``text=None``); see ``SearchBackend.apply``.
    """
    return IndexFields(
        id=doc_id,
        text=None,
        keywords=tag_keywords(patch),
        published=None,
        record=patch,
    )
