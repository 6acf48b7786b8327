"""Profiles: declared attributes + implicit interests → what search and feeds personalise by."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from fasou.config import Settings
from fasou.profiles.events import (
    SEEN_KINDS,
    BackgroundEventWriter,
    Event,
    EventKind,
    EventStore,
    SqlEventStore,
    utcnow,
)
from fasou.profiles.interests import affinities, interest_scores
from fasou.profiles.model import Declared
from indexer.catalog import Catalog
from indexer.catalog.tables import profiles
from indexer.ranking import IMPLICIT_AUDIENCE_WEIGHT
from indexer.search.personalize import Personalization
from indexer.tagging.rules import SynonymTagger


def document_signals(record: dict[str, Any]) -> tuple[str, ...]:
    """The taxonomy values a document stands for: its tags and the suggestions that count."""
    out = []
    for facet, key in (("audience", "audiences"), ("topic", "topics")):
        values = [*(record.get(key) or []), *(record.get(f"suggested_{key}") or {})]
        out += [f"{facet}:{v}" for v in dict.fromkeys(values)]
    return tuple(out)


class ProfileService:
    """CRUD of profiles, event recording, and the cached view ranking uses."""

    CACHE_SIZE = 10_000

    def __init__(
        self,
        catalog: Catalog,
        settings: Settings,
        store: EventStore | None = None,
        on_erase: Callable[[str], object] | None = None,
    ) -> None:
        self.catalog = catalog
        #: other stores holding the client's events (analytics) erase with the profile
        self.on_erase = on_erase
        self.settings = settings
        self.store = store or SqlEventStore(catalog)
        self.writer: BackgroundEventWriter[Event] = BackgroundEventWriter(
            self.store,
            retention=timedelta(days=settings.event_retention_days),
            purge_interval=timedelta(hours=settings.event_purge_interval_hours),
        )
        self._synonyms = SynonymTagger()
        self._cache: OrderedDict[str, tuple[float, Personalization]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self) -> None:
        self.writer.start()

    def stop(self) -> None:
        self.writer.stop()

    # -- declared attributes -------------------------------------------------

    def _declared_row(self, client_id: str) -> sa.Row[Any] | None:
        with self.catalog.engine.connect() as conn:
            return conn.execute(
                sa.select(profiles).where(profiles.c.client_id == client_id)
            ).first()

    def put(self, client_id: str, declared: Declared) -> tuple[dict[str, Any], bool]:
        """Replace the declared attributes; returns the profile and whether it was created."""
        now = utcnow()
        payload = declared.model_dump(mode="json", exclude_none=True)
        with self.catalog.writing() as conn:
            exists = conn.execute(
                sa.select(profiles.c.client_id).where(profiles.c.client_id == client_id)
            ).first()
            if exists:
                conn.execute(
                    profiles.update()
                    .where(profiles.c.client_id == client_id)
                    .values(declared=payload, updated_at=now)
                )
            else:
                conn.execute(
                    profiles.insert().values(
                        client_id=client_id, declared=payload, created_at=now, updated_at=now
                    )
                )
        self._forget(client_id)
        view = self.get(client_id)
        assert view is not None
        return view, not exists

    def erase(self, client_id: str) -> bool:
        """Delete the profile and every event of it (queued ones included)."""
        self.writer.flush()
        if self.on_erase is not None:
            self.on_erase(client_id)
        removed = self.store.erase(client_id)
        with self.catalog.writing() as conn:
            removed += conn.execute(
                profiles.delete().where(profiles.c.client_id == client_id)
            ).rowcount
        self._forget(client_id)
        return removed > 0

    # -- events ----------------------------------------------------------------

    def record(self, client_id: str, kind: EventKind, record: dict[str, Any]) -> None:
        """A click, view or feedback on a document: stored now (the client waits for it)."""
        self.store.append([Event(client_id, kind, record["id"], document_signals(record))])
        self._forget(client_id)

    def record_search(self, client_id: str, query: str) -> None:
        """A search: only the taxonomy values its words name, off the request path."""
        signals = tuple(
            f"{facet}:{value}" for facet, value in sorted(self._synonyms.matches(query))
        )
        self.writer.submit(Event(client_id, EventKind.search, None, signals))

    def _events(self, client_id: str, now: datetime) -> list[Event]:
        since = now - timedelta(days=self.settings.event_retention_days)
        return self.store.events_for(client_id, since)

    def seen(self, client_id: str, asof: datetime | None = None) -> set[str]:
        """Documents the resident has already viewed, clicked or judged."""
        now = utcnow()
        return {
            e.doc_id
            for e in self._events(client_id, now)
            if e.kind in SEEN_KINDS and e.doc_id and (asof is None or e.at <= asof)
        }

    # -- views -------------------------------------------------------------------

    def get(self, client_id: str) -> dict[str, Any] | None:
        row = self._declared_row(client_id)
        if row is None:
            return None
        now = utcnow()
        events = self._events(client_id, now)
        scores = interest_scores(events, now, self.settings.interest_half_life_days)
        who = self._personalization(Declared.model_validate(row.declared or {}), scores)
        return {
            "id": client_id,
            "declared": row.declared or {},
            "audiences": dict(who.audiences),
            "interests": {
                "topics": affinities(scores, "topic"),
                "audiences": affinities(scores, "audience"),
            },
            "events": len(events),
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
        }

    def _personalization(self, declared: Declared, scores: dict[str, float]) -> Personalization:
        audiences = {a: 1.0 for a in declared.implied_audiences()}
        for value, affinity in affinities(scores, "audience").items():
            implicit = round(IMPLICIT_AUDIENCE_WEIGHT * affinity, 4)
            audiences[value] = max(audiences.get(value, 0.0), implicit)
        return Personalization(
            audiences=audiences,
            topics=affinities(scores, "topic"),
            region=declared.region,
            today=date.today(),
        )

    def cached_personalization(self, client_id: str) -> Personalization | None:
        """``personalization`` when it is in the short-lived cache, else None; never reads
        the catalog, so the API can call it on its event loop (no thread hand-off)."""
        with self._lock:
            cached = self._cache.get(client_id)
            if cached and time.monotonic() - cached[0] < self.settings.profile_cache_seconds:
                self._cache.move_to_end(client_id)
                return cached[1]
        return None

    def personalization(self, client_id: str) -> Personalization:
        """What ranking uses for this client (neutral when unknown); cached briefly."""
        cached = self.cached_personalization(client_id)
        if cached is not None:
            return cached
        now = time.monotonic()
        row = self._declared_row(client_id)
        declared = Declared.model_validate((row.declared if row else None) or {})
        moment = utcnow()
        scores = interest_scores(
            self._events(client_id, moment) if row else [],
            moment,
            self.settings.interest_half_life_days,
        )
        who = self._personalization(declared, scores)
        with self._lock:
            self._cache[client_id] = (now, who)
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return who

    def _forget(self, client_id: str) -> None:
        with self._lock:
            self._cache.pop(client_id, None)
