"""The long-lived objects one API process holds: catalog, backend, search service, worker."""

from __future__ import annotations

from dataclasses import dataclass

from fasou.config import Settings
from fasou.profiles import ProfileService
from indexer.backends.base import SearchBackend
from indexer.backends.factory import open_backend
from indexer.catalog import Catalog
from indexer.search.feed import FeedBuilder
from indexer.search.service import SearchService
from indexer.search.suggest import suggester
from indexer.worker import IndexWorker


@dataclass
class Runtime:
    settings: Settings
    catalog: Catalog
    backend: SearchBackend
    search: SearchService
    worker: IndexWorker | None = None
    profiles: ProfileService | None = None
    feed: FeedBuilder | None = None

    @classmethod
    def start(cls, settings: Settings, *, run_worker: bool = True) -> Runtime:
        catalog = Catalog.open(settings.catalog_url)
        backend = open_backend(settings)
        suggester()  # build the completion tables before the first request, not during it
        worker = None
        if run_worker:
            worker = IndexWorker(catalog, backend, interval=settings.index_sync_interval)
            worker.start()
        profiles = ProfileService(catalog, settings)
        profiles.start()
        return cls(
            settings,
            catalog,
            backend,
            SearchService(backend),
            worker,
            profiles,
            FeedBuilder(catalog),
        )

    def stop(self) -> None:
        if self.profiles:
            self.profiles.stop()
        if self.worker:
            self.worker.stop()
            self.worker.join(timeout=10)
        self.backend.close()
        self.catalog.close()
