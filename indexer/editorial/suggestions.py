"""Automatic tag suggestions as the editor workspace sees them.

The tagger (``indexer.tagging``) stores suggestions in ``suggested_tags``, one
row per (document, facet, value, provenance): a rule and the model may both
suggest the same value. Editors decide per value, so this module reads the
strongest suggestion of each (document, facet, value), with its provenance.
An editor's decision on a value (add or remove, in ``document_tags``) always
wins: accepting a suggestion records "add", rejecting records "remove", and a
suggestion with a decision leaves the review queue.
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


def _strongest() -> sa.Subquery:
    """One row per (doc_id, facet, value): the highest confidence and, among the rows
    that reach it, the first provenance (portable SQL: no DISTINCT ON, no bare columns)."""
    st = suggested_tags
    best = (
        sa.select(st.c.doc_id, st.c.facet, st.c.value, sa.func.max(st.c.confidence).label("top"))
        .group_by(st.c.doc_id, st.c.facet, st.c.value)
        .subquery("best")
    )
    return (
        sa.select(
            best.c.doc_id,
            best.c.facet,
            best.c.value,
            best.c.top.label("confidence"),
            sa.func.min(st.c.provenance).label("provenance"),
            sa.func.min(st.c.model_version).label("model_version"),
        )
        .join(
            st,
            sa.and_(
                st.c.doc_id == best.c.doc_id,
                st.c.facet == best.c.facet,
                st.c.value == best.c.value,
                st.c.confidence == best.c.top,
            ),
        )
        .group_by(best.c.doc_id, best.c.facet, best.c.value, best.c.top)
        .subquery("strongest")
    )


class SuggestionStore:
    def __init__(self, catalog: Any) -> None:  # Catalog
        self.catalog = catalog

    def for_documents(self, doc_ids: Sequence[str]) -> dict[str, list[Suggestion]]:
        """doc id → its suggestions, most confident first."""
        out: dict[str, list[Suggestion]] = {}
        if not doc_ids:
            return out
        strongest = _strongest()
        with self.catalog.engine.connect() as conn:
            rows = conn.execute(
                sa.select(strongest)
                .where(strongest.c.doc_id.in_(list(doc_ids)))
                .order_by(strongest.c.doc_id, strongest.c.confidence.desc(), strongest.c.value)
            )
            for row in rows:
                out.setdefault(row.doc_id, []).append(_suggestion(row))
        return out

    def get(self, doc_id: str, facet: str, value: str) -> Suggestion | None:
        strongest = _strongest()
        with self.catalog.engine.connect() as conn:
            row = conn.execute(
                sa.select(strongest).where(
                    strongest.c.doc_id == doc_id,
                    strongest.c.facet == facet,
                    strongest.c.value == value,
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
        sug = _strongest()
        decided = (
            sa.select(document_tags.c.doc_id)
            .where(
                document_tags.c.doc_id == sug.c.doc_id,
                document_tags.c.facet == sug.c.facet,
                document_tags.c.value == sug.c.value,
            )
            .exists()
        )
        live = (
            sa.select(documents.c.id)
            .where(documents.c.id == sug.c.doc_id, documents.c.deleted.is_(False))
            .exists()
        )
        where = [sug.c.confidence < max_confidence, ~decided, live]
        if facet:
            where.append(sug.c.facet == facet)
        with self.catalog.engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(sug).where(*where)
            ).scalar_one()
            rows = conn.execute(
                sa.select(sug)
                .where(*where)
                .order_by(sug.c.confidence, sug.c.doc_id, sug.c.facet, sug.c.value)
                .limit(limit)
                .offset(offset)
            ).all()
        return total, [_suggestion(row) for row in rows]
