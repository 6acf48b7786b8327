"""The single index writer of a process: a thread that applies catalog changes.

Crawls, imports and editors only write the catalog; this worker is the one
place that writes the index (tantivy admits one writer across processes).
When another process holds the writer, the worker waits and retries.
"""

from __future__ import annotations

import logging

from indexer.backends.base import IndexBusy, SearchBackend
from indexer.background import WakeableThread
from indexer.catalog import Catalog
from indexer.sync import ensure_index, sync_once

log = logging.getLogger(__name__)


class IndexWorker(WakeableThread):
    """``poke()`` applies changes now rather than at the next poll (after an editor's tag)."""

    def __init__(self, catalog: Catalog, backend: SearchBackend, interval: float = 0.5) -> None:
        super().__init__(name="fasou-index-worker")
        self.catalog = catalog
        self.backend = backend
        self.interval = interval
        # The catalog revision the last successful pass saw. An idle poll reads only that
        # counter: a full pass (suggestions, changes, index state) cost ~8 ms of CPU, twice
        # a second, competing with searches for the interpreter.
        self._synced_rev: int | None = None

    def run(self) -> None:
        first = True
        while not self.stopping:
            try:
                if first:
                    # An index built by another schema/analysis version is rebuilt in
                    # the background while the old generation keeps answering.
                    log.info("index worker: %s", ensure_index(self.catalog, self.backend))
                    first = False
                rev = self.catalog.max_rev()
                if rev != self._synced_rev or self.backend.applied_rev() < rev:
                    applied = sync_once(self.catalog, self.backend)
                    if applied:
                        log.info("index worker applied %d changes", applied)
                    self._synced_rev = rev
                self.last_error = None
            except IndexBusy as exc:
                self.last_error = f"index writer busy: {exc}"
            except Exception as exc:  # keep serving searches; report in /healthz
                log.exception("index worker failed")
                self.last_error = repr(exc)
            self.sleep(self.interval)
