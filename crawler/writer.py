"""The crawl's single catalog writer: batches pages and commits them with their bookkeeping.

Pipelines hand settled pages here (stored, not modified, duplicate,
quarantined, failed). A commit writes the documents, the pages' ledger rows,
quarantine rows and the run's counters in one transaction (``CrawlLedger.commit``),
in batches for throughput: thousands of statute articles per commit.

Commits run on one background thread so that parsing the next pages overlaps
with SQLite writing the last ones; at most two batches wait, which holds the
crawl back when the catalog is the bottleneck. A batch still queued when the
process is killed was never committed — its pages are not in the ledger, so a
resumed run fetches them again.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter

from crawler.items import PageFailed, PageItem, PageNotModified
from indexer.catalog.crawls import Batch, CrawlLedger, PageRecord, PageState, QuarantineRecord
from indexer.catalog.repository import UpsertStats


class CrawlWriter:
    def __init__(
        self,
        ledger: CrawlLedger,
        source: str,
        run_id: int,
        pages: dict[str, PageState],
        *,
        batch_docs: int = 2000,
        batch_pages: int = 200,
        max_wait: float = 2.0,
    ) -> None:
        self.ledger, self.source, self.run_id = ledger, source, run_id
        self.pages = pages
        self.batch_docs, self.batch_pages, self.max_wait = batch_docs, batch_pages, max_wait
        self.batch = Batch()
        self.totals: Counter[str] = Counter()
        self._hash_owner = {
            p.content_hash: key for key, p in pages.items() if p.content_hash and not p.duplicate_of
        }
        self._last_flush = time.monotonic()
        self._queue: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._closed = False

    # -- what pipelines call ---------------------------------------------------------

    def count(self, counter: str, amount: int = 1) -> None:
        self.batch.counts[counter] += amount
        self._maybe_flush()

    def stored(self, item: PageItem) -> None:
        self.batch.docs.extend(item.documents)
        self.batch.pages.append(
            PageRecord(
                key=item.key,
                url=item.url,
                status=item.status,
                etag=item.etag,
                last_modified=item.last_modified,
                content_hash=item.content_hash,
                doc_ids=[d.id for d in item.documents],
            )
        )
        self._maybe_flush()

    def not_modified(self, page: PageNotModified) -> None:
        known = self.pages.get(page.key)
        self.batch.pages.append(PageRecord(key=page.key, url=page.url, status=304))
        self.batch.counts["not_modified"] += 1
        self.batch.counts["unchanged"] += len(known.doc_ids) if known else 0
        self._maybe_flush()

    def duplicate(self, item: PageItem, of_key: str) -> None:
        self.batch.pages.append(
            PageRecord(
                key=item.key,
                url=item.url,
                status=item.status,
                content_hash=item.content_hash,
                doc_ids=[],
                duplicate_of=of_key,
            )
        )
        self.batch.counts["duplicates"] += 1
        self._maybe_flush()

    def quarantined(self, item: PageItem) -> None:
        # No validators: the next run fetches the page in full and tries again.
        self.batch.pages.append(
            PageRecord(key=item.key, url=item.url, status=item.status, doc_ids=[])
        )
        self.batch.quarantine.append(
            QuarantineRecord(
                url=item.url,
                stage="validate",
                reason=item.problem or "invalid",
                payload={"fields": item.fields, "payloads": item.payloads[:3]},
            )
        )
        self.batch.counts["quarantined"] += 1
        self._maybe_flush()

    def failed(self, page: PageFailed) -> None:
        self.batch.quarantine.append(
            QuarantineRecord(url=page.url, stage="fetch", reason=page.reason)
        )
        self.batch.counts["failed"] += 1
        self._maybe_flush()

    # -- content-hash ownership (dedup across URLs and runs) ---------------------------

    def hash_owner(self, content_hash: str) -> str | None:
        return self._hash_owner.get(content_hash)

    def claim(self, content_hash: str, key: str) -> None:
        self._hash_owner.setdefault(content_hash, key)

    # -- committing ------------------------------------------------------------------

    def _maybe_flush(self) -> None:
        due = time.monotonic() - self._last_flush >= self.max_wait
        if (
            len(self.batch.docs) >= self.batch_docs
            or len(self.batch.pages) >= self.batch_pages
            or due
        ):
            self.flush()

    def flush(self) -> None:
        """Hand the current batch to the commit thread (blocks while two are waiting)."""
        self._last_flush = time.monotonic()
        self._raise_if_failed()
        if not self.batch:
            return
        batch, self.batch = self.batch, Batch()
        if self._closed:
            self._commit(batch)
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._commit_loop, name="crawl-writer")
            self._thread.daemon = True
            self._thread.start()
        self._queue.put(batch)

    def close(self) -> None:
        """Commit everything handed over so far and stop the commit thread."""
        self.flush()
        if self._thread is not None and not self._closed:
            self._queue.put(None)
            self._thread.join()
        self._closed = True
        self._raise_if_failed()

    def _commit_loop(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._commit(batch)
                except BaseException as exc:  # reported to the crawl on its next flush
                    self._error = exc

    def _commit(self, batch: Batch) -> UpsertStats:
        stats = self.ledger.commit(self.source, self.run_id, batch)
        self.totals += batch.counts
        self.totals.update(stats.as_dict())
        return stats

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise RuntimeError(f"committing crawl results failed: {self._error!r}") from self._error
