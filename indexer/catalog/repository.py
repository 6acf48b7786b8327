"""The catalog: the source of truth every index is derived from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from indexer.catalog.db import WRITE_OPTION, create_catalog_engine, migrate
from indexer.catalog.tables import (
    catalog_meta,
    document_links,
    document_tags,
    documents,
    import_fingerprints,
)
from indexer.models import CORE_FIELDS, BaseDocument, document_from_record

TAG_FACETS = ("audience", "topic")


@dataclass
class UpsertStats:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertStats) -> UpsertStats:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        return self

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Catalog:
    """Documents plus editorial tags, with a revision counter that drives indexing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Catalog:
        """Open (creating or migrating as needed) the catalog at ``url``."""
        engine = create_catalog_engine(url)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction (on SQLite: BEGIN IMMEDIATE, waiting for other writers)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # -- revisions ---------------------------------------------------------

    @staticmethod
    def _bump_rev(conn: Connection) -> int:
        """Take the next revision inside the caller's write transaction.

        The counter row is locked until commit, so revisions become visible in
        the order they were taken and an indexer reading ``rev > applied`` never
        skips a change that commits late.
        """
        return conn.execute(
            sa.update(catalog_meta)
            .where(catalog_meta.c.key == "rev")
            .values(value=catalog_meta.c.value + 1)
            .returning(catalog_meta.c.value)
        ).scalar_one()

    def max_rev(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(catalog_meta.c.value).where(catalog_meta.c.key == "rev")
            ).scalar_one()

    # -- writes ------------------------------------------------------------

    def upsert(self, docs: Iterable[BaseDocument], batch_size: int = 1000) -> UpsertStats:
        """Insert new documents, update changed ones, leave unchanged ones alone.

        Each batch commits on its own: a crash loses at most the batch in flight,
        and re-running the same input converges (ids are stable) without duplicates.
        Editorial tags live in another table and are never touched here.
        """
        stats = UpsertStats()
        batch: dict[str, BaseDocument] = {}
        for doc in docs:
            doc.finalize()
            batch[doc.id] = doc
            if len(batch) >= batch_size:
                stats += self._upsert_batch(list(batch.values()))
                batch = {}
        if batch:
            stats += self._upsert_batch(list(batch.values()))
        return stats

    def _upsert_batch(self, batch: list[BaseDocument]) -> UpsertStats:
        with self.writing() as conn:
            return self.upsert_in(conn, batch)

    def upsert_in(self, conn: Connection, docs: Sequence[BaseDocument]) -> UpsertStats:
        """``upsert`` of one batch inside the caller's write transaction.

        For writers that must commit documents together with their own bookkeeping
        (the crawler records pages and run counts in the same transaction, so a
        killed crawl never counts or skips a page whose documents were not stored).
        """
        stats = UpsertStats()
        now = _now()
        unique: dict[str, tuple[BaseDocument, dict[str, Any]]] = {}
        for doc in docs:
            dumped = doc.model_dump(mode="json")  # once, for the hash and the row
            doc.finalize(dumped)
            unique[doc.id] = (doc, dumped)
        batch = [doc for doc, _ in unique.values()]
        if not batch:
            return stats
        existing = {
            row.id: (row.content_hash, row.deleted)
            for row in conn.execute(
                sa.select(documents.c.id, documents.c.content_hash, documents.c.deleted).where(
                    documents.c.id.in_([d.id for d in batch])
                )
            )
        }
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        touched: list[str] = []
        for doc in batch:
            known = existing.get(doc.id)
            if known is None:
                inserts.append(self._row(doc, now, unique[doc.id][1]))
            elif known[0] != doc.content_hash or known[1]:
                updates.append(self._row(doc, now, unique[doc.id][1]))
            else:
                touched.append(doc.id)
        if inserts or updates:
            rev = self._bump_rev(conn)
            if inserts:
                for row in inserts:
                    row["rev"] = rev
                conn.execute(documents.insert(), inserts)
            if updates:
                for row in updates:
                    row["rev"] = rev
                    row["b_id"] = row["id"]
                    del row["created_at"]
                conn.execute(
                    documents.update()
                    .where(documents.c.id == sa.bindparam("b_id"))
                    .values({k: sa.bindparam(k) for k in updates[0] if k not in ("b_id", "id")}),
                    updates,
                )
        unchanged = set(touched)
        self._replace_links(conn, [d for d in batch if d.id not in unchanged])
        if touched:
            # Seen again, unchanged: record the visit without a new revision.
            for chunk in _chunks(touched, 500):
                conn.execute(
                    documents.update().where(documents.c.id.in_(chunk)).values(fetched_at=now)
                )
        stats.new, stats.changed, stats.unchanged = len(inserts), len(updates), len(touched)
        return stats

    @staticmethod
    def _replace_links(conn: Connection, docs: list[BaseDocument]) -> None:
        """Re-derive the ``cites`` links of new or changed documents from their content."""
        if not docs:
            return
        for chunk in _chunks([d.id for d in docs], 500):
            conn.execute(
                document_links.delete().where(
                    document_links.c.src_id.in_(list(chunk)), document_links.c.kind == "cites"
                )
            )
        rows = {
            (doc.id, cite.article_id)
            for doc in docs
            for cite in getattr(doc, "cites", None) or []
            if cite.article_id
        }
        if rows:
            conn.execute(
                document_links.insert(),
                [{"src_id": s, "dst_id": d, "kind": "cites"} for s, d in sorted(rows)],
            )

    def links_to(self, doc_id: str, kind: str = "cites") -> list[str]:
        """Ids of live documents linking to ``doc_id`` (e.g. cases citing an article)."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(document_links.c.src_id)
                    .join(documents, documents.c.id == document_links.c.src_id)
                    .where(
                        document_links.c.dst_id == doc_id,
                        document_links.c.kind == kind,
                        documents.c.deleted.is_(False),
                    )
                    .order_by(document_links.c.src_id)
                ).scalars()
            )

    def links_from(self, doc_id: str, kind: str = "cites") -> list[str]:
        """Ids ``doc_id`` links to (e.g. the articles a case cites), whether or not present."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(document_links.c.dst_id)
                    .where(document_links.c.src_id == doc_id, document_links.c.kind == kind)
                    .order_by(document_links.c.dst_id)
                ).scalars()
            )

    @staticmethod
    def _row(doc: BaseDocument, now: datetime, dumped: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": doc.id,
            "type": str(doc.type),
            "title": doc.title,
            "body": doc.body,
            "url": doc.url,
            "source": doc.source,
            "region": doc.region,
            "published_at": doc.published_at,
            "fetched_at": doc.fetched_at or now,
            "content_hash": doc.content_hash,
            "fields": {k: v for k, v in dumped.items() if k not in CORE_FIELDS},
            "source_audiences": list(doc.audiences),
            "source_topics": list(doc.topics),
            "deleted": False,
            "created_at": now,
            "updated_at": now,
        }

    def delete(self, ids: Sequence[str]) -> int:
        """Tombstone documents (kept for the index to learn of the deletion)."""
        if not ids:
            return 0
        with self.writing() as conn:
            rev = self._bump_rev(conn)
            result = conn.execute(
                documents.update()
                .where(documents.c.id.in_(list(ids)), documents.c.deleted.is_(False))
                .values(deleted=True, rev=rev, updated_at=_now())
            )
            return result.rowcount

    def set_tags(
        self,
        doc_id: str,
        facet: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        editor: str,
    ) -> bool:
        """Record an editor's decision; the document gets a new revision to reach the index."""
        if facet not in TAG_FACETS:
            raise ValueError(f"facet must be one of {TAG_FACETS}")
        now = _now()
        with self.writing() as conn:
            if (
                conn.execute(sa.select(documents.c.id).where(documents.c.id == doc_id)).first()
                is None
            ):
                return False
            decisions = [(v, "add") for v in add] + [(v, "remove") for v in remove]
            for value, action in decisions:
                conn.execute(
                    document_tags.delete().where(
                        document_tags.c.doc_id == doc_id,
                        document_tags.c.facet == facet,
                        document_tags.c.value == value,
                    )
                )
                conn.execute(
                    document_tags.insert().values(
                        doc_id=doc_id,
                        facet=facet,
                        value=value,
                        action=action,
                        editor=editor,
                        updated_at=now,
                    )
                )
            rev = self._bump_rev(conn)
            conn.execute(
                documents.update().where(documents.c.id == doc_id).values(rev=rev, updated_at=now)
            )
        return True

    def fingerprint(self, source: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(import_fingerprints.c.fingerprint).where(
                    import_fingerprints.c.source == source
                )
            ).scalar_one_or_none()

    def set_fingerprint(self, source: str, fingerprint: str) -> None:
        """Record a completed import of ``source`` (call only after its upsert finished)."""
        with self.writing() as conn:
            conn.execute(import_fingerprints.delete().where(import_fingerprints.c.source == source))
            conn.execute(
                import_fingerprints.insert().values(
                    source=source, fingerprint=fingerprint, updated_at=_now()
                )
            )

    # -- reads -------------------------------------------------------------

    def count(self, doc_type: str | None = None, *, include_deleted: bool = False) -> int:
        query = sa.select(sa.func.count()).select_from(documents)
        if not include_deleted:
            query = query.where(documents.c.deleted.is_(False))
        if doc_type:
            query = query.where(documents.c.type == doc_type)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def count_changed_since(self, rev: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(documents).where(documents.c.rev > rev)
            ).scalar_one()

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The document as a flat record with effective tags, or None (also when deleted)."""
        records = self.get_many([doc_id])
        return records[0] if records else None

    def load_document(self, doc_id: str) -> BaseDocument | None:
        """The document as its source gave it (source tags, no editorial decisions)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(documents).where(documents.c.id == doc_id)).first()
        if row is None or row.deleted:
            return None
        data = dict(row.fields or {})
        data.update(
            id=row.id,
            title=row.title,
            body=row.body,
            url=row.url,
            source=row.source,
            region=row.region,
            published_at=row.published_at,
            fetched_at=row.fetched_at,
            content_hash=row.content_hash,
            audiences=row.source_audiences or [],
            topics=row.source_topics or [],
        )
        return document_from_record(row.type, data)

    def get_many(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(documents).where(
                    documents.c.id.in_(list(ids)), documents.c.deleted.is_(False)
                )
            ).all()
            by_id = {r.id: r for r in rows}
            tags = self._tags_for(conn, list(by_id))
        return [self._record(by_id[i], tags.get(i, {})) for i in ids if i in by_id]

    def changes_since(self, rev: int, limit: int = 2000) -> list[dict[str, Any]]:
        """Documents changed after ``rev`` (deleted ones as ``{"id", "deleted": True, "rev"}``)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(documents)
                .where(documents.c.rev > rev)
                .order_by(documents.c.rev, documents.c.id)
                .limit(limit)
            ).all()
            tags = self._tags_for(conn, [r.id for r in rows if not r.deleted])
        return [
            {"id": r.id, "deleted": True, "rev": r.rev}
            if r.deleted
            else self._record(r, tags.get(r.id, {}))
            for r in rows
        ]

    def snapshot(self, batch_size: int = 5000) -> tuple[int, Iterator[list[dict[str, Any]]]]:
        """The revision and all live documents as of one consistent read (for rebuilds)."""
        conn = self.engine.connect()
        trans = conn.begin()
        rev = conn.execute(
            sa.select(catalog_meta.c.value).where(catalog_meta.c.key == "rev")
        ).scalar_one()

        def batches() -> Iterator[list[dict[str, Any]]]:
            try:
                last = ""
                while True:
                    rows = conn.execute(
                        sa.select(documents)
                        .where(documents.c.deleted.is_(False), documents.c.id > last)
                        .order_by(documents.c.id)
                        .limit(batch_size)
                    ).all()
                    if not rows:
                        return
                    tags = self._tags_for(conn, [r.id for r in rows])
                    yield [self._record(r, tags.get(r.id, {})) for r in rows]
                    last = rows[-1].id
            finally:
                trans.rollback()
                conn.close()

        return rev, batches()

    def content_hashes(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(
                conn.execute(
                    sa.select(documents.c.id, documents.c.content_hash).where(
                        documents.c.deleted.is_(False)
                    )
                ).all()
            )

    def law_titles(self) -> frozenset[str]:
        """Titles of the laws whose articles the catalog holds (to resolve citations)."""
        title = sa.func.json_extract(documents.c.fields, "$.law_title")
        if self.engine.dialect.name != "sqlite":
            title = documents.c.fields["law_title"].as_string()
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(title)
                .where(documents.c.type == "statute_article", documents.c.deleted.is_(False))
                .distinct()
            ).scalars()
            return frozenset(t for t in rows if t)

    @staticmethod
    def _tags_for(conn: Connection, ids: list[str]) -> dict[str, dict[str, dict[str, str]]]:
        """doc id → facet → value → action, for the given documents."""
        out: dict[str, dict[str, dict[str, str]]] = {}
        for chunk in _chunks(ids, 500):
            for row in conn.execute(
                sa.select(document_tags).where(document_tags.c.doc_id.in_(list(chunk)))
            ):
                out.setdefault(row.doc_id, {}).setdefault(row.facet, {})[row.value] = row.action
        return out

    @staticmethod
    def _record(row: sa.Row[Any], tags: dict[str, dict[str, str]]) -> dict[str, Any]:
        """Flat record: core fields, type-specific fields, effective audiences/topics."""
        record: dict[str, Any] = dict(row.fields or {})
        record.update(
            id=row.id,
            type=row.type,
            title=row.title,
            body=row.body,
            url=row.url,
            source=row.source,
            region=row.region,
            published_at=row.published_at.isoformat() if row.published_at else None,
            fetched_at=row.fetched_at.isoformat() if row.fetched_at else None,
            content_hash=row.content_hash,
            rev=row.rev,
        )
        for facet, source_values, key in (
            ("audience", row.source_audiences or [], "audiences"),
            ("topic", row.source_topics or [], "topics"),
        ):
            decisions = tags.get(facet, {})
            values = [v for v in source_values if decisions.get(v) != "remove"]
            values += sorted(v for v, a in decisions.items() if a == "add" and v not in values)
            record[key] = values
            record[f"editor_{key}"] = {v: a for v, a in sorted(decisions.items())}
        return record
