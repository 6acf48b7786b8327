"""Automatic tag suggestions as the editor workspace sees them.

The audience-profiles work computes suggestions and stores them in
``suggested_tags(doc_id, facet, value, confidence, provenance, model_version)``;
this module only reads that table. An editor's decision on a value (add or
remove, in ``document_tags``) always wins: accepting a suggestion records
"add", rejecting records "remove", and a suggestion with a decision leaves the
review queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from indexer.catalog.tables import document_tags, documents, suggested_tags


@dataclass(frozen=True)
class Suggestion:
    doc_id: str
    facet: str
    value: str
    confidence: float
    provenance: str
    model_version: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _suggestion(row: sa.Row[Any]) -> Suggestion:
    return Suggestion(
        row.doc_id, row.facet, row.value, float(row.confidence), row.provenance, row.model_version
    )


class SuggestionStore:
    def __init__(self, catalog: Any) -> None:  # Catalog
        self.catalog = catalog

    def for_documents(self, doc_ids: Sequence[str]) -> dict[str, list[Suggestion]]:
        """doc id → its suggestions, most confident first."""
        out: dict[str, list[Suggestion]] = {}
        if not doc_ids:
            return out
        with self.catalog.engine.connect() as conn:
            rows = conn.execute(
                sa.select(suggested_tags)
                .where(suggested_tags.c.doc_id.in_(list(doc_ids)))
                .order_by(
                    suggested_tags.c.doc_id,
                    suggested_tags.c.confidence.desc(),
                    suggested_tags.c.value,
                )
            )
            for row in rows:
                out.setdefault(row.doc_id, []).append(_suggestion(row))
        return out

    def get(self, doc_id: str, facet: str, value: str) -> Suggestion | None:
        with self.catalog.engine.connect() as conn:
            row = conn.execute(
                sa.select(suggested_tags).where(
                    suggested_tags.c.doc_id == doc_id,
                    suggested_tags.c.facet == facet,
                    suggested_tags.c.value == value,
                )
            ).first()
        return _suggestion(row) if row else None

    def review_queue(
        self,
        *,
        max_confidence: float,
        facet: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[Suggestion]]:
        """Undecided suggestions below ``max_confidence`` on live documents, least sure first."""
        decided = (
            sa.select(document_tags.c.doc_id)
            .where(
                document_tags.c.doc_id == suggested_tags.c.doc_id,
                document_tags.c.facet == suggested_tags.c.facet,
                document_tags.c.value == suggested_tags.c.value,
            )
            .exists()
        )
        live = (
            sa.select(documents.c.id)
            .where(documents.c.id == suggested_tags.c.doc_id, documents.c.deleted.is_(False))
            .exists()
        )
        where = [suggested_tags.c.confidence < max_confidence, ~decided, live]
        if facet:
            where.append(suggested_tags.c.facet == facet)
        with self.catalog.engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(suggested_tags).where(*where)
            ).scalar_one()
            rows = conn.execute(
                sa.select(suggested_tags)
                .where(*where)
                .order_by(
                    suggested_tags.c.confidence,
                    suggested_tags.c.doc_id,
                    suggested_tags.c.facet,
                    suggested_tags.c.value,
                )
                .limit(limit)
                .offset(offset)
            ).all()
        return total, [_suggestion(row) for row in rows]
