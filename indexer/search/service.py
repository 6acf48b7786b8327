"""Search as the product sees it: understand the query, ask the backend, shape the hits.

Used by the HTTP API and by ``fasou eval`` so that what is measured is what
residents get.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from analyzers.query import QueryPlan, plan_query
from indexer.backends.base import SearchBackend
from indexer.search.highlight import snippet
from indexer.search.personalize import Personalization, rescore
from indexer.search.types import (
    FACET_FIELDS,
    BackendHit,
    BackendResult,
    Filters,
    SearchRequest,
)

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
        "suggested_audiences",
        "suggested_topics",
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
        personalization: Personalization | None = None,
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
        if personalization is None:
            result = self.backend.search(request)
            terms = plan.highlight_terms()
            hits = [shape_hit(h, terms, explain=explain, snippets=snippets) for h in result.hits]
        else:
            result, hits = self._personalized(request, snippets, personalization)
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

    # -- personalisation (issue 6): a separate stage, anonymous search never enters it --

    def _personalized(
        self, request: SearchRequest, snippets: bool, who: Personalization
    ) -> tuple[BackendResult, list[dict[str, Any]]]:
        """Fetch at least the rescoring window, rescore it for ``who``, cut the page."""
        from indexer.ranking import AUDIENCE_CANDIDATES, RESCORE_WINDOW

        offset, size = request.offset, request.limit
        window = replace(request, offset=0, limit=max(RESCORE_WINDOW, offset + size))
        result = self.backend.search(window)
        extra: list[BackendHit] = []
        if who.audiences and not request.filters.audiences and result.total > len(result.hits):
            # Same query, restricted to the profile's audiences: its scores are
            # comparable to the general ones, so the cap still bounds every boost.
            for_them = replace(request.filters, audiences=sorted(who.audiences))
            extra = self.backend.search(
                replace(window, filters=for_them, limit=AUDIENCE_CANDIDATES, facets=())
            ).hits
        ranked = rescore(result.hits, who, explain=request.explain, extra=extra)
        terms = request.plan.highlight_terms()
        hits = []
        for item in ranked[offset : offset + size]:
            shaped = shape_hit(item.hit, terms, explain=request.explain, snippets=snippets)
            shaped["score"] = round(item.score, 4)
            if request.explain:
                shaped["personalization"] = item.explanation
            hits.append(shaped)
        return result, hits
