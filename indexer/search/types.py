"""Backend-neutral search request and result types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from analyzers.query import QueryPlan

V = TypeVar("V")

#: Whether a search may spread its engine work over other threads (the embedded engine
#: counts facets beside collecting hits). True only for a search that is its process's
#: one request (``Runtime.run_search``): then the machine's other core is idle. Under
#: load every core is busy and the extra hand-off per search only adds waits for the
#: interpreter (load p99 391 against 125 ms, ``bench/load.py``).
SPARE_CORES: ContextVar[bool] = ContextVar("fasou_spare_cores", default=False)

#: Keyword fields a search can filter on and count facets for.
FACET_FIELDS = ("type", "status", "level", "department")
#: Values reported per facet, the most frequent first (every backend).
FACET_SIZE = 50


@dataclass
class Filters:
    types: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None

    def keyword_filters(self) -> dict[str, list[str]]:
        """Index field → accepted values, for the filters that are set."""
        pairs = {
            "type": self.types,
            "status": self.statuses,
            "level": self.levels,
            "department": self.departments,
            "region": self.regions,
            "audience": self.audiences,
            "topic": self.topics,
        }
        return {name: values for name, values in pairs.items() if values}


@dataclass
class SearchRequest:
    plan: QueryPlan
    filters: Filters = field(default_factory=Filters)
    offset: int = 0
    limit: int = 10
    facets: tuple[str, ...] = FACET_FIELDS
    explain: bool = False
    #: Multiply scores by the static prior (``indexer.ranking``); off only for ablation.
    use_prior: bool = True


@dataclass
class BackendHit:
    id: str
    score: float
    record: dict[str, Any]
    explanation: Any = None


@dataclass
class BackendResult:
    total: int
    hits: list[BackendHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class PerRecord(Generic[V]):
    """Values computed from a record, kept by (id, content hash): the same documents recur
    across queries' windows, and an edited one gets a new hash. Cleared wholesale when
    full — a crude bound; the hot set refills within a few queries."""

    def __init__(self, compute: Callable[[Mapping[str, Any]], V], maximum: int = 20_000) -> None:
        self._compute, self._maximum = compute, maximum
        self._values: dict[tuple[str, str], V] = {}

    def __call__(self, record: Mapping[str, Any]) -> V:
        key = (record.get("id") or "", record.get("content_hash") or "")
        value = self._values.get(key)
        if value is None:
            value = self._compute(record)
            if key[0]:  # no id, nothing to key it by
                if len(self._values) >= self._maximum:
                    self._values.clear()
                self._values[key] = value
        return value
