"""Coverage of the resident's concepts: the reranking step both backends share.

BM25 sums term scores, so an article that repeats one query word can outrank
one that mentions every concept the resident asked about once. The service
reranks the top ``RERANK_WINDOW`` backend hits by how many of the query's
concepts (its content words, stopwords dropped) the document contains:

    final = backend_score × (1 + COVERAGE_WEIGHT × coverage)

where ``coverage`` is the length-weighted share of concepts found in the
document's text (title, law title, headings, body). It runs on the stored
records the backend returns, so it is the same for every backend.
"""

from __future__ import annotations

from typing import Any

from analyzers.normalize import normalize
from indexer.search.types import BackendHit

#: How much full coverage multiplies a hit's score (0 disables reranking).
COVERAGE_WEIGHT = 1.0


def searchable_text(record: dict[str, Any]) -> str:
    """The text a concept is looked for in: what the record says and where it sits."""
    parts = [
        record.get("title"),
        record.get("law_title"),
        record.get("part"),
        record.get("chapter"),
        record.get("section"),
        record.get("body"),
        record.get("cause"),
    ]
    return normalize(" ".join(p for p in parts if p))


def coverage(concepts: list[str], text: str) -> float:
    """Length-weighted share of ``concepts`` that occur in ``text`` (0 when none given)."""
    if not concepts:
        return 0.0
    total = sum(len(c) for c in concepts)
    found = sum(len(c) for c in concepts if c in text)
    return found / total


def rerank(
    hits: list[BackendHit], concepts: list[str], weight: float = COVERAGE_WEIGHT
) -> list[tuple[BackendHit, float, float]]:
    """(hit, coverage, multiplier) sorted by reranked score, ties by id."""
    scored = []
    for hit in hits:
        cov = coverage(concepts, searchable_text(hit.record))
        scored.append((hit, cov, 1.0 + weight * cov))
    scored.sort(key=lambda item: (-round(item[0].score * item[2], 5), item[0].id))
    return scored
