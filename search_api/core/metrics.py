"""Prometheus metrics: what every request costs, and the state of the background work.

Two kinds, kept apart on purpose:

* **Event metrics** (requests, latency, search outcomes, dropped events) are counted
  where they happen. With several worker processes ``fasou serve`` points
  ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the workers start, so
  each process writes its own memory-mapped file and any worker's ``/metrics``
  sums them (``prometheus_client`` multiprocess mode). One histogram observation
  is a few microseconds: well under the 0.1 ms a request may spend on metrics
  (``bench/metrics_overhead.py`` measures it).
* **State metrics** (index lag and backlog, jobs queued, crawl outcomes, which
  process leads) are read from the catalog and the backend *at scrape time* by
  :class:`StateCollector`. They are the same for every worker (the catalog is
  shared), so nothing has to be summed and a killed worker leaves nothing stale.

Labels are the route *template* (never the concrete path or the query string,
which may hold what a resident asked), the method and the status code.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from search_api.core.runtime import Runtime

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Seconds; dense below 100 ms where the search latency target lives.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)

REQUESTS = Counter(
    "fasou_http_requests_total", "HTTP requests by route template, method and status",
    ["route", "method", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "fasou_http_request_duration_seconds", "Time from request to the last byte of the response",
    ["route", "method"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
SEARCHES = Counter(
    "fasou_searches_total",
    "Searches by outcome: hits, relaxed (found only by relaxed matching), zero (nothing found)",
    ["outcome"],
)
SEARCH_CACHE = Counter(
    "fasou_search_cache_total", "Search result cache lookups by result (hit, miss)", ["result"]
)
EVENTS_DROPPED = Counter(
    "fasou_profile_events_dropped_total", "Profile events dropped because the queue was full"
)
EVENT_QUEUE = Gauge(
    "fasou_profile_event_queue", "Profile events waiting to be written, per process",
    multiprocess_mode="livesum",
)  # fmt: skip


#: Labelled children by label values: ``labels()`` takes a lock and builds keys on every
#: call; routes × methods × statuses are few, so each child is looked up once.
_children: dict[tuple[Any, ...], tuple[Any, Any]] = {}


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method, status)
    children = _children.get(key)
    if children is None:
        children = (REQUESTS.labels(route, method, str(status)), LATENCY.labels(route, method))
        _children[key] = children
    children[0].inc()
    children[1].observe(seconds)


_SEARCH_OUTCOMES = {name: SEARCHES.labels(name) for name in ("zero", "relaxed", "hits")}
_CACHE_RESULTS = {True: SEARCH_CACHE.labels("hit"), False: SEARCH_CACHE.labels("miss")}


def observe_search(total: int, relaxed: bool, cached: bool | None) -> None:
    """``cached``: whether the result cache answered (None: no cache consulted)."""
    _SEARCH_OUTCOMES["zero" if total == 0 else "relaxed" if relaxed else "hits"].inc()
    if cached is not None:
        _CACHE_RESULTS[cached].inc()


def observe_event_queue(queued: int, newly_dropped: int) -> None:
    EVENT_QUEUE.set(queued)
    if newly_dropped:
        EVENTS_DROPPED.inc(newly_dropped)


class StateCollector(Collector):
    """Reads the shared state at scrape time; a failing source is skipped, never a 500."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily(
            "fasou_state_readable", "1 if this part of the state could be read", labels=["part"]
        )
        for part in (self._index, self._jobs, self._crawls, self._leader):
            name = part.__name__.lstrip("_")
            try:
                yield from list(part())
                up.add_metric([name], 1)
            except Exception as exc:  # a scrape must answer even with the catalog down
                log.warning("metrics: %s unavailable (%s)", name, type(exc).__name__)
                up.add_metric([name], 0)
        yield up

    def _index(self) -> Iterator[Any]:
        catalog, backend = self.runtime.catalog, self.runtime.backend
        rev, applied = catalog.max_rev(), backend.applied_rev()
        for name, doc, value in (
            ("fasou_catalog_rev", "The catalog's latest revision", rev),
            ("fasou_index_applied_rev", "The catalog revision the search index reflects", applied),
            ("fasou_index_lag_revisions", "Catalog revisions not yet in the index",
             max(0, rev - applied)),
            ("fasou_index_backlog_documents", "Documents changed in the catalog, not yet indexed",
             catalog.count_changed_since(applied) if rev > applied else 0),
        ):  # fmt: skip
            family = GaugeMetricFamily(name, doc)
            family.add_metric([], value)
            yield family

    def _jobs(self) -> Iterator[Any]:
        from indexer.catalog.tables import jobs

        with self.runtime.catalog.engine.connect() as conn:
            rows = conn.execute(
                sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status)
            ).all()
        family = GaugeMetricFamily("fasou_jobs", "Bulk editor jobs by status", labels=["status"])
        for status, count in rows:
            family.add_metric([status], count)
        yield family

    def _crawls(self) -> Iterator[Any]:
        from indexer.catalog.tables import crawl_runs

        with self.runtime.catalog.engine.connect() as conn:
            outcomes = conn.execute(
                sa.select(
                    crawl_runs.c.source,
                    crawl_runs.c.status,
                    sa.func.count(),
                    sa.func.sum(crawl_runs.c.new + crawl_runs.c.changed),
                    sa.func.sum(crawl_runs.c.failed),
                    sa.func.sum(crawl_runs.c.quarantined),
                ).group_by(crawl_runs.c.source, crawl_runs.c.status)
            ).all()
            last = conn.execute(
                sa.select(crawl_runs.c.source, sa.func.max(crawl_runs.c.finished_at))
                .where(crawl_runs.c.status == "finished")
                .group_by(crawl_runs.c.source)
            ).all()
        runs = CounterMetricFamily(
            "fasou_crawl_runs", "Crawl runs by source and outcome", labels=["source", "status"]
        )
        pages = CounterMetricFamily(
            "fasou_crawl_items", "Crawled items by source and outcome", labels=["source", "outcome"]
        )
        per_source: dict[str, dict[str, int]] = {}
        for source, status, count, stored, failed, quarantined in outcomes:
            runs.add_metric([source, status], count)
            totals = per_source.setdefault(source, {"stored": 0, "failed": 0, "quarantined": 0})
            totals["stored"] += stored or 0
            totals["failed"] += failed or 0
            totals["quarantined"] += quarantined or 0
        for source, totals in per_source.items():
            for outcome, value in totals.items():
                pages.add_metric([source, outcome], value)
        finished = GaugeMetricFamily(
            "fasou_crawl_last_success_timestamp_seconds",
            "When each source's last crawl finished successfully (alert when old)",
            labels=["source"],
        )
        for source, at in last:
            if at is not None:
                finished.add_metric([source], at.timestamp())
        yield from (runs, pages, finished)

    def _leader(self) -> Iterator[Any]:
        family = GaugeMetricFamily(
            "fasou_background_leader_present",
            "1 if some process holds the background-work lease (index worker, jobs)",
        )
        family.add_metric([], 1 if self.runtime.leader_present() else 0)
        yield family


class _ThisProcess(Collector):
    """Single-process mode: the default registry's metrics."""

    def collect(self) -> Iterator[Any]:
        from prometheus_client import REGISTRY

        yield from REGISTRY.collect()


def render(runtime: Runtime) -> tuple[bytes, str]:
    """The exposition text: every process's event metrics plus the shared state."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(StateCollector(runtime))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def mark_process_dead() -> None:
    """Drop this process's live gauges when it exits (multiprocess mode only)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())
