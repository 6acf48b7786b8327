"""Replayable answers shared by the worker processes of one ``fasou serve`` (SQLite).

Each worker keeps its own LRU (``response_cache.py``), so with N workers every popular
question was computed N times before it was cached everywhere: under the load test
those first-time misses were most of the server's CPU. Workers started together
therefore also share their answers through one SQLite file that ``fasou serve``
makes fresh for the run (``FASOU_SHARED_ANSWERS``): a worker that misses its own
LRU looks here before computing, and stores what it computed. Keys carry the index
version, as in the LRU, so an answer is only ever found for the index it came from;
rows of other versions are deleted when a worker first sees a new one.

Never in the way: reads and writes are single-row statements in WAL mode without
fsync (a lost answer is only a miss), and a write that would wait for the other
worker's lock is skipped.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import orjson

from search_api.core.gzip_pieces import Pieces
from search_api.core.response_cache import Answer

log = logging.getLogger(__name__)

#: Set by ``fasou serve`` for its workers: the run's SQLite file.
SHARED_ANSWERS_ENV = "FASOU_SHARED_ANSWERS"
#: Rows kept at most (≈4 KB each: answers stay gzipped, as in the LRU); the oldest go first.
MAX_ROWS = 20_000


class SharedAnswers:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._version: str | None = None
        self._puts = 0

    def _conn(self) -> sqlite3.Connection:
        """Opened on first use: in the worker process, not the one that built the app."""
        if self._db is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=0.005)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            db.execute(
                "CREATE TABLE IF NOT EXISTS answers (key BLOB PRIMARY KEY, version TEXT,"
                " head BLOB, tail BLOB, crc INTEGER, length INTEGER, after BLOB,"
                " headers BLOB, total INTEGER, relaxed INTEGER)"
            )
            self._db = db
        return self._db

    def get(self, key: tuple[Any, ...]) -> Answer | None:
        """The answer stored under the middleware's ``key`` (kind, index version, query)."""
        _, version, query = key
        try:
            row = (
                self._conn()
                .execute(
                    "SELECT head, tail, crc, length, after, headers, total, relaxed"
                    " FROM answers WHERE key = ?",
                    (_key(repr(version), query),),
                )
                .fetchone()
            )
        except sqlite3.Error:
            return None
        if row is None:
            return None
        head, tail, crc, length, after, headers, total, relaxed = row
        pairs = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in orjson.loads(headers)]
        return Answer(Pieces(head, tail, crc, length), after, pairs, total, bool(relaxed))

    def put(self, key: tuple[Any, ...], answer: Answer) -> None:
        _, version, query = key
        label = repr(version)
        encoded = orjson.dumps(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in answer.headers]
        )
        try:
            db = self._conn()
            if label != self._version:  # a new index: answers of the old ones are dead
                db.execute("DELETE FROM answers WHERE version != ?", (label,))
                self._version = label
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _key(label, query),
                    label,
                    *answer.gzip,
                    answer.after,
                    encoded,
                    answer.total,
                    int(answer.relaxed),
                ),
            )
            self._puts += 1
            if self._puts % 1000 == 0:
                db.execute(
                    "DELETE FROM answers WHERE rowid <= (SELECT max(rowid) FROM answers) - ?",
                    (MAX_ROWS,),
                )
        except sqlite3.OperationalError:  # the other worker holds the lock: skip, not wait
            pass
        except sqlite3.Error:
            log.warning("could not share a search answer", exc_info=True)


def _key(label: str, query: bytes) -> bytes:
    return label.encode() + b"\0" + query
