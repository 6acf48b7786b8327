"""Crawl state in the catalog: the page ledger, runs and the quarantine.

Why in the catalog: a page's documents, its ledger row (validators, what it
yielded, which run settled it) and the run's counters commit in ONE
transaction. A crawl killed at any instant therefore leaves a ledger that says
exactly which pages are stored, which is what lets a resumed run skip them
without losing the rest, and what makes the run counts exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from indexer.catalog.repository import Catalog, UpsertStats
from indexer.catalog.tables import crawl_pages, crawl_quarantine, crawl_runs
from indexer.models import BaseDocument

RUN_COUNTERS = (
    "pages",
    "not_modified",
    "new",
    "changed",
    "unchanged",
    "failed",
    "quarantined",
    "duplicates",
)
#: A run in one of these states did not finish: the next run of its source resumes it.
RESUMABLE = ("running", "interrupted")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class PageState:
    """What the ledger knows of one page (validators for the next conditional request)."""

    key: str
    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    status: int
    doc_ids: list[str]
    duplicate_of: str | None
    run_id: int


@dataclass
class PageRecord:
    """A settled page to write: stored (docs), not modified (304), duplicate or quarantined."""

    key: str
    url: str
    status: int
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    doc_ids: list[str] | None = None  # None: keep what the ledger has (a 304)
    duplicate_of: str | None = None


@dataclass
class QuarantineRecord:
    url: str
    stage: str  # fetch | validate
    reason: str
    payload: dict[str, Any] | None = None


@dataclass
class Batch:
    """Everything one commit of a crawl writes."""

    docs: list[BaseDocument] = field(default_factory=list)
    pages: list[PageRecord] = field(default_factory=list)
    quarantine: list[QuarantineRecord] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def __bool__(self) -> bool:
        return bool(self.docs or self.pages or self.quarantine or +self.counts)


class CrawlLedger:
    """Runs, pages and quarantine of every source; writes go through ``commit``."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    # -- runs --------------------------------------------------------------

    def start_run(self, source: str) -> tuple[int, bool]:
        """Resume the source's unfinished run (killed before it ended) or start a new one.

        Call only while holding the source's lease: then no other process runs it.
        """
        with self.catalog.writing() as conn:
            last = conn.execute(
                sa.select(crawl_runs.c.id, crawl_runs.c.status)
                .where(crawl_runs.c.source == source)
                .order_by(crawl_runs.c.id.desc())
                .limit(1)
            ).first()
            if last is not None and last.status in RESUMABLE:
                conn.execute(
                    crawl_runs.update()
                    .where(crawl_runs.c.id == last.id)
                    .values(resumed=crawl_runs.c.resumed + 1, status="running", finished_at=None)
                )
                return last.id, True
            run_id = conn.execute(
                crawl_runs.insert().values(source=source, status="running", started_at=_now())
            ).inserted_primary_key[0]
            return int(run_id), False

    def finish_run(self, run_id: int, status: str, message: str | None = None) -> None:
        with self.catalog.writing() as conn:
            conn.execute(
                crawl_runs.update()
                .where(crawl_runs.c.id == run_id)
                .values(status=status, finished_at=_now(), message=message)
            )

    def run(self, run_id: int) -> dict[str, Any] | None:
        with self.catalog.engine.connect() as conn:
            row = conn.execute(sa.select(crawl_runs).where(crawl_runs.c.id == run_id)).first()
        return _run_record(row) if row else None

    def runs(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        query = sa.select(crawl_runs).order_by(crawl_runs.c.id.desc()).limit(limit)
        if source:
            query = query.where(crawl_runs.c.source == source)
        with self.catalog.engine.connect() as conn:
            return [_run_record(row) for row in conn.execute(query)]

    # -- pages -------------------------------------------------------------

    def pages(self, source: str) -> dict[str, PageState]:
        with self.catalog.engine.connect() as conn:
            rows = conn.execute(sa.select(crawl_pages).where(crawl_pages.c.source == source))
            return {
                r.key: PageState(
                    key=r.key,
                    url=r.url,
                    etag=r.etag,
                    last_modified=r.last_modified,
                    content_hash=r.content_hash,
                    status=r.status,
                    doc_ids=list(r.doc_ids or []),
                    duplicate_of=r.duplicate_of,
                    run_id=r.run_id,
                )
                for r in rows
            }

    # -- quarantine ---------------------------------------------------------

    def quarantined(
        self, source: str | None = None, run_id: int | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        query = sa.select(crawl_quarantine).order_by(crawl_quarantine.c.id.desc()).limit(limit)
        if source:
            query = query.where(crawl_quarantine.c.source == source)
        if run_id is not None:
            query = query.where(crawl_quarantine.c.run_id == run_id)
        with self.catalog.engine.connect() as conn:
            return [
                {
                    **dict(row._mapping),
                    "created_at": row.created_at.isoformat(timespec="seconds"),
                }
                for row in conn.execute(query)
            ]

    # -- the one write path --------------------------------------------------

    def commit(self, source: str, run_id: int, batch: Batch) -> UpsertStats:
        """Documents, ledger rows, quarantine rows and run counters in one transaction."""
        now = _now()
        with self.catalog.writing() as conn:
            stats = self.catalog.upsert_in(conn, batch.docs) if batch.docs else UpsertStats()
            self._write_pages(conn, source, run_id, batch.pages, now)
            if batch.quarantine:
                conn.execute(
                    crawl_quarantine.insert(),
                    [
                        {
                            "run_id": run_id,
                            "source": source,
                            "url": q.url,
                            "stage": q.stage,
                            "reason": q.reason,
                            "payload": q.payload,
                            "created_at": now,
                        }
                        for q in batch.quarantine
                    ],
                )
            counts = batch.counts + Counter(stats.as_dict())
            values = {
                k: getattr(crawl_runs.c, k) + v
                for k, v in counts.items()
                if v and k in RUN_COUNTERS
            }
            if values:
                conn.execute(crawl_runs.update().where(crawl_runs.c.id == run_id).values(values))
        return stats

    @staticmethod
    def _write_pages(
        conn: Connection, source: str, run_id: int, pages: Sequence[PageRecord], now: datetime
    ) -> None:
        if not pages:
            return
        keys = [p.key for p in pages]
        known = {
            r.key: r
            for r in conn.execute(
                sa.select(crawl_pages.c.key, crawl_pages.c.doc_ids).where(
                    crawl_pages.c.key.in_(keys)
                )
            )
        }
        inserts, updates = [], []
        for page in pages:
            row = {
                "key": page.key,
                "source": source,
                "url": page.url,
                "etag": page.etag,
                "last_modified": page.last_modified,
                "content_hash": page.content_hash,
                "status": page.status,
                "doc_ids": page.doc_ids,
                "duplicate_of": page.duplicate_of,
                "run_id": run_id,
                "fetched_at": now,
            }
            if page.key in known:
                if page.doc_ids is None:  # not modified: keep hash, doc ids and validators
                    row = {"key": page.key, "run_id": run_id, "fetched_at": now}
                updates.append(row)
            else:
                row["doc_ids"] = row["doc_ids"] or []
                inserts.append(row)
        if inserts:
            conn.execute(crawl_pages.insert(), inserts)
        for row in updates:
            key = row.pop("key")
            conn.execute(crawl_pages.update().where(crawl_pages.c.key == key).values(row))


def _run_record(row: sa.Row[Any]) -> dict[str, Any]:
    record = dict(row._mapping)
    for key in ("started_at", "finished_at"):
        if record[key] is not None:
            record[key] = record[key].isoformat(timespec="seconds")
    return record
