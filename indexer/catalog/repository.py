"""The catalog: the source of truth every index is derived from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from indexer.catalog import tagging
from indexer.catalog.bulk import insert_many
from indexer.catalog.db import create_catalog_engine, migrate
from indexer.catalog.dialect import WRITE_OPTION, json_text, snapshot_connection
from indexer.catalog.revisions import bump_rev, current_rev, utcnow
from indexer.catalog.tables import (
    document_links,
    document_tags,
    documents,
    import_fingerprints,
    suggested_tags,
)
from indexer.catalog.tagging import TAG_FACETS, DocTags, TagEdit, TagWriteResult, effective_values
from indexer.models import CORE_FIELDS, BaseDocument, document_from_record
from indexer.ranking import SUGGESTION_MIN_CONFIDENCE

__all__ = ["TAG_FACETS", "Catalog", "TagEdit", "UpsertStats"]


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


def _without(data: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    """``data`` minus ``keys``, in its order (a copy and a few deletions: per-document hot path)."""
    out = dict(data)
    for key in keys & out.keys():
        del out[key]
    return out


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
        """A write transaction, waiting for other writers (SQLite: BEGIN IMMEDIATE;
        PostgreSQL: the catalog's advisory lock — see ``dialect``)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # -- revisions ---------------------------------------------------------

    def max_rev(self) -> int:
        with self.engine.connect() as conn:
            return current_rev(conn)

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
        now = utcnow()
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
            rev = bump_rev(conn)
            written = {"rev": rev, "content_rev": rev, "deleted": False, "updated_at": now}
            insert_many(conn, documents, inserts, written | {"created_at": now})
            if updates:
                for row in updates:
                    row.update(written, b_id=row["id"])
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
        """Re-derive the ``cites`` links of new or changed documents from their content.

        Only types that cite (cases, videos, articles) have links: a statute article's id
        never was anything else's, so the tens of thousands of them a crawl writes
        need no delete.
        """
        docs = [d for d in docs if "cites" in type(d).model_fields]
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
            for cite in doc.cites or []  # type: ignore[attr-defined]
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

    def links_among(self, ids: Sequence[str], kind: str = "cites") -> dict[str, list[str]]:
        """For each id: the documents it links to and the live ones linking to it (one query)."""
        out: dict[str, list[str]] = {i: [] for i in ids}
        if not ids:
            return out
        links = document_links
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(links.c.src_id, links.c.dst_id)
                .where(
                    links.c.kind == kind,
                    sa.or_(links.c.src_id.in_(list(ids)), links.c.dst_id.in_(list(ids))),
                )
                .order_by(links.c.src_id, links.c.dst_id)
            ).all()
        for src, dst in rows:
            if src in out and dst not in out[src]:
                out[src].append(dst)
            if dst in out and src not in out[dst]:
                out[dst].append(src)
        return out

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
            "fields": _without(dumped, CORE_FIELDS),
            "source_audiences": list(doc.audiences),
            "source_topics": list(doc.topics),
        }

    def delete(self, ids: Sequence[str]) -> int:
        """Tombstone documents (kept for the index to learn of the deletion)."""
        if not ids:
            return 0
        with self.writing() as conn:
            rev = bump_rev(conn)
            result = conn.execute(
                documents.update()
                .where(documents.c.id.in_(list(ids)), documents.c.deleted.is_(False))
                .values(deleted=True, rev=rev, updated_at=utcnow())
            )
            return result.rowcount

    def set_tags(
        self,
        doc_id: str,
        facet: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        clear: Sequence[str] = (),
        editor: str,
    ) -> bool:
        """Record an editor's decision; False when the document does not exist.

        Audited like every tag write; the document gets a new revision to reach the index.
        """
        edit = TagEdit(doc_id, facet, tuple(add), tuple(remove), tuple(clear))
        return doc_id not in self.set_tags_many([edit], editor=editor).missing

    def set_tags_many(
        self, edits: Sequence[TagEdit], *, editor: str, job_id: int | None = None
    ) -> TagWriteResult:
        """Several decisions in one transaction and one revision (see ``tagging``)."""
        with self.writing() as conn:
            return tagging.write_tags(conn, edits, editor=editor, job_id=job_id)

    def undo_tag_changes(
        self, change_ids: Sequence[int], *, editor: str, job_id: int | None = None
    ) -> TagWriteResult:
        """Restore the state before each change; changed-since ones come back as conflicts."""
        with self.writing() as conn:
            return tagging.undo_changes(conn, change_ids, editor=editor, job_id=job_id)

    def tag_state(self, doc_ids: Sequence[str]) -> dict[str, DocTags]:
        """Source values and editor decisions per facet, for editors' views."""
        with self.engine.connect() as conn:
            return tagging.load_tags(conn, doc_ids)

    def tag_changes(self, **filters: Any) -> list[dict[str, Any]]:
        """The audit log, newest first (filters: ``tagging.list_changes``)."""
        with self.engine.connect() as conn:
            return tagging.list_changes(conn, **filters)

    def job_changes_in_effect(self, job_id: int) -> list[int]:
        with self.engine.connect() as conn:
            return tagging.job_change_ids(conn, job_id)

    def tag_change(self, change_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return tagging.get_change(conn, change_id)

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
                    source=source, fingerprint=fingerprint, updated_at=utcnow()
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

    def live_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` exist and are not deleted."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(list(ids), 500):
                found.update(
                    conn.execute(
                        sa.select(documents.c.id).where(
                            documents.c.id.in_(list(chunk)), documents.c.deleted.is_(False)
                        )
                    ).scalars()
                )
        return found

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

    def get_many(self, ids: Sequence[str], *, editorial: bool = True) -> list[dict[str, Any]]:
        """Live records of ``ids`` in that order; ``editorial=False`` leaves out the tag
        fields (for readers of content only, such as the tagger: a third cheaper)."""
        if not ids:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(documents).where(
                    documents.c.id.in_(list(ids)), documents.c.deleted.is_(False)
                )
            ).all()
            by_id = {r.id: r for r in rows}
            if not editorial:
                return [self._content(by_id[i]) for i in ids if i in by_id]
            tags = self._tags_for(conn, list(by_id))
            suggested = self._suggestions_for(conn, list(by_id))
        return [
            self._record(by_id[i], tags.get(i, {}), suggested.get(i, {})) for i in ids if i in by_id
        ]

    def changes_since(
        self, rev: int, limit: int = 2000, *, content_upto: int | None = None
    ) -> list[dict[str, Any]]:
        """Documents changed after ``rev``, in revision order.

        Deleted ones come as ``{"id", "deleted": True, "rev"}``. With
        ``content_upto`` (the revision an index already holds), a document whose
        content is not newer than that comes as a tag patch ``{"id", "rev",
        "patch": {...}}`` — the record keys that editorial decisions derive —
        instead of the full record: reading and shaping full rows is the costly
        part of applying a bulk tag.
        """
        with self.engine.connect() as conn:
            heads = conn.execute(
                sa.select(
                    documents.c.id, documents.c.rev, documents.c.content_rev, documents.c.deleted
                )
                .where(documents.c.rev > rev)
                .order_by(documents.c.rev, documents.c.id)
                .limit(limit)
            ).all()

            def tag_only(head: sa.Row[Any]) -> bool:
                return (
                    content_upto is not None
                    and head.content_rev is not None
                    and head.content_rev <= content_upto
                )

            live = [h for h in heads if not h.deleted]
            full_ids = [h.id for h in live if not tag_only(h)]
            patch_ids = [h.id for h in live if tag_only(h)]
            rows: dict[str, sa.Row[Any]] = {}
            for chunk in _chunks(full_ids, 500):
                rows.update(
                    (r.id, r)
                    for r in conn.execute(sa.select(documents).where(documents.c.id.in_(chunk)))
                )
            tags = self._tags_for(conn, full_ids + patch_ids)
            # Suggestions are editorial-side data too: a retagging bumps only ``rev``.
            suggested = self._suggestions_for(conn, full_ids + patch_ids)
            sources: dict[str, sa.Row[Any]] = {}
            for chunk in _chunks(patch_ids, 500):
                sources.update(
                    (r.id, r)
                    for r in conn.execute(
                        sa.select(
                            documents.c.id, documents.c.source_audiences, documents.c.source_topics
                        ).where(documents.c.id.in_(chunk))
                    )
                )
        out: list[dict[str, Any]] = []
        for head in heads:
            if head.deleted:
                out.append({"id": head.id, "deleted": True, "rev": head.rev})
            elif head.id in sources:
                src = sources[head.id]
                patch = self._tag_fields(src, tags.get(head.id, {}), suggested.get(head.id, {})) | {
                    "rev": head.rev
                }
                out.append({"id": head.id, "rev": head.rev, "patch": patch})
            else:
                out.append(
                    self._record(rows[head.id], tags.get(head.id, {}), suggested.get(head.id, {}))
                )
        return out

    def snapshot(self, batch_size: int = 5000) -> tuple[int, Iterator[list[dict[str, Any]]]]:
        """The revision and all live documents as of one consistent read (for rebuilds)."""
        conn = snapshot_connection(self.engine)
        trans = conn.begin()
        rev = current_rev(conn)

        def batches() -> Iterator[list[dict[str, Any]]]:
            try:
                last = ""
                while True:
                    # Deleted rows are read and skipped here: with ``deleted`` in the
                    # WHERE clause SQLite picks that index and sorts every live row for
                    # each batch (0.48 s a batch against 0.08 s along the primary key).
                    page = conn.execute(
                        sa.select(documents)
                        .where(documents.c.id > last)
                        .order_by(documents.c.id)
                        .limit(batch_size)
                    ).all()
                    if not page:
                        return
                    last = page[-1].id
                    rows = [r for r in page if not r.deleted]
                    if not rows:
                        continue
                    ids = [r.id for r in rows]
                    tags = self._tags_for(conn, ids)
                    suggested = self._suggestions_for(conn, ids)
                    yield [
                        self._record(r, tags.get(r.id, {}), suggested.get(r.id, {})) for r in rows
                    ]
            finally:
                trans.rollback()
                conn.close()

        return rev, batches()

    def tag_supply(self) -> dict[tuple[str, str], int]:
        """(audience, topic) → live documents carrying both (effective tags and suggestions
        that count, as filters see them): the supply side of the content-gaps report."""
        counts: dict[tuple[str, str], int] = {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(documents.c.id, documents.c.source_audiences, documents.c.source_topics)
                .where(documents.c.deleted.is_(False))
                .order_by(documents.c.id)
            ).all()
            for chunk in _chunks(rows, 500):
                ids = [r.id for r in chunk]
                tags, suggested = self._tags_for(conn, ids), self._suggestions_for(conn, ids)
                for row in chunk:
                    fields = self._tag_fields(row, tags.get(row.id, {}), suggested.get(row.id))
                    for audience in [*fields["audiences"], *fields["suggested_audiences"]]:
                        for topic in [*fields["topics"], *fields["suggested_topics"]]:
                            counts[audience, topic] = counts.get((audience, topic), 0) + 1
        return counts

    def content_hashes(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(
                conn.execute(
                    sa.select(documents.c.id, documents.c.content_hash).where(
                        documents.c.deleted.is_(False)
                    )
                ).all()
            )

    def index_hashes(self) -> dict[str, str]:
        """id → ``index_hash`` (content + effective tags) of live documents, for verification."""
        # Imported here: the index fields pull in text analysis (the jieba dictionary),
        # which writers of the catalog — a crawl, an import — never need.
        from indexer.backends.fields import index_hash

        with self.engine.connect() as conn:
            tags = self._tags_for(conn, None)
            suggested = self._suggestions_for(conn, None)
            rows = conn.execute(
                sa.select(
                    documents.c.id,
                    documents.c.content_hash,
                    documents.c.source_audiences,
                    documents.c.source_topics,
                ).where(documents.c.deleted.is_(False))
            )
            return {
                row.id: index_hash(
                    {"content_hash": row.content_hash}
                    | self._tag_fields(row, tags.get(row.id, {}), suggested.get(row.id, {}))
                )
                for row in rows
            }

    def law_titles(self) -> frozenset[str]:
        """Titles of the laws whose articles the catalog holds (to resolve citations)."""
        title = json_text(self.engine, documents.c.fields, "law_title")
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(title)
                .where(documents.c.type == "statute_article", documents.c.deleted.is_(False))
                .distinct()
            ).scalars()
            return frozenset(t for t in rows if t)

    @staticmethod
    def _tags_for(conn: Connection, ids: list[str] | None) -> dict[str, dict[str, dict[str, str]]]:
        """doc id → facet → value → action, for the given documents (None: every document)."""
        out: dict[str, dict[str, dict[str, str]]] = {}
        queries = (
            [sa.select(document_tags)]
            if ids is None
            else [
                sa.select(document_tags).where(document_tags.c.doc_id.in_(list(chunk)))
                for chunk in _chunks(ids, 500)
            ]
        )
        for query in queries:
            for row in conn.execute(query):
                out.setdefault(row.doc_id, {}).setdefault(row.facet, {})[row.value] = row.action
        return out

    @staticmethod
    def _suggestions_for(
        conn: Connection, ids: list[str] | None
    ) -> dict[str, dict[str, dict[str, float]]]:
        """doc id → facet → value → confidence, for suggestions that count (strongest source).

        ``ids=None``: every document.
        """
        out: dict[str, dict[str, dict[str, float]]] = {}
        query = (
            sa.select(
                suggested_tags.c.doc_id,
                suggested_tags.c.facet,
                suggested_tags.c.value,
                sa.func.max(suggested_tags.c.confidence).label("confidence"),
            )
            .where(suggested_tags.c.confidence >= SUGGESTION_MIN_CONFIDENCE)
            .group_by(suggested_tags.c.doc_id, suggested_tags.c.facet, suggested_tags.c.value)
        )
        queries = (
            [query]
            if ids is None
            else [query.where(suggested_tags.c.doc_id.in_(list(c))) for c in _chunks(ids, 500)]
        )
        for chunked in queries:
            for row in conn.execute(chunked):
                out.setdefault(row.doc_id, {}).setdefault(row.facet, {})[row.value] = round(
                    row.confidence, 4
                )
        return out

    def suggestions(self, doc_id: str) -> list[dict[str, Any]]:
        """Every stored suggestion of a document with its provenance (for editors)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(suggested_tags)
                .where(suggested_tags.c.doc_id == doc_id)
                .order_by(
                    suggested_tags.c.facet,
                    suggested_tags.c.confidence.desc(),
                    suggested_tags.c.value,
                    suggested_tags.c.provenance,
                )
            ).all()
        return [
            {
                "facet": r.facet,
                "value": r.value,
                "confidence": r.confidence,
                "provenance": r.provenance,
                "model_version": r.model_version,
                "counts": r.confidence >= SUGGESTION_MIN_CONFIDENCE,
            }
            for r in rows
        ]

    @staticmethod
    def _record(
        row: sa.Row[Any],
        tags: dict[str, dict[str, str]],
        suggested: dict[str, dict[str, float]] | None = None,
    ) -> dict[str, Any]:
        """Flat record: core fields, type-specific fields, effective audiences/topics.

        ``suggested_audiences``/``suggested_topics`` hold the automatic suggestions
        that count (value → confidence) and that neither an editor removed nor the
        editorial tags already contain: an editor's decision always wins.
        """
        record = Catalog._content(row)
        record.update(Catalog._tag_fields(row, tags, suggested))
        return record

    @staticmethod
    def _content(row: sa.Row[Any]) -> dict[str, Any]:
        """Core and type-specific fields of a row, without the editorial ones."""
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
        return record

    @staticmethod
    def _tag_fields(
        row: Any,
        tags: dict[str, dict[str, str]],
        suggested: dict[str, dict[str, float]] | None = None,
    ) -> dict[str, Any]:
        """The record keys editorial data derive: effective (source ± editors), editor
        and counting suggested tags per facet (editors' decisions always win)."""
        fields: dict[str, Any] = {}
        for facet, source_values, key in (
            ("audience", row.source_audiences or [], "audiences"),
            ("topic", row.source_topics or [], "topics"),
        ):
            decisions = tags.get(facet, {})
            values = effective_values(source_values, decisions)
            fields[key] = values
            fields[f"editor_{key}"] = {v: a for v, a in sorted(decisions.items())}
            fields[f"suggested_{key}"] = {
                v: c
                for v, c in sorted((suggested or {}).get(facet, {}).items())
                if decisions.get(v) != "remove" and v not in values
            }
        return fields
