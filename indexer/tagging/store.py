"""Keep ``suggested_tags`` in step with the catalog: recompute on content or tagger change.

Runs before every index pass (``indexer.sync``), so a document reaches the
index with the suggestions of its current content. Only documents whose
revision moved since the last pass are examined (``catalog_meta.tagged_rev``);
a new tagger version (rules, taxonomy or model changed) re-examines all. A
document whose stored suggestions change gets a new revision so that the
index picks them up; editors' decisions are not touched (they live in
``document_tags`` and win when the record is built).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from indexer.catalog import Catalog
from indexer.catalog.revisions import bump_rev
from indexer.catalog.tables import catalog_meta, documents, suggested_tags, tagging_state
from indexer.tagging import Tagger, default_tagger

log = logging.getLogger(__name__)

_TAGGED_REV = "tagged_rev"
_TAGGER_VERSION = "tagger_version"


def _meta(conn: sa.Connection, key: str) -> int | None:
    return conn.execute(
        sa.select(catalog_meta.c.value).where(catalog_meta.c.key == key)
    ).scalar_one_or_none()


def _set_meta(conn: sa.Connection, key: str, value: int) -> None:
    conn.execute(catalog_meta.delete().where(catalog_meta.c.key == key))
    conn.execute(catalog_meta.insert().values(key=key, value=value))


def _version_number(version: str) -> int:
    return int(version[:15], 16)


def refresh_suggestions(catalog: Catalog, tagger: Tagger | None = None, batch: int = 2000) -> int:
    """Recompute suggestions of documents changed since the last pass; returns how many."""
    tagger = tagger or default_tagger()
    with catalog.engine.connect() as conn:
        same_tagger = _meta(conn, _TAGGER_VERSION) == _version_number(tagger.version)
        since = (_meta(conn, _TAGGED_REV) or 0) if same_tagger else 0
    examined = retagged = 0
    while True:
        with catalog.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    documents.c.id,
                    documents.c.rev,
                    documents.c.content_hash,
                    documents.c.deleted,
                    tagging_state.c.content_hash.label("tagged_hash"),
                    tagging_state.c.tagger_version,
                )
                .select_from(
                    documents.outerjoin(tagging_state, tagging_state.c.doc_id == documents.c.id)
                )
                .where(documents.c.rev > since)
                .order_by(documents.c.rev, documents.c.id)
                .limit(batch)
            ).all()
        if not rows:
            break
        stale = [
            r.id
            for r in rows
            if r.deleted or r.tagged_hash != r.content_hash or r.tagger_version != tagger.version
        ]
        # Whole revisions only, so that ``since`` never splits one.
        last_rev = rows[-1].rev
        if len(rows) == batch and rows[0].rev != last_rev:
            keep = [r for r in rows if r.rev < last_rev]
            kept_ids = {r.id for r in keep}
            stale = [i for i in stale if i in kept_ids]
            last_rev = keep[-1].rev
        retagged += _retag(catalog, tagger, stale)
        examined += len(rows)
        since = last_rev
        with catalog.writing() as conn:
            _set_meta(conn, _TAGGED_REV, since)
            _set_meta(conn, _TAGGER_VERSION, _version_number(tagger.version))
        if len(rows) < batch:
            break
    if retagged:
        log.info("tagging: %d documents examined, %d retagged", examined, retagged)
    return retagged


def _retag(catalog: Catalog, tagger: Tagger, ids: list[str]) -> int:
    if not ids:
        return 0
    records = {r["id"]: r for r in catalog.get_many(ids, editorial=False)}  # live only
    computed = {doc_id: tagger.suggest(record) for doc_id, record in records.items()}
    now = datetime.now(UTC).replace(tzinfo=None)
    changed: list[str] = []
    with catalog.writing() as conn:
        old = _rows_for(conn, ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(suggested_tags.delete().where(suggested_tags.c.doc_id.in_(chunk)))
            conn.execute(tagging_state.delete().where(tagging_state.c.doc_id.in_(chunk)))
        rows = [
            {
                "doc_id": doc_id,
                "facet": s.facet,
                "value": s.value,
                "provenance": s.provenance,
                "confidence": round(s.confidence, 4),
                "model_version": tagger.model_version
                if s.provenance.startswith("model:")
                else tagger.version,
            }
            for doc_id, suggestions in computed.items()
            for s in suggestions
        ]
        if rows:
            conn.execute(suggested_tags.insert(), rows)
        states = [
            {
                "doc_id": doc_id,
                "content_hash": records[doc_id]["content_hash"],
                "tagger_version": tagger.version,
                "updated_at": now,
            }
            for doc_id in computed
        ]
        if states:
            conn.execute(tagging_state.insert(), states)
        new = {}
        for row in rows:
            new.setdefault(row["doc_id"], set()).add(
                (row["facet"], row["value"], row["provenance"], row["confidence"])
            )
        changed = [i for i in computed if new.get(i, set()) != old.get(i, set())]
        if changed:
            # The index must see the new suggestions: a new revision for those documents.
            rev = bump_rev(conn)
            for start in range(0, len(changed), 500):
                conn.execute(
                    documents.update()
                    .where(documents.c.id.in_(changed[start : start + 500]))
                    .values(rev=rev)
                )
    return len(changed)


def _rows_for(conn: sa.Connection, ids: list[str]) -> dict[str, set[tuple[Any, ...]]]:
    out: dict[str, set[tuple[Any, ...]]] = {}
    for start in range(0, len(ids), 500):
        for row in conn.execute(
            sa.select(suggested_tags).where(suggested_tags.c.doc_id.in_(ids[start : start + 500]))
        ):
            out.setdefault(row.doc_id, set()).add(
                (row.facet, row.value, row.provenance, row.confidence)
            )
    return out
