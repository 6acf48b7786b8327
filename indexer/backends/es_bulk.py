"""Bulk writes to Elasticsearch: bounded requests, retries with backoff, per-document outcomes.

Why not ``elasticsearch.helpers.bulk``: it retries only 429s, and the sync path
needs a precise three-way answer for every document:

* **done** — 2xx; a 409 version conflict (the index already holds this catalog
  revision or a newer one: every write carries the document's catalog
  revision as an *external* version, so a late or repeated write can never
  replace newer content); a 404 on delete (already gone);
* **retry** — 429 or 5xx for the document, or the whole request failing with
  429/5xx/a connection error or timeout (a node leaving, a full queue): the
  documents are re-sent with exponential backoff and jitter;
* **rejected** — any other 4xx: returned to the caller, which records it
  (``ElasticsearchBackend`` keeps a failures index and retries from it).

A document still failing transiently after ``max_attempts`` raises
``BulkRetriesExhausted``: the caller must not record its revision as applied.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from elasticsearch import ApiError, Elasticsearch, TransportError

log = logging.getLogger(__name__)

#: Bounds of one ``_bulk`` request: big enough to amortise, small enough to
#: stay far below ``http.max_content_length`` and not to starve other requests.
MAX_DOCS = 500
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class BulkAction:
    op: Literal["index", "delete"]
    id: str
    version: int
    source: dict[str, Any] | None = None

    def encode(self) -> bytes:
        meta = {self.op: {"_id": self.id, "version": self.version, "version_type": "external"}}
        lines = orjson.dumps(meta) + b"\n"
        if self.op == "index":
            lines += orjson.dumps(self.source) + b"\n"
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "id": self.id, "version": self.version, "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BulkAction:
        return cls(data["op"], data["id"], int(data["version"]), data.get("source"))


@dataclass
class DocumentFailure:
    action: BulkAction
    status: int
    reason: str

    @property
    def id(self) -> str:
        return self.action.id


class BulkRetriesExhausted(RuntimeError):
    """Documents still failed with a transient error after every attempt."""

    def __init__(self, failures: list[DocumentFailure]) -> None:
        self.failures = failures
        sample = "; ".join(f"{f.id}: {f.status} {f.reason}" for f in failures[:3])
        super().__init__(f"{len(failures)} documents not indexed after retries ({sample})")


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _reason(error: Any) -> str:
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}"[:500]
    return str(error)[:500]


@dataclass
class BulkWriter:
    client: Elasticsearch
    max_docs: int = MAX_DOCS
    max_bytes: int = MAX_BYTES
    max_attempts: int = 10
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    #: Documents re-sent after a transient failure (for tests and metrics).
    retried: int = field(default=0, init=False)

    def chunks(self, actions: Iterable[BulkAction]) -> Iterator[list[tuple[BulkAction, bytes]]]:
        chunk: list[tuple[BulkAction, bytes]] = []
        size = 0
        for action in actions:
            encoded = action.encode()
            if chunk and (len(chunk) >= self.max_docs or size + len(encoded) > self.max_bytes):
                yield chunk
                chunk, size = [], 0
            chunk.append((action, encoded))
            size += len(encoded)
        if chunk:
            yield chunk

    def write(self, index: str, actions: Iterable[BulkAction]) -> list[DocumentFailure]:
        """Write every action; returns the rejected ones (raises if transient failures persist)."""
        rejected: list[DocumentFailure] = []
        for chunk in self.chunks(actions):
            rejected += self.write_chunk(index, chunk)
        return rejected

    def write_chunk(
        self, index: str, chunk: list[tuple[BulkAction, bytes]]
    ) -> list[DocumentFailure]:
        rejected: list[DocumentFailure] = []
        pending = chunk
        for attempt in range(1, self.max_attempts + 1):
            retry: list[tuple[tuple[BulkAction, bytes], DocumentFailure]] = []
            try:
                response = self.client.options(retry_on_status=()).bulk(
                    index=index, operations=b"".join(encoded for _, encoded in pending)
                )
            except ApiError as exc:
                if not _retryable(exc.meta.status):
                    raise
                retry = [
                    (p, DocumentFailure(p[0], exc.meta.status, str(exc)[:500])) for p in pending
                ]
            except (
                TransportError
            ) as exc:  # connection refused/reset, timeout: another node may answer
                retry = [(p, DocumentFailure(p[0], 503, repr(exc)[:500])) for p in pending]
            else:
                for item, result in zip(pending, response["items"], strict=True):
                    outcome = next(iter(result.values()))
                    status = int(outcome.get("status", 500))
                    action = item[0]
                    if status < 300 or status == 409 or (action.op == "delete" and status == 404):
                        continue
                    failure = DocumentFailure(action, status, _reason(outcome.get("error")))
                    if _retryable(status):
                        retry.append((item, failure))
                    else:
                        rejected.append(failure)
            if not retry:
                return rejected
            if attempt == self.max_attempts:
                raise BulkRetriesExhausted([failure for _, failure in retry])
            delay = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
            delay *= random.uniform(0.5, 1.0)
            log.warning(
                "bulk: %d of %d documents failed transiently (%s); retry %d in %.1f s",
                len(retry),
                len(pending),
                retry[0][1].reason[:200],
                attempt,
                delay,
            )
            self.retried += len(retry)
            self.sleep(delay)
            pending = [item for item, _ in retry]
        return rejected  # pragma: no cover - the loop returns or raises

    def pipelined(self, index: str, workers: int = 2) -> BulkPipeline:
        return BulkPipeline(self, index, workers)


class BulkPipeline:
    """Concurrent bulk requests while the caller prepares the next batch (used by rebuilds).

    At most ``2 × workers`` requests are queued, so memory stays bounded however
    large the corpus. Leaving the ``with`` block waits for every request; an
    error in any request is raised there (or at the next ``submit``).
    """

    def __init__(self, writer: BulkWriter, index: str, workers: int) -> None:
        self.writer = writer
        self.index = index
        self.workers = workers
        self.rejected: list[DocumentFailure] = []
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fasou-bulk")
        self._in_flight: deque[Future[list[DocumentFailure]]] = deque()

    def submit(self, actions: Iterable[BulkAction]) -> None:
        for chunk in self.writer.chunks(actions):
            while len(self._in_flight) >= 2 * self.workers:
                self.rejected += self._in_flight.popleft().result()
            self._in_flight.append(
                self._executor.submit(self.writer.write_chunk, self.index, chunk)
            )

    def __enter__(self) -> BulkPipeline:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            while self._in_flight:
                future = self._in_flight.popleft()
                if exc_type is None:
                    self.rejected += future.result()
                else:
                    future.cancel()
        finally:
            self._executor.shutdown(wait=True, cancel_futures=True)
