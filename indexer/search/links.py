"""Linked content: what a document cites, what cites it, and what else is on its subject.

Citation links come from the catalog's ``document_links`` (maintained from each
document's parsed ``cites``), so an article page lists the cases, videos and
普法 articles citing it, and a case lists the articles it applies. "Related"
adds items that share the document's subject — its topics, or for a statute
article its law and chapter — found by an ordinary backend search, so both
engines give the same related items.
"""

from __future__ import annotations

from typing import Any

from analyzers.query import PlanOptions, plan_query
from indexer.backends.base import SearchBackend
from indexer.catalog import Catalog
from indexer.search.types import Filters, SearchRequest

#: How many related items a document page shows per kind.
RELATED_LIMIT = 5
#: Types offered as "related" reading for a statute article (普法 first).
RELATED_TYPES = ("video", "article", "case")
_SUMMARY_KEYS = (
    "id",
    "type",
    "title",
    "url",
    "law_title",
    "article_no",
    "status",
    "level",
    "category",
    "court",
    "case_no",
    "kind",
    "phone",
)


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """The few fields a link list shows."""
    return {k: record[k] for k in _SUMMARY_KEYS if record.get(k) is not None}


def _by_type(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        out.setdefault(record["type"], []).append(summary(record))
    return out


def _subject(record: dict[str, Any]) -> str:
    """Words that say what a document is about, for a related-items search."""
    if record["type"] == "statute_article":
        parts = [record.get("chapter"), record.get("section"), (record.get("body") or "")[:80]]
    else:
        parts = [record.get("title"), record.get("cause"), " ".join(record.get("tags") or [])]
    return " ".join(p for p in parts if p)


def related(
    backend: SearchBackend, record: dict[str, Any], exclude: set[str], limit: int = RELATED_LIMIT
) -> list[dict[str, Any]]:
    """Items on the same subject (shared topics or the article's own words), other types first."""
    types = (
        list(RELATED_TYPES)
        if record["type"] == "statute_article"
        else ["statute_article", *[t for t in RELATED_TYPES if t != record["type"]]]
    )
    plan = plan_query(_subject(record), PlanOptions(intent=False, lookup=False))
    if plan.is_empty:
        return []
    request = SearchRequest(
        plan=plan,
        filters=Filters(types=types, topics=list(record.get("topics") or [])),
        limit=limit + len(exclude) + 1,
        facets=(),
    )
    hits = backend.search(request).hits
    if not hits and record.get("topics"):
        request.filters = Filters(types=types)
        hits = backend.search(request).hits
    out = [summary(h.record) for h in hits if h.id not in exclude and h.id != record["id"]]
    return out[:limit]


def document_links(
    catalog: Catalog,
    backend: SearchBackend,
    record: dict[str, Any],
    citing_ids: list[str] | None = None,
) -> dict[str, Any]:
    """``cites`` (what this document cites), ``cited_by`` (grouped by type), ``related``.

    ``citing_ids``: ``catalog.links_to`` of the document when the caller already read it.
    """
    doc_id = record["id"]
    # In the order the document cites them (a case lists 第七条 before 第十条).
    order = {c.get("article_id"): i for i, c in enumerate(record.get("cites") or [])}
    cited_ids = sorted(catalog.links_from(doc_id), key=lambda i: (order.get(i, len(order)), i))
    cites = [summary(r) for r in catalog.get_many(cited_ids)]
    present = {c["id"] for c in cites}
    # Citations to articles the catalog does not hold are still listed, unlinked.
    for cite in record.get("cites") or []:
        if cite.get("article_id") not in present:
            cites.append(
                {
                    "id": cite.get("article_id"),
                    "law_title": cite.get("law_title"),
                    "article_no": cite.get("article_no"),
                    "available": False,
                }
            )
    citing = catalog.get_many(catalog.links_to(doc_id) if citing_ids is None else citing_ids)
    exclude = present | {r["id"] for r in citing}
    return {
        "cites": cites,
        "cited_by": _by_type(citing),
        "related": related(backend, record, exclude),
    }


def related_for_hits(catalog: Catalog, ids: list[str], limit: int = 3) -> dict[str, list[dict]]:
    """For a result list: each hit's linked documents (either direction), a few each."""
    pairs = catalog.links_among(ids)
    wanted = sorted({other for links in pairs.values() for other in links})
    records = {r["id"]: summary(r) for r in catalog.get_many(wanted)}
    return {
        doc_id: [records[o] for o in others if o in records][:limit]
        for doc_id, others in pairs.items()
    }
