"""The analytics store: events as Parquet segments per ISO week, read with DuckDB.

Why files and not a database: any process may append (each writes new
segment files and renames them into place, so writers never conflict), DuckDB
reads Parquet fast, and a week's data is a directory that retention can drop.
The catalog stays the source of truth for profiles; this store is derived,
pseudonymous data that can be dropped at any time (``fasou analytics drop``).

Layout under ``FASOU_ANALYTICS_DIR`` (default ``<data_dir>/analytics``)::

    key                          HMAC key for pseudonyms (created on first use, 0600)
    LOCK                         flock: shared to append/read, exclusive to rewrite
    events/<monday>/<seg>.parquet

Client ids never reach a file: an event's ``subject`` is the first 8 bytes of
HMAC-SHA256(key, client id), enough to count distinct profiles and to find a
profile's events again for erasure, and useless without the key. Rewrites
(erasure, retention, compaction) hold the lock exclusively, so a reader never
sees half of one. Aggregates are not stored here: ``reports`` keeps them in memory
per segment state (``segment_states``), so a rewrite invalidates them by itself.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from fasou.analytics.events import Row, week_of

#: Columns as stored (``INGEST`` builds them from the ingest frame, ``EMPTY`` is a
#: week without events). Lists arrive as comma-joined text and are split by DuckDB
#: (ids contain no commas): ingesting Python lists is ~10x slower.
COLUMNS = (
    "ts",
    "week",
    "kind",
    "subject",
    "audiences",
    "region",
    "query",
    "topics",
    "doc_id",
    "doc_type",
    "results",
    "zero",
    "shown",
)
INGEST = """
CREATE TEMP TABLE batch AS SELECT
    CAST(ts AS TIMESTAMP) AS ts,
    CAST(date_trunc('week', ts) AS DATE) AS week,
    CAST(kind AS VARCHAR) AS kind,
    CAST(subject AS UBIGINT) AS subject,
    CASE WHEN audiences = '' THEN []::VARCHAR[] ELSE string_split(audiences, ',') END
        AS audiences,
    CAST(region AS VARCHAR) AS region,
    CAST(query AS VARCHAR) AS query,
    CASE WHEN topics = '' THEN []::VARCHAR[] ELSE string_split(topics, ',') END AS topics,
    CAST(doc_id AS VARCHAR) AS doc_id,
    CAST(doc_type AS VARCHAR) AS doc_type,
    CAST(results AS INTEGER) AS results,
    CAST(zero AS BOOLEAN) AS zero,
    CASE WHEN shown = '' THEN []::VARCHAR[] ELSE string_split(shown, ',') END AS shown
FROM _frame
"""
EMPTY = """
SELECT NULL::TIMESTAMP AS ts, NULL::DATE AS week, NULL::VARCHAR AS kind,
    NULL::UBIGINT AS subject, NULL::VARCHAR[] AS audiences, NULL::VARCHAR AS region,
    NULL::VARCHAR AS query, NULL::VARCHAR[] AS topics, NULL::VARCHAR AS doc_id,
    NULL::VARCHAR AS doc_type, NULL::INTEGER AS results, NULL::BOOLEAN AS zero,
    NULL::VARCHAR[] AS shown
LIMIT 0
"""
#: A week with more segments than this is merged into one by ``compact``.
COMPACT_AFTER_SEGMENTS = 24


def events_view(con: Any, files: Sequence[Path], name: str = "events") -> None:
    """Make ``name`` a view over these segment files, so every query is a fixed string."""
    relation = con.read_parquet([str(f) for f in files]) if files else con.sql(EMPTY)
    relation.create_view(name, replace=True)


class AnalyticsStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.events_dir = self.root / "events"
        self.events_dir.mkdir(parents=True, exist_ok=True)
        self._key = self._load_key()

    # -- pseudonyms -------------------------------------------------------------

    def _load_key(self) -> bytes:
        path = self.root / "key"
        if not path.exists():
            tmp = path.with_suffix(f".{uuid.uuid4().hex}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)  # first process wins; the others read its key
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return bytes.fromhex(path.read_text().strip())

    def subject(self, client_id: str) -> int:
        digest = hmac.new(self._key, client_id.encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big")

    # -- locking ------------------------------------------------------------------

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        with open(self.root / "LOCK", "a") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def reading(self) -> Any:
        """Hold while listing and reading segments: no rewrite can happen meanwhile."""
        return self._locked(fcntl.LOCK_SH)

    def rewriting(self) -> Any:
        return self._locked(fcntl.LOCK_EX)

    # -- writing ----------------------------------------------------------------

    def append(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        self.append_columns(
            {
                "ts": np.array([r.at for r in rows], dtype="datetime64[us]"),
                "kind": np.array([r.kind for r in rows], dtype=object),
                "subject": np.array([r.subject for r in rows], dtype=np.uint64),
                "audiences": np.array([",".join(r.audiences) for r in rows], dtype=object),
                "region": np.array([r.region for r in rows], dtype=object),
                "query": np.array([r.query for r in rows], dtype=object),
                "topics": np.array([",".join(r.topics) for r in rows], dtype=object),
                "doc_id": np.array([r.doc_id for r in rows], dtype=object),
                "doc_type": np.array([r.doc_type for r in rows], dtype=object),
                "results": np.array([r.results for r in rows], dtype=np.int32),
                "zero": np.array([r.zero for r in rows], dtype=bool),
                "shown": np.array([",".join(r.shown) for r in rows], dtype=object),
            }
        )

    def append_columns(self, columns: Mapping[str, np.ndarray]) -> int:
        """Append events given as equal-length arrays (lists comma-joined); one segment
        per week touched. Returns the number of events written."""
        con = duckdb.connect()
        try:
            con.register("_frame", dict(columns))
            con.execute(INGEST)
            weeks = [w for (w,) in con.execute("SELECT DISTINCT week FROM batch").fetchall()]
            with self.reading():  # a rewrite must not list the week while we add to it
                for week in weeks:
                    target = self.week_dir(week) / f"seg-{uuid.uuid4().hex}.parquet"
                    _copy_atomically(
                        con,
                        "COPY (SELECT * FROM batch WHERE week = $week ORDER BY ts) "
                        "TO $path (FORMAT parquet, COMPRESSION zstd)",
                        {"week": week},
                        target,
                    )
            return con.execute("SELECT count(*) FROM batch").fetchall()[0][0]
        finally:
            con.close()

    # -- reading ------------------------------------------------------------------

    def week_dir(self, week: date) -> Path:
        return self.events_dir / week.isoformat()

    def weeks(self) -> list[date]:
        out = []
        for child in self.events_dir.iterdir():
            try:
                out.append(date.fromisoformat(child.name))
            except ValueError:
                continue
        return sorted(out)

    def segments(self, week: date) -> list[Path]:
        directory = self.week_dir(week)
        if not directory.is_dir():
            return []
        return sorted(directory.glob("seg-*.parquet"))

    def segment_states(self, week: date) -> dict[str, str]:
        """Each segment's name → size and mtime: a new batch adds a name; a rewrite
        (erasure, retention, compaction) changes or removes one."""
        states = {}
        for path in self.segments(week):
            stat = path.stat()
            states[path.name] = f"{stat.st_size}:{stat.st_mtime_ns}"
        return states

    def count(self, client_id: str | None = None) -> int:
        """How many events are stored (of one client, when given)."""
        con = duckdb.connect()
        try:
            with self.reading():
                events_view(con, [f for w in self.weeks() for f in self.segments(w)])
                if client_id is None:
                    return con.execute("SELECT count(*) FROM events").fetchall()[0][0]
                return con.execute(
                    "SELECT count(*) FROM events WHERE subject = $s",
                    {"s": self.subject(client_id)},
                ).fetchall()[0][0]
        finally:
            con.close()

    def stats(self) -> dict[str, Any]:
        weeks = self.weeks()
        return {
            "weeks": len(weeks),
            "segments": sum(len(self.segments(w)) for w in weeks),
        }

    # -- rewriting: erasure, retention, compaction ---------------------------------

    def _rewrite(self, week: date, keep: str, params: dict[str, Any]) -> int:
        """Keep only rows matching ``keep`` (a ``KEEP_*`` condition) in every segment of
        ``week``; returns how many rows went. Caller holds the exclusive lock."""
        removed = 0
        con = duckdb.connect()
        try:
            for path in self.segments(week):
                events_view(con, [path])
                total, kept = con.execute(REWRITE_COUNT[keep], params).fetchall()[0]
                if kept == total:
                    continue
                removed += total - kept
                if kept == 0:
                    path.unlink()
                    continue
                _copy_atomically(con, REWRITE_COPY[keep], params, path)
        finally:
            con.close()
        return removed

    def erase(self, client_id: str) -> int:
        """Delete every event of ``client_id`` (and the weeks' aggregates containing it)."""
        subject = self.subject(client_id)
        with self.rewriting():
            return sum(
                self._rewrite(week, "subject", {"subject": subject}) for week in self.weeks()
            )

    def purge(self, before: datetime) -> int:
        """Delete events older than ``before``: whole weeks at once, the boundary week
        row by row."""
        removed = 0
        with self.rewriting():
            for week in self.weeks():
                if week >= week_of(before):
                    if week == week_of(before):
                        removed += self._rewrite(week, "since", {"since": before})
                    continue
                con = duckdb.connect()
                try:
                    events_view(con, self.segments(week))
                    removed += con.execute("SELECT count(*) FROM events").fetchall()[0][0]
                finally:
                    con.close()
                shutil.rmtree(self.week_dir(week), ignore_errors=True)
        return removed

    def compact(self, min_segments: int = COMPACT_AFTER_SEGMENTS) -> int:
        """Merge each week having more than ``min_segments`` segments into one; returns
        the number of weeks merged. Small files make every read slower."""
        merged = 0
        for week in self.weeks():
            if len(self.segments(week)) <= min_segments:
                continue
            with self.rewriting():
                files = self.segments(week)
                if len(files) < 2:
                    continue
                con = duckdb.connect()
                try:
                    events_view(con, files)
                    target = self.week_dir(week) / f"seg-{uuid.uuid4().hex}.parquet"
                    _copy_atomically(
                        con,
                        "COPY (SELECT * FROM events ORDER BY ts) "
                        "TO $path (FORMAT parquet, COMPRESSION zstd)",
                        {},
                        target,
                    )
                finally:
                    con.close()
                for path in files:
                    path.unlink()
                merged += 1
        return merged

    def drop(self) -> None:
        """Delete every event (the pseudonym key too)."""
        with self.rewriting():
            shutil.rmtree(self.events_dir, ignore_errors=True)
            (self.root / "key").unlink(missing_ok=True)
        self.events_dir.mkdir(parents=True, exist_ok=True)
        self._key = self._load_key()


#: Rewrites: which rows a segment keeps (erasure: not the subject; retention: recent).
REWRITE_COUNT = {
    "subject": "SELECT count(*), count(*) FILTER (WHERE subject <> $subject) FROM events",
    "since": "SELECT count(*), count(*) FILTER (WHERE ts >= $since) FROM events",
}
REWRITE_COPY = {
    "subject": "COPY (SELECT * FROM events WHERE subject <> $subject) "
    "TO $path (FORMAT parquet, COMPRESSION zstd)",
    "since": "COPY (SELECT * FROM events WHERE ts >= $since) "
    "TO $path (FORMAT parquet, COMPRESSION zstd)",
}


def _copy_atomically(con: Any, copy: str, params: dict[str, Any], target: Path) -> None:
    """Run a ``COPY … TO $path`` into a temporary file, then rename it over ``target``:
    readers see the old file or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        con.execute(copy, params | {"path": str(tmp)})
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
