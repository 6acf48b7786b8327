"""The long-lived objects one API process holds: catalog, backend, search service, worker,
accounts, the editor workspace with its job runner, and the rate limiter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fasou.analytics.recorder import AnalyticsRecorder
from fasou.analytics.reports import Reports
from fasou.analytics.store import AnalyticsStore
from fasou.config import Settings
from fasou.profiles import ProfileService
from indexer.backends.base import SearchBackend
from indexer.backends.factory import open_backend
from indexer.catalog import Catalog
from indexer.catalog.jobs import JobStore
from indexer.editorial.bulk import JobContext
from indexer.editorial.runner import JobRunner, owner_id
from indexer.editorial.suggestions import SuggestionStore
from indexer.search.feed import FeedBuilder
from indexer.search.service import SearchService
from indexer.search.suggest import suggester
from indexer.worker import IndexWorker
from search_api.auth.accounts import Accounts
from search_api.core.rate_limit import TokenBucketLimiter
from search_api.core.workspace import Workspace


@dataclass
class Runtime:
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
    analytics: AnalyticsRecorder | None = None
    reports: Reports | None = None

    @classmethod
    def start(cls, settings: Settings, *, run_worker: bool = True) -> Runtime:
        settings.require_secure()
        catalog = Catalog.open(settings.catalog_url)
        backend = open_backend(settings)
        suggester()  # build the completion tables before the first request, not during it
        search = SearchService(backend)
        worker = None
        if run_worker:
            worker = IndexWorker(catalog, backend, interval=settings.index_sync_interval)
            worker.start()
        jobs = JobStore(catalog)
        runner = None
        if settings.run_jobs:
            runner = JobRunner(
                JobContext(
                    catalog=catalog,
                    jobs=jobs,
                    search=search,
                    owner=owner_id(),
                    lease_seconds=settings.job_lease_seconds,
                    max_documents=settings.max_bulk_documents,
                    after_write=lambda _rev: worker.poke() if worker else None,
                    applied_rev=backend.applied_rev,
                ),
                poll_interval=settings.job_poll_interval,
            )
            runner.start()
        workspace = Workspace(
            catalog=catalog,
            search=search,
            suggestions=SuggestionStore(catalog),
            jobs=jobs,
            max_bulk_documents=settings.max_bulk_documents,
            review_threshold=settings.review_confidence_threshold,
            on_tags_written=worker.poke if worker else lambda: None,
            on_job_submitted=runner.poke if runner else lambda: None,
        )
        accounts = Accounts(
            catalog, settings.secret_key.get_secret_value(), settings.session_minutes
        )
        analytics_store = AnalyticsStore(settings.analytics_path)
        reports = Reports(
            analytics_store, catalog.tag_supply, catalog.max_rev, k=settings.analytics_k
        )
        reports.start_warming()
        analytics = AnalyticsRecorder(
            analytics_store,
            retention=timedelta(days=settings.analytics_retention_days),
            max_queue=settings.analytics_queue_size,
            enabled=settings.analytics_enabled,
            on_written=reports.poke,
        )
        analytics.start()
        profiles = ProfileService(catalog, settings, on_erase=analytics.erase)
        profiles.start()
        return cls(
            settings=settings,
            catalog=catalog,
            backend=backend,
            search=search,
            accounts=accounts,
            workspace=workspace,
            rate_limiter=TokenBucketLimiter(settings.rate_limit_max_clients),
            worker=worker,
            job_runner=runner,
            profiles=profiles,
            feed=FeedBuilder(catalog),
            analytics=analytics,
            reports=reports,
        )

    def stop(self) -> None:
        if self.job_runner:
            self.job_runner.stop()
            self.job_runner.join(timeout=30)
        if self.profiles:
            self.profiles.stop()
        if self.analytics:
            self.analytics.stop()
        if self.reports:
            self.reports.close()
        if self.worker:
            self.worker.stop()
            self.worker.join(timeout=10)
        self.backend.close()
        self.catalog.close()
