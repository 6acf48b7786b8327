"""The single index writer of a process: a thread that applies catalog changes.

Crawls, imports and editors only write the catalog; this worker is the one
place that writes the index (tantivy admits one writer across processes).
When another process holds the writer, the worker waits and retries.
"""

from __future__ import annotations

import logging
import threading

from indexer.backends.base import IndexBusy, SearchBackend
from indexer.catalog import Catalog
from indexer.sync import ensure_index, sync_once

log = logging.getLogger(__name__)


class IndexWorker(threading.Thread):
    def __init__(self, catalog: Catalog, backend: SearchBackend, interval: float = 0.5) -> None:
        super().__init__(name="fasou-index-worker", daemon=True)
        self.catalog = catalog
        self.backend = backend
        self.interval = interval
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.last_error: str | None = None

    def poke(self) -> None:
        """Apply changes now rather than at the next poll (e.g. after an editor's tag)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        first = True
        while not self._stopping.is_set():
            try:
                if first:
                    # An index built by another schema/analysis version is rebuilt in
                    # the background while the old generation keeps answering.
                    log.info("index worker: %s", ensure_index(self.catalog, self.backend))
                    first = False
                applied = sync_once(self.catalog, self.backend)
                if applied:
                    log.info("index worker applied %d changes", applied)
                self.last_error = None
            except IndexBusy as exc:
                self.last_error = f"index writer busy: {exc}"
            except Exception as exc:  # keep serving searches; report in /healthz
                log.exception("index worker failed")
                self.last_error = repr(exc)
            self._wake.wait(self.interval)
            self._wake.clear()
