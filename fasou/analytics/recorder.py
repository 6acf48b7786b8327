"""The request path's side of analytics: capture in microseconds, enrich and store later.

A search hands over what it already has (client id, query text, the cached
profile view, the result types); ``submit`` puts a tuple on a bounded queue and
returns. The writer thread pseudonymises, normalises the query, finds the
topics its words name and appends a Parquet segment per batch. When the queue
is full the event is dropped and counted: a search never waits for analytics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from analyzers.normalize import normalize
from fasou.analytics.events import MAX_QUERY_CHARS, Captured, Kind, Row, coarse_region
from fasou.analytics.store import AnalyticsStore
from fasou.profiles.events import BackgroundEventWriter
from indexer.search.personalize import Personalization
from indexer.tagging.rules import SynonymTagger

_SPACES = re.compile(r"\s+")


def normalize_query(text: str) -> str:
    """The form a query is counted under: normalised width/script/case, single spaces."""
    return _SPACES.sub(" ", normalize(text)).strip()[:MAX_QUERY_CHARS]


def declared_audiences(who: Personalization | None) -> tuple[str, ...]:
    """The groups a resident belongs to for reporting: declared or implied by age band and
    occupation (weight 1), not audiences learned from behaviour."""
    if who is None:
        return ()
    return tuple(sorted(a for a, weight in who.audiences.items() if weight >= 1.0))


def record_topics(record: dict[str, Any]) -> tuple[str, ...]:
    """A document's topics as filters see them: editorial tags and counting suggestions."""
    values = [*(record.get("topics") or []), *(record.get("suggested_topics") or {})]
    return tuple(dict.fromkeys(values))


class _EnrichingSink:
    """Turns captured events into stored rows, in the writer thread."""

    def __init__(self, store: AnalyticsStore, on_written: Callable[[], None]) -> None:
        self.store = store
        self.on_written = on_written
        self._synonyms = SynonymTagger()

    def enrich(self, event: Captured) -> Row:
        query = normalize_query(event.query) if event.query else ""
        topics = event.topics
        if event.kind == Kind.search and query:
            topics = tuple(
                sorted(v for facet, v in self._synonyms.matches(query) if facet == "topic")
            )
        return Row(
            at=event.at,
            kind=str(event.kind),
            subject=self.store.subject(event.client_id),
            audiences=event.audiences,
            region=coarse_region(event.region),
            query=query,
            topics=topics,
            doc_id=event.doc_id or "",
            doc_type=event.doc_type or "",
            results=event.results if event.results is not None else -1,
            zero=event.zero,
            shown=event.shown,
        )

    def append(self, events: Sequence[Captured]) -> None:
        self.store.append([self.enrich(e) for e in events])
        self.store.compact()  # merges a week only once it has many small segments
        self.on_written()

    def erase(self, client_id: str) -> int:
        return self.store.erase(client_id)

    def purge(self, before: datetime) -> int:
        return self.store.purge(before)


class AnalyticsRecorder:
    """What routes call. Every method returns at once; see the module docstring."""

    def __init__(
        self,
        store: AnalyticsStore,
        retention: timedelta,
        max_queue: int = 10_000,
        batch_seconds: float = 5.0,
        purge_interval: timedelta = timedelta(hours=6),
        enabled: bool = True,
        on_written: Callable[[], None] = lambda: None,
    ) -> None:
        """``on_written`` is called (in the writer thread) after each batch is stored.

        One Parquet segment per batch: batches of up to ``batch_seconds`` (5 s) keep the
        segments, compactions and warm-ups few; statistics need no fresher data.
        """
        self.store = store
        self.enabled = enabled
        self.sink = _EnrichingSink(store, on_written)
        self.writer: BackgroundEventWriter[Captured] = BackgroundEventWriter(
            self.sink,
            retention=retention,
            purge_interval=purge_interval,
            max_queue=max_queue,
            batch_seconds=batch_seconds,
            max_batch=5_000,
            name="fasou-analytics",
        )

    def start(self) -> None:
        self.writer.start()

    def stop(self) -> None:
        self.writer.stop()

    def flush(self, timeout: float = 30.0) -> bool:
        return self.writer.flush(timeout)

    def erase(self, client_id: str) -> int:
        """Every event of the client, queued ones included (flushed first)."""
        self.writer.flush()
        return self.store.erase(client_id)

    def stats(self) -> dict[str, Any]:
        return self.writer.stats()

    # -- capture --------------------------------------------------------------------

    def _submit(self, event: Captured) -> None:
        if self.enabled:
            self.writer.submit(event)

    def search(
        self,
        client_id: str,
        who: Personalization | None,
        query: str,
        total: int,
        zero: bool,
        shown: Sequence[str],
    ) -> None:
        self._submit(
            Captured(
                client_id,
                Kind.search,
                audiences=declared_audiences(who),
                region=who.region or "" if who else "",
                query=query,
                results=total,
                zero=zero,
                shown=tuple(shown),
            )
        )

    def document(
        self, client_id: str, who: Personalization | None, kind: Kind, record: dict[str, Any]
    ) -> None:
        self._submit(
            Captured(
                client_id,
                kind,
                audiences=declared_audiences(who),
                region=who.region or "" if who else "",
                doc_id=record["id"],
                doc_type=record.get("type"),
                topics=record_topics(record),
            )
        )

    def feed(self, client_id: str, who: Personalization | None, shown: Sequence[str]) -> None:
        self._submit(
            Captured(
                client_id,
                Kind.feed,
                audiences=declared_audiences(who),
                region=who.region or "" if who else "",
                shown=tuple(shown),
            )
        )
