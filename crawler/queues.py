"""The scheduler's JOBDIR request queue: in memory while crawling, on disk once stopped.

Scrapy's disk queues write every scheduled request to JOBDIR as it is pushed (and
look up its callback's name with ``inspect.getmembers`` to do so), and remove the
queue's directory whenever it runs empty — which, for a crawl that consumes
requests as fast as it finds them, is after nearly every request: a mkdir, a
file, an ``info.json`` and an rmdir per page, on the reactor's thread.

None of that buys anything here. A crawl killed mid-way cannot use its queue
anyway (``runner.discard_unclean_queue`` drops it; the resumed run re-discovers
its pages from the listings and the ledger), so only a clean stop needs the
queue on disk — and a clean stop closes every queue. This queue therefore keeps
its requests in a deque and writes them (one pickle file) in ``close()``, which
Scrapy calls when the crawl stops; a resumed run loads that file back.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.request import request_from_dict

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

FILE_NAME = "requests.pickle"


def _spider_method(spider: Spider | None, function: Any) -> bool:
    if function is None:
        return True
    name = getattr(function, "__name__", "")
    own = getattr(spider, name, None)
    return getattr(function, "__self__", None) is spider and (
        getattr(own, "__func__", None) is getattr(function, "__func__", None)
    )


class StoppedToDiskQueue:
    """FIFO of requests for ``SCHEDULER_DISK_QUEUE`` (see the module docstring)."""

    def __init__(self, crawler: Crawler, key: str) -> None:
        self.spider = crawler.spider
        self.path = Path(key)
        self.requests: deque[Request] = deque()
        saved = self.path / FILE_NAME
        if saved.exists():
            with saved.open("rb") as file:
                self.requests.extend(
                    request_from_dict(d, spider=self.spider) for d in pickle.load(file)
                )
            saved.unlink()  # handed over: a later kill must not replay it

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str) -> StoppedToDiskQueue:
        return cls(crawler, key)

    def push(self, request: Request) -> None:
        # Scrapy keeps a request it cannot serialise in memory (it expects ValueError):
        # callbacks must be the spider's own methods to be found again after a restart.
        if not (
            _spider_method(self.spider, request.callback)
            and _spider_method(self.spider, request.errback)
        ):
            raise ValueError(f"not serialisable to JOBDIR: {request}")
        self.requests.append(request)

    def pop(self) -> Request | None:
        return self.requests.popleft() if self.requests else None

    def peek(self) -> Request | None:
        return self.requests[0] if self.requests else None

    def __len__(self) -> int:
        return len(self.requests)

    def close(self) -> None:
        """Write what is still queued (the crawl is stopping, or this queue ran empty)."""
        if not self.requests:
            return
        saved = []
        for request in self.requests:
            try:
                saved.append(request.to_dict(spider=self.spider))
            except ValueError as exc:  # re-discovered from the listings on resume
                log.warning("request not saved to JOBDIR: %s", exc)
        self.path.mkdir(parents=True, exist_ok=True)
        partial = self.path / (FILE_NAME + ".partial")
        with partial.open("wb") as file:
            pickle.dump(saved, file, protocol=pickle.HIGHEST_PROTOCOL)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(self.path / FILE_NAME)
