"""The long-lived objects one API process holds: catalog, backend, search service,
accounts, the editor workspace, the rate limiter — and, in the process that leads
(``core/leader.py``), the index worker and the job runner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from anyio import CapacityLimiter, to_thread

from fasou.analytics.recorder import AnalyticsRecorder
from fasou.analytics.reports import Reports
from fasou.analytics.store import AnalyticsStore
from fasou.config import Settings
from fasou.profiles import ProfileService
from indexer.backends.base import SearchBackend
from indexer.backends.factory import open_backend
from indexer.catalog import Catalog
from indexer.catalog.jobs import JobStore
from indexer.catalog.leases import Leases
from indexer.editorial.bulk import JobContext
from indexer.editorial.runner import JobRunner, owner_id
from indexer.editorial.suggestions import SuggestionStore
from indexer.search.feed import FeedBuilder
from indexer.search.service import SearchService
from indexer.search.suggest import suggester
from indexer.search.types import SPARE_CORES
from indexer.worker import IndexWorker
from search_api.auth.accounts import Accounts
from search_api.core.leader import LEASE_NAME, BackgroundLeader
from search_api.core.metrics import observe_event_queue
from search_api.core.rate_limit import TokenBucketLimiter
from search_api.core.workspace import Workspace

T = TypeVar("T")


@dataclass
class Runtime:
    """``worker`` and ``job_runner`` exist only while this process leads the background
    work (``core/leader.py``); every process serves searches."""

    settings: Settings
    catalog: Catalog
    backend: SearchBackend
    search: SearchService
    accounts: Accounts
    workspace: Workspace
    rate_limiter: TokenBucketLimiter
    worker: IndexWorker | None = None
    job_runner: JobRunner | None = None
    profiles: ProfileService | None = None
    feed: FeedBuilder | None = None
    leader: BackgroundLeader | None = None
    analytics: AnalyticsRecorder | None = None
    reports: Reports | None = None
    #: How many searches run in threads at once (``search_slots``).
    _search_slots: CapacityLimiter | None = None
    #: Tasks alive while this process serves nothing (the server's and the lifespan's),
    #: counted at start-up by ``count_quiet_tasks``; ``run_search`` compares against it.
    _quiet_tasks: int = 0

    def search_slots(self) -> CapacityLimiter:
        """Searches computed in threads at once in this process (``FASOU_SEARCH_THREADS``;
        ``run_search`` says which searches get a thread); created on first use, inside the
        event loop. Without it every waiting search would hold a thread of the default pool
        (40), all contending for the GIL with the event loop, which then answers even
        cached requests late under load."""
        if self._search_slots is None:
            self._search_slots = CapacityLimiter(self.settings.search_threads)
        return self._search_slots

    def count_quiet_tasks(self) -> None:
        """Call from the lifespan, inside the event loop, before serving."""
        self._quiet_tasks = len(asyncio.all_tasks())

    async def run_search(self, compute: Callable[[], T]) -> T:
        """Run one search: on the event loop when the backend searches in this process
        (tantivy: pure CPU, never a wait) and this request is the only one in the
        process; otherwise in a search slot's thread.

        For a lone request a thread buys nothing (the GIL lets one of the two run)
        and its two hand-offs cost 0.7-0.8 ms a search on this machine (in process,
        paired: 5.82 against 4.93 ms a request). With other requests in the process —
        received and not yet answered, started or not: each is a task — a search on
        the loop would hold all of them for its whole length, where a thread lets the
        loop answer them in between (cached answers take well under a millisecond).
        A backend that waits on the network (Elasticsearch) always gets a thread.
        """
        in_process = getattr(self.backend, "searches_in_process", False)
        if in_process and len(asyncio.all_tasks()) <= self._quiet_tasks + 1:
            spare = SPARE_CORES.set(True)
            try:
                return compute()
            finally:
                SPARE_CORES.reset(spare)
        return await to_thread.run_sync(compute, limiter=self.search_slots())

    @classmethod
    def start(cls, settings: Settings, *, run_worker: bool = True) -> Runtime:
        """``run_worker=False``: never run background work here (a CLI holds the index)."""
        settings.require_secure()
        catalog = Catalog.open(settings.catalog_url)
        backend = open_backend(settings)
        suggester()  # build the completion tables before the first request, not during it
        search = SearchService(backend, cache_size=settings.search_cache_size)
        jobs = JobStore(catalog)
        holder: list[Runtime] = []
        workspace = Workspace(
            catalog=catalog,
            search=search,
            suggestions=SuggestionStore(catalog),
            jobs=jobs,
            max_bulk_documents=settings.max_bulk_documents,
            review_threshold=settings.review_confidence_threshold,
            on_tags_written=lambda: holder[0].poke_worker(),
            on_job_submitted=lambda: holder[0].poke_jobs(),
        )
        accounts = Accounts(
            catalog, settings.secret_key.get_secret_value(), settings.session_minutes
        )
        analytics_store = AnalyticsStore(settings.analytics_path)
        reports = Reports(
            analytics_store, catalog.tag_supply, catalog.max_rev, k=settings.analytics_k
        )
        if not run_worker:  # no leader election: this process is the only one
            reports.start_warming()
        analytics = AnalyticsRecorder(
            analytics_store,
            retention=timedelta(days=settings.analytics_retention_days),
            max_queue=settings.analytics_queue_size,
            enabled=settings.analytics_enabled,
            on_written=reports.poke,
        )
        analytics.writer.purges = False  # only the leader purges
        analytics.start()
        profiles = ProfileService(catalog, settings, on_erase=analytics.erase)
        profiles.writer.purges = False  # only the leader purges
        profiles.writer.report = observe_event_queue
        profiles.start()
        runtime = cls(
            settings=settings,
            catalog=catalog,
            backend=backend,
            search=search,
            accounts=accounts,
            workspace=workspace,
            rate_limiter=TokenBucketLimiter(settings.rate_limit_max_clients),
            profiles=profiles,
            feed=FeedBuilder(catalog),
            analytics=analytics,
            reports=reports,
        )
        holder.append(runtime)
        if run_worker:
            runtime.leader = BackgroundLeader(
                Leases(catalog),
                settings.leader_lease_seconds,
                on_elected=runtime._start_background,
                on_deposed=runtime._stop_background,
            )
            runtime.leader.campaign()  # a lone process leads from its first request on
            runtime.leader.start()
        return runtime

    # -- background work (leader only) -------------------------------------------

    def _start_background(self) -> None:
        settings = self.settings
        self.worker = IndexWorker(self.catalog, self.backend, interval=settings.index_sync_interval)
        self.worker.start()
        if settings.run_jobs:
            self.job_runner = JobRunner(
                JobContext(
                    catalog=self.catalog,
                    jobs=JobStore(self.catalog),
                    search=self.search,
                    owner=owner_id(),
                    lease_seconds=settings.job_lease_seconds,
                    max_documents=settings.max_bulk_documents,
                    after_write=lambda _rev: self.poke_worker(),
                    applied_rev=self.backend.applied_rev,
                ),
                poll_interval=settings.job_poll_interval,
            )
            self.job_runner.start()
        if self.profiles:
            self.profiles.writer.purges = True
            if self.analytics:
                self.analytics.writer.purges = True
        if self.reports and not self.reports.warming:
            # One warm process is enough: the others build report parts when asked.
            self.reports.start_warming()

    def _stop_background(self) -> None:
        if self.profiles:
            self.profiles.writer.purges = False
            if self.analytics:
                self.analytics.writer.purges = False
        runner, worker = self.job_runner, self.worker
        self.job_runner = self.worker = None
        if runner:
            runner.stop()
            runner.join(timeout=30)
        if worker:
            worker.stop()
            worker.join(timeout=10)
            release = getattr(self.backend, "release_writer", None)
            if release:  # let the next leader take tantivy's writer lock
                release()

    def poke_worker(self) -> None:
        if self.worker:
            self.worker.poke()

    def poke_jobs(self) -> None:
        if self.job_runner:
            self.job_runner.poke()

    def leader_present(self) -> bool:
        """Whether some process (this one or another) holds the background lease now."""
        lease = Leases(self.catalog).get(LEASE_NAME)
        return lease is not None and not lease.expired

    def stop(self) -> None:
        if self.leader:
            self.leader.resign()
        if self.profiles:
            self.profiles.stop()
        if self.analytics:
            self.analytics.stop()
        if self.reports:
            self.reports.close()
        self.backend.close()
        self.catalog.close()
