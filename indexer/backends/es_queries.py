"""Search requests → Elasticsearch query DSL (the query builder, kept apart from I/O).

The same ranking as the embedded engine (``indexer.backends.tantivy_backend``):

* one ``term`` query per (query term, text field the term targets), boosted
  by the term's weight × ``indexer.ranking.FIELD_BOOSTS[field]``, summed in a
  ``bool`` ``should`` (at least one must match). Query expansions (colloquial
  → legal, law aliases, bigrams) arrive as extra weighted terms in the
  ``QueryPlan``, so no synonym filter is needed here: there is one source of
  synonyms for both backends;
* the static prior multiplies the score by log2(2 + prior);
* filters never score (``filter`` clauses);
* facets are multi-select: a facet that is being filtered on counts as if its
  own filter were off (its filter sits in ``post_filter`` and in the other
  facets' aggregations);
* order: score, then document id, so equal scores page deterministically.

Both engines compute the same BM25 (idf × tf·(k1+1)/(tf + k1·(1−b+b·dl/avgdl))
with one-byte length norms), so scores are directly comparable.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from analyzers.query import QueryPlan
from indexer.ranking import FIELD_BOOSTS
from indexer.search.types import FACET_SIZE, Filters, SearchRequest

#: Turns ``log2p`` (log10(2 + x)) into log2(2 + x).
PRIOR_WEIGHT = math.log2(10)


def text_query(plan: QueryPlan) -> dict[str, Any]:
    """Weighted term queries over the analysed text fields each term targets."""
    should = [
        {"term": {field: {"value": term.text, "boost": term.weight * FIELD_BOOSTS[field]}}}
        for term in plan.terms
        for field in term.fields
    ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def scored_query(request: SearchRequest) -> dict[str, Any]:
    """What scores a hit: the text query, times log2(2 + prior) unless the prior is off.

    Elasticsearch's ``log2p`` modifier is log10(2 + prior) = log2(2 + prior) ×
    log10(2); the function's ``weight`` of log2(10) cancels that constant, so
    scores equal the embedded engine's (``weight_by_field``), not just their order.
    """
    query = text_query(request.plan)
    if not request.use_prior:
        return query
    prior = {"field": "prior", "modifier": "log2p", "missing": 0}
    return {
        "function_score": {
            "query": query,
            "functions": [{"field_value_factor": prior, "weight": PRIOR_WEIGHT}],
            "boost_mode": "multiply",
        }
    }


def keyword_clauses(filters: Filters) -> dict[str, dict[str, Any]]:
    """Index field → its non-scoring ``terms`` clause, for the keyword filters that are set."""
    return {name: {"terms": {name: values}} for name, values in filters.keyword_filters().items()}


def date_clause(filters: Filters) -> dict[str, Any] | None:
    if not (filters.date_from or filters.date_to):
        return None
    bounds: dict[str, str] = {}
    if filters.date_from:
        bounds["gte"] = filters.date_from.isoformat()
    if filters.date_to:
        bounds["lte"] = filters.date_to.isoformat()
    return {"range": {"published": bounds}}


def _all_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def search_body(request: SearchRequest) -> dict[str, Any]:
    """The ``_search`` body for one page of hits plus its facet counts."""
    keyword = keyword_clauses(request.filters)
    faceted = {name: clause for name, clause in keyword.items() if name in request.facets}
    always = [clause for name, clause in keyword.items() if name not in faceted]
    if (dates := date_clause(request.filters)) is not None:
        always.append(dates)
    body: dict[str, Any] = {
        "query": {"bool": {"must": [scored_query(request)], "filter": always}},
        "sort": [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
        "from": request.offset,
        "size": request.limit,
        "track_total_hits": True,
        "_source": ["record"],
    }
    if faceted:
        body["post_filter"] = _all_of(list(faceted.values()))
    if request.facets:
        body["aggs"] = {name: _facet_agg(name, faceted) for name in request.facets}
    if request.explain:
        body["explain"] = True
    return body


def _facet_agg(name: str, faceted: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Counts of ``name`` under every faceted filter except its own (a plain ``terms`` if none)."""
    terms = {"terms": {"field": name, "size": FACET_SIZE}}
    others = [clause for other, clause in faceted.items() if other != name]
    return {"filter": _all_of(others), "aggs": {"values": terms}} if others else terms


def facet_counts(
    aggregations: dict[str, Any], facets: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    out = {}
    for name in facets:
        agg = aggregations[name]
        buckets = agg.get("values", agg)["buckets"]
        out[name] = {bucket["key"]: int(bucket["doc_count"]) for bucket in buckets}
    return out


def preference(plan: QueryPlan) -> str:
    """Route one query's pages to the same shard copies, so their scores (and order) agree."""
    key = "\x1f".join(f"{t.text}:{t.weight}" for t in plan.terms)
    return "q" + hashlib.sha1(key.encode()).hexdigest()[:16]
