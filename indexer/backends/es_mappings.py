"""Elasticsearch index names, template, settings and mappings (one place, named).

The fields mirror ``indexer.backends.fields.IndexFields`` — the same fields the
embedded engine indexes — so both backends answer the same queries the same
way:

* ``title``/``context``/``body`` hold tokens already produced by
  ``analyzers.analyze()``; they are split on whitespace and lowercased again
  (a no-op for normalised tokens, kept so that hand-written documents behave).
  BM25 with ``indexer.ranking``'s k1/b; norms on; no positions (no phrase
  queries are issued, and positions cost indexing time and disk).
* keyword fields for filters and facets, ``published`` as a date.
* ``record`` — the catalog record the API renders — is one JSON *string*,
  neither indexed nor given doc values: it lives in ``_source`` only. As a
  string it is a single token to Elasticsearch's parser; as a nested object
  (even with ``enabled: false``) every one of its tokens is parsed and
  skipped, which cost a noticeable share of bulk throughput. For the same
  reason ``_source`` has no ``excludes`` (filtering re-serialises every
  document); the analysed text stays in it.
* ``content_hash`` and ``index_hash`` as doc-values-only keywords, read by
  ``fasou index verify`` without loading ``_source``.

* ``prior``: the static per-document prior (``indexer.ranking.prior_value``) as
  a ``float`` with doc values only; ``es_queries.scored_query`` multiplies
  scores by log2(2 + prior) with ``function_score``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from analyzers.version import analysis_fingerprint
from indexer.backends.fields import KEYWORD_FIELD_NAMES, TEXT_FIELD_NAMES
from indexer.ranking import BM25_B, BM25_K1
from indexer.search.types import FACET_FIELDS

#: Bump when the mappings or settings below change: a live index with another
#: version is reported incompatible and rebuilt (into a new versioned index).
#: 2: record as a JSON string, no _source excludes; 3: eager global ordinals for facets;
#: 4: ``bigram`` text field and ``prior``.
SCHEMA_VERSION = 4
ANALYZER = "fasou_ws"
SIMILARITY = "fasou_bm25"


@dataclass(frozen=True)
class IndexNames:
    """Names derived from ``FASOU_ES_INDEX_PREFIX``.

    Searches go through the read alias, writes through the write alias; each
    points at exactly one concrete, versioned index. A rebuild fills a new
    index and moves both aliases in one atomic ``_aliases`` call.
    """

    prefix: str

    @property
    def read_alias(self) -> str:
        return f"{self.prefix}-documents"

    @property
    def write_alias(self) -> str:
        return f"{self.prefix}-documents-write"

    @property
    def template(self) -> str:
        return f"{self.prefix}-documents"

    @property
    def pattern(self) -> str:
        """Every concrete document index of this prefix (any schema version)."""
        return f"{self.prefix}-documents-v*"

    @property
    def failures(self) -> str:
        """Documents the cluster rejected for good, kept for retry (see ``es_bulk``)."""
        return f"{self.prefix}-index-failures"

    def new_index(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")
        return f"{self.prefix}-documents-v{SCHEMA_VERSION}-{stamp}"

    @property
    def bootstrap_index(self) -> str:
        """The first, empty index: a fixed name, so concurrent first starts create one index."""
        return f"{self.prefix}-documents-v{SCHEMA_VERSION}-initial"


def replica_settings(replicas: str) -> dict[str, Any]:
    """``"1"`` → a fixed replica count; ``"0-1"`` → auto-expand with the number of nodes."""
    if "-" in replicas:
        return {"auto_expand_replicas": replicas}
    return {"number_of_replicas": int(replicas), "auto_expand_replicas": False}


def index_settings(shards: int, replicas: str) -> dict[str, Any]:
    return {
        "number_of_shards": shards,
        **replica_settings(replicas),
        "analysis": {
            "analyzer": {
                ANALYZER: {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}
            }
        },
        "similarity": {SIMILARITY: {"type": "BM25", "k1": BM25_K1, "b": BM25_B}},
    }


def index_meta(rev: int) -> dict[str, Any]:
    """``_meta`` of an index: what it was built with, and the catalog revision it reflects."""
    return {
        "schema_version": SCHEMA_VERSION,
        "analysis": analysis_fingerprint(),
        "bm25": [BM25_K1, BM25_B],
        "rev": rev,
    }


def is_current_meta(meta: dict[str, Any]) -> bool:
    current = index_meta(0)
    return all(meta.get(key) == current[key] for key in ("schema_version", "analysis", "bm25"))


def mappings(rev: int = 0) -> dict[str, Any]:
    text = {
        "type": "text",
        "analyzer": ANALYZER,
        "similarity": SIMILARITY,
        "index_options": "freqs",
    }
    properties: dict[str, Any] = {"id": {"type": "keyword"}}
    properties |= {name: dict(text) for name in TEXT_FIELD_NAMES}
    properties |= {
        name: {
            "type": "keyword",
            "ignore_above": 1024,
            # facets aggregate on every search: build their ordinals at refresh, not per query
            "eager_global_ordinals": name in FACET_FIELDS,
        }
        for name in KEYWORD_FIELD_NAMES
    }
    properties |= {
        "published": {"type": "date", "format": "strict_date"},
        "prior": {"type": "float", "index": False},
        "content_hash": {"type": "keyword", "index": False},
        "index_hash": {"type": "keyword", "index": False},
        "record": {"type": "keyword", "index": False, "doc_values": False},
    }
    return {
        "dynamic": "strict",
        "_meta": index_meta(rev),
        "properties": properties,
    }


def index_template(names: IndexNames, shards: int, replicas: str) -> dict[str, Any]:
    """Body of ``PUT _index_template/<prefix>-documents``."""
    return {
        "index_patterns": [names.pattern],
        "priority": 100,
        "template": {"settings": index_settings(shards, replicas), "mappings": mappings()},
        "_meta": {"schema_version": SCHEMA_VERSION, "managed_by": "fasou"},
    }


FAILURES_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "version": {"type": "long"},
        "action": {"type": "object", "enabled": False},
        "status": {"type": "integer"},
        "reason": {"type": "text", "index": False},
        "attempts": {"type": "integer"},
        "first_failed": {"type": "date"},
        "last_failed": {"type": "date"},
    },
}
