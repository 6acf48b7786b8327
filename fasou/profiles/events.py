"""Profile events behind a small interface, so a high-volume pipeline can replace the store.

An event is minimal: the client id, its kind, the document (if any), the
taxonomy values it signals (a search stores the topics/audiences its words
name — never the query text), and the time. No IP, no user agent.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

import sqlalchemy as sa

from indexer.catalog import Catalog
from indexer.catalog.tables import profile_events, profiles

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    search = "search"
    view = "view"
    click = "click"
    useful = "useful"  # 有用
    not_useful = "not_useful"  # 没用


#: How much each kind says about a resident's interests (negative: less of this).
EVENT_WEIGHTS: dict[EventKind, float] = {
    EventKind.search: 0.5,
    EventKind.view: 0.5,
    EventKind.click: 1.0,
    EventKind.useful: 2.0,
    EventKind.not_useful: -1.0,
}
#: Kinds that mean the resident has seen the document (the feed leaves it out).
SEEN_KINDS = frozenset({EventKind.view, EventKind.click, EventKind.useful, EventKind.not_useful})


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Event:
    client_id: str
    kind: EventKind
    doc_id: str | None = None
    #: taxonomy values as "facet:value", e.g. "topic:labor".
    signals: tuple[str, ...] = ()
    at: datetime = field(default_factory=utcnow)


T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


class EventSink(Protocol[T_contra]):
    """What a background writer needs of a store: append a batch, purge, erase one client."""

    def append(self, events: Sequence[T_contra]) -> None: ...

    def erase(self, client_id: str) -> int:
        """Delete every event of ``client_id``; returns how many."""

    def purge(self, before: datetime) -> int:
        """Delete events older than ``before``; returns how many."""


class EventStore(EventSink[Event], Protocol):
    """Where profile events go and how they are read back (the analytics store,
    ``fasou.analytics``, is another sink fed from the same kind of writer)."""

    def events_for(self, client_id: str, since: datetime) -> list[Event]: ...


class SqlEventStore:
    """Events in the catalog database (``profile_events``), written without a catalog revision."""

    #: Interests and seen items read at most this many recent events per profile.
    MAX_EVENTS_READ = 500

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def append(self, events: Sequence[Event]) -> None:
        if not events:
            return
        with self.catalog.writing() as conn:
            known = set(
                conn.execute(
                    sa.select(profiles.c.client_id).where(
                        profiles.c.client_id.in_({e.client_id for e in events})
                    )
                ).scalars()
            )
            # An event makes an implicit profile: a resident need not declare anything.
            for client_id in sorted({e.client_id for e in events} - known):
                now = utcnow()
                conn.execute(
                    profiles.insert().values(
                        client_id=client_id, declared={}, created_at=now, updated_at=now
                    )
                )
            conn.execute(
                profile_events.insert(),
                [
                    {
                        "client_id": e.client_id,
                        "kind": str(e.kind),
                        "doc_id": e.doc_id,
                        "signals": list(e.signals),
                        "at": e.at,
                    }
                    for e in events
                ],
            )

    def events_for(self, client_id: str, since: datetime) -> list[Event]:
        with self.catalog.engine.connect() as conn:
            rows = conn.execute(
                sa.select(profile_events)
                .where(profile_events.c.client_id == client_id, profile_events.c.at >= since)
                .order_by(profile_events.c.at.desc(), profile_events.c.id.desc())
                .limit(self.MAX_EVENTS_READ)
            ).all()
        return [
            Event(r.client_id, EventKind(r.kind), r.doc_id, tuple(r.signals or ()), r.at)
            for r in rows
        ]

    def erase(self, client_id: str) -> int:
        with self.catalog.writing() as conn:
            return conn.execute(
                profile_events.delete().where(profile_events.c.client_id == client_id)
            ).rowcount

    def purge(self, before: datetime) -> int:
        with self.catalog.writing() as conn:
            return conn.execute(
                profile_events.delete().where(profile_events.c.at < before)
            ).rowcount


class _Marker:
    """A flush request travelling through the queue behind the events before it."""

    def __init__(self) -> None:
        self.done = threading.Event()


class BackgroundEventWriter(Generic[T]):
    """Takes events off the request path: a queue drained in batches by one thread.

    A search never waits for the store (the catalog's write lock, which an import
    may hold for a while, or the analytics store's lock during a compaction), and
    events are written in batches (at most every ``batch_seconds``). When the
    queue is full an event is dropped and counted (``dropped``): load is shed,
    never pushed back onto searches. Events still queued when the process dies
    are lost — acceptable for interest signals and statistics; erasure flushes
    first so nothing is written after it. The thread also purges expired events
    every ``purge_interval``.
    """

    def __init__(
        self,
        store: EventSink[T],
        retention: timedelta,
        purge_interval: timedelta = timedelta(hours=6),
        max_queue: int = 10_000,
        batch_seconds: float = 0.5,
        max_batch: int = 500,
        name: str = "fasou-events",
    ) -> None:
        self.store = store
        self.retention = retention
        self.purge_interval = purge_interval
        self.batch_seconds = batch_seconds
        self.max_batch = max_batch
        self._queue: queue.Queue[Any] = queue.Queue(max_queue)
        #: Ends a batch's wait early: a flush or stop is queued, or a full batch is waiting.
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._last_purge: datetime | None = None
        self.dropped = 0
        #: Whether this process purges (with several API workers only the leader does).
        self.purges = True
        #: Called after each batch with (events still queued, events dropped since the last
        #: call): the API feeds its queue-depth metrics with it.
        self.report: Callable[[int, int], None] | None = None
        self._reported_dropped = 0
        self.written = 0
        self.failed = 0

    def start(self) -> None:
        self._thread.start()

    def submit(self, event: T) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:  # never slow a search down; count what was lost
            self.dropped += 1
            return
        if self._queue.qsize() >= self.max_batch:
            self._wake.set()

    def stats(self) -> dict[str, int]:
        """For health checks: how much is waiting, written, dropped (queue full), failed."""
        return {
            "queued": self._queue.qsize(),
            "capacity": self._queue.maxsize,
            "written": self.written,
            "dropped": self.dropped,
            "failed": self.failed,
        }

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is stored; False if that took too long."""
        if not self._thread.is_alive():
            self._drain(self._take_all())
            return True
        marker = _Marker()
        try:
            self._queue.put(marker, timeout=timeout)
        except queue.Full:
            return False
        self._wake.set()
        return marker.done.wait(timeout)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._wake.set()
            self._thread.join(timeout=10)

    def purge_expired(self) -> int:
        removed = self.store.purge(utcnow() - self.retention)
        self._last_purge = utcnow()
        if removed:
            log.info("purged %d events older than %s", removed, self.retention)
        return removed

    def _take_all(self) -> list[Any]:
        items = []
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                return items

    def _gather(self, first: Any) -> list[Any]:
        """Collect for up to ``batch_seconds``: one write transaction per batch, not per
        search, keeps the writer from competing with searches for the interpreter.

        The thread sleeps through the batch and then takes what is queued, rather than
        blocking on the queue: a thread blocked on ``Queue.get`` is woken by every
        ``submit``, and each wake-up makes the searching thread hand over the GIL (about
        5 % of a profiled search's time went to that notification). Only a flush, a stop
        or a full batch (``_wake``) ends the sleep early."""
        batch = [first]
        if _is_control(first):
            return batch
        self._wake.wait(self.batch_seconds)
        self._wake.clear()
        while len(batch) < self.max_batch and not _is_control(batch[-1]):
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _drain(self, items: Iterable[Any]) -> None:
        events = [i for i in items if not _is_control(i)]
        if not events:
            return
        try:
            self.store.append(events)
            self.written += len(events)
        except Exception:  # keep the thread alive; the batch is lost, the next may pass
            self.failed += len(events)
            log.exception("could not store %d events", len(events))

    def _run(self) -> None:
        while True:
            due = self._last_purge is None or utcnow() - self._last_purge > self.purge_interval
            if self.purges and due:
                try:
                    self.purge_expired()
                except Exception:
                    log.exception("event purge failed")
                    self._last_purge = utcnow()
            try:
                first = self._queue.get(timeout=60)
            except queue.Empty:
                continue
            batch = self._gather(first)
            self._drain(batch)
            if self.report is not None:
                newly_dropped = self.dropped - self._reported_dropped
                self._reported_dropped = self.dropped
                self.report(self._queue.qsize(), newly_dropped)
            for item in batch:
                if isinstance(item, _Marker):
                    item.done.set()
            if any(item is None for item in batch):
                return


def _is_control(item: object) -> bool:
    return item is None or isinstance(item, _Marker)
