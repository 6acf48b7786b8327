"""Search as the product sees it: understand the query, ask the backend, shape the hits.

Used by the HTTP API and by ``fasou eval`` so that what is measured is what
residents get.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from analyzers.query import QueryPlan, plan_query
from indexer.backends.base import SearchBackend
from indexer.search.highlight import snippet
from indexer.search.types import FACET_FIELDS, BackendHit, Filters, SearchRequest

#: Record keys that are bookkeeping or too large for a result list.
_HIDDEN_IN_HITS = frozenset(
    {
        "body",
        "transcript",
        "sections",
        "content_hash",
        "rev",
        "editor_audiences",
        "editor_topics",
    }
)


@dataclass
class SearchPage:
    query: str
    plan: QueryPlan
    total: int
    page: int
    size: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    took_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "hits": self.hits,
            "facets": self.facets,
            "took_ms": round(self.took_ms, 3),
        }


def _snippet_source(record: dict[str, Any]) -> str:
    parts = [record.get("body") or ""]
    if record.get("transcript"):
        parts.append(record["transcript"])
    for text in (record.get("sections") or {}).values():
        parts.append(text)
    return "\n".join(p for p in parts if p)


def shape_hit(
    hit: BackendHit, terms: list[str], *, explain: bool = False, snippets: bool = True
) -> dict[str, Any]:
    """A search hit: id, type, title, snippet, score, then the type's own fields."""
    record = hit.record
    shaped: dict[str, Any] = {
        "id": hit.id,
        "type": record["type"],
        "title": record["title"],
        "snippet": snippet(_snippet_source(record), terms) if snippets else "",
        "score": round(hit.score, 4),
    }
    for key, value in record.items():
        if key not in shaped and key not in _HIDDEN_IN_HITS:
            shaped[key] = value
    if explain:
        shaped["explanation"] = hit.explanation
    return shaped


class SearchService:
    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend

    def search(
        self,
        query: str,
        *,
        filters: Filters | None = None,
        page: int = 1,
        size: int = 10,
        facets: tuple[str, ...] = FACET_FIELDS,
        explain: bool = False,
        snippets: bool = True,
    ) -> SearchPage:
        started = time.perf_counter()
        plan = plan_query(query)
        request = SearchRequest(
            plan=plan,
            filters=filters or Filters(),
            offset=(page - 1) * size,
            limit=size,
            facets=facets,
            explain=explain,
        )
        result = self.backend.search(request)
        terms = plan.highlight_terms()
        hits = [shape_hit(h, terms, explain=explain, snippets=snippets) for h in result.hits]
        return SearchPage(
            query=query,
            plan=plan,
            total=result.total,
            page=page,
            size=size,
            hits=hits,
            facets=result.facets,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    def matching_ids(
        self, query: str, *, filters: Filters | None = None, limit: int
    ) -> tuple[int, list[str]]:
        """How many documents match, and the ids of up to ``limit`` of them (best first).

        For editors' bulk operations: "everything this search finds".
        """
        request = SearchRequest(
            plan=plan_query(query), filters=filters or Filters(), limit=limit, facets=()
        )
        result = self.backend.search(request)
        return result.total, [hit.id for hit in result.hits]
