"""The "为你推荐" feed: a page of fresh, mixed, diversified items for one resident.

Candidates come from the catalog (the source of truth), not from a text query:
all plain-language content (cases, videos, 普法 articles, services) plus
"statute highlights" — current articles tagged (editorially or by a counting
suggestion) for the resident's audiences or topics. Each candidate is scored
with the same boosts as personalised search (``indexer.search.personalize``),
items already seen are left out, and the page is assembled greedily so that
no two neighbours share a type, a law or a publisher when avoidable.
Without any declared attribute or event (cold start) the feed is simply
fresh local material.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from indexer.catalog import Catalog
from indexer.catalog.tables import documents, suggested_tags
from indexer.ranking import SUGGESTION_MIN_CONFIDENCE
from indexer.search.personalize import Personalization, boosts

#: Document types mixed into a feed, in the order ties between them are broken.
FEED_TYPES = ("video", "statute_article", "article", "service", "case")
#: Plain-language content of each type considered (newest first).
MAX_CANDIDATES_PER_TYPE = 2000
#: Statute articles considered as highlights (strongest tags first).
MAX_STATUTE_HIGHLIGHTS = 300
#: How deep a feed can be paged.
MAX_FEED_DEPTH = 200
#: Small prior so that, all else equal, explanatory content comes before statute text.
TYPE_PRIOR = {"video": 0.03, "article": 0.03, "case": 0.02, "service": 0.01}


def diversity_key(record: dict[str, Any]) -> str | None:
    """Neighbours must differ in this: the law of an article, the publisher of the rest."""
    if record["type"] == "statute_article":
        return f"law:{record.get('law_title')}"
    publisher = record.get("publisher") or record.get("author") or record.get("court")
    return f"pub:{publisher}" if publisher else None


@dataclass
class FeedItem:
    record: dict[str, Any]
    score: float
    reasons: dict[str, float]


class FeedBuilder:
    """Builds feeds from the catalog; plain-language candidates are cached per catalog revision."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._lock = threading.Lock()
        self._cached_rev = -1
        self._plain: list[dict[str, Any]] = []

    def _plain_candidates(self) -> list[dict[str, Any]]:
        rev = self.catalog.max_rev()
        with self._lock:
            if rev != self._cached_rev:
                ids: list[str] = []
                with self.catalog.engine.connect() as conn:
                    for doc_type in FEED_TYPES:
                        if doc_type == "statute_article":
                            continue
                        ids += (
                            conn.execute(
                                sa.select(documents.c.id)
                                .where(documents.c.type == doc_type, documents.c.deleted.is_(False))
                                .order_by(documents.c.published_at.desc(), documents.c.id)
                                .limit(MAX_CANDIDATES_PER_TYPE)
                            )
                            .scalars()
                            .all()
                        )
                self._plain = self.catalog.get_many(ids)
                self._cached_rev = rev
            return self._plain

    def _statute_highlights(self, who: Personalization) -> list[dict[str, Any]]:
        wanted = [("audience", a) for a in who.audiences] + [("topic", t) for t in who.topics]
        if not wanted:
            return []
        condition = sa.or_(
            *[sa.and_(suggested_tags.c.facet == f, suggested_tags.c.value == v) for f, v in wanted]
        )
        with self.catalog.engine.connect() as conn:
            ids = (
                conn.execute(
                    sa.select(suggested_tags.c.doc_id)
                    .join(documents, documents.c.id == suggested_tags.c.doc_id)
                    .where(
                        condition,
                        suggested_tags.c.confidence >= SUGGESTION_MIN_CONFIDENCE,
                        documents.c.type == "statute_article",
                        documents.c.deleted.is_(False),
                    )
                    .group_by(suggested_tags.c.doc_id)
                    .order_by(
                        sa.func.max(suggested_tags.c.confidence).desc(), suggested_tags.c.doc_id
                    )
                    .limit(MAX_STATUTE_HIGHLIGHTS)
                )
                .scalars()
                .all()
            )
        records = self.catalog.get_many(list(ids))
        return [r for r in records if r.get("status") in (None, "现行有效")]

    def build(
        self, who: Personalization, seen: set[str], offset: int = 0, size: int = 10
    ) -> list[FeedItem]:
        """Items ``[offset, offset + size)`` of this resident's feed."""
        candidates = [
            r
            for r in [*self._plain_candidates(), *self._statute_highlights(who)]
            if r["id"] not in seen
        ]
        scored = []
        for record in candidates:
            parts = boosts(record, who)
            score = sum(parts.values()) + TYPE_PRIOR.get(record["type"], 0.0)
            scored.append(
                FeedItem(record, round(score, 6), {k: round(v, 4) for k, v in parts.items()})
            )
        scored.sort(
            key=lambda item: (-item.score, FEED_TYPES.index(item.record["type"]), item.record["id"])
        )
        depth = min(MAX_FEED_DEPTH, offset + size)
        return interleave(scored, depth)[offset : offset + size]


def interleave(ranked: Iterable[FeedItem], depth: int) -> list[FeedItem]:
    """Greedy: the best remaining item whose type and law/publisher differ from the last one.

    Relaxes the type rule, then both rules, only when nothing else is left.
    """
    pool = list(ranked)
    out: list[FeedItem] = []
    while pool and len(out) < depth:
        last = out[-1].record if out else None
        choice = None
        for strict_type in (True, False):
            for index, item in enumerate(pool):
                if last is not None:
                    key = diversity_key(item.record)
                    if key is not None and key == diversity_key(last):
                        continue
                    if strict_type and item.record["type"] == last["type"]:
                        continue
                choice = index
                break
            if choice is not None:
                break
        if choice is None:
            choice = 0
        out.append(pool.pop(choice))
    return out
