"""Query understanding: a resident's words → a weighted plan every backend executes.

The plan is backend-neutral (terms with weights and where they came from), so
the embedded engine and Elasticsearch score the same understanding of a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzers.analysis import analyze


@dataclass(frozen=True)
class QueryTerm:
    """One search token with its weight and provenance (``user`` = typed by the resident)."""

    text: str
    weight: float = 1.0
    origin: str = "user"


@dataclass
class QueryPlan:
    raw: str
    terms: list[QueryTerm] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def highlight_terms(self) -> list[str]:
        return [t.text for t in self.terms]


def plan_query(text: str) -> QueryPlan:
    """Analyse ``text`` exactly as documents are analysed; each distinct token once."""
    seen: set[str] = set()
    terms = []
    for token in analyze(text):
        if token not in seen:
            seen.add(token)
            terms.append(QueryTerm(token))
    return QueryPlan(raw=text, terms=terms)
