"""A per-process LRU of search pages, keyed by the normalised request and the index version.

Why it is safe: the key includes the backend's ``index_version()`` — a token that
changes whenever the index a search reads changes (tantivy: generation + applied
revision, read *before* the reader reloads, so a page stored under a version
never predates it; Elasticsearch: the read alias's index and its revision). An
editor's tag therefore stops being served from the cache as soon as the index
holds it: the next search sees a new version and misses. Entries of old
versions are never hit again and age out of the LRU.

Personalised and ``explain`` searches are not cached (they differ per resident
and are rare); the cache holds what anonymous residents ask, which repeats a lot
(popular questions follow a Zipf-like distribution).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import astuple
from typing import Any

from indexer.search.types import Filters


def normalise_query(query: str) -> str:
    """Requests that differ only in surrounding or repeated whitespace share an entry."""
    return " ".join(query.split())


def request_key(
    query: str, filters: Filters, offset: int, size: int, facets: tuple[str, ...], snippets: bool
) -> tuple[Hashable, ...]:
    parts = tuple(tuple(sorted(v)) if isinstance(v, list) else v for v in astuple(filters))
    return (normalise_query(query), parts, offset, size, facets, snippets)


class SearchCache:
    """Thread-safe LRU (the API counts hits and misses in its metrics)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
