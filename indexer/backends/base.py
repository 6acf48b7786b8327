"""The search backend interface: what the API, sync and eval need from an engine."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from indexer.backends.fields import IndexFields
from indexer.search.types import BackendHit, BackendResult, SearchRequest


class IndexBusy(RuntimeError):
    """Another process holds the index writer; retry later or let that process apply changes."""


class BackendUnavailable(RuntimeError):
    """The engine cannot answer now (unreachable, overloaded, shards missing); retry later."""


class SearchBackend(Protocol):
    """An engine that indexes analysed documents and answers search requests."""

    name: str
    # Optional flags, read with getattr: ``supports_partial_updates`` (see ``apply``) and
    # ``searches_in_process`` (a search is CPU work in this process, no wait on a network,
    # so the API may run it on its event loop: ``Runtime.run_search``).

    def search(self, request: SearchRequest) -> BackendResult: ...

    def fetch(self, ids: list[str]) -> list[BackendHit]:
        """Indexed documents by id, in the given order (direct article lookup, related items)."""

    def apply(self, upserts: list[IndexFields], deletes: list[str], rev: int) -> list[str] | None:
        """Apply one batch of catalog changes and record ``rev`` as applied (durably).

        A backend that sets ``supports_partial_updates = True`` also accepts
        ``partial=[IndexFields(text=None, …)]``: documents whose content it
        already holds and whose keywords/record changed (editors' tags). It must
        keep their analysed text (tantivy: from stored fields; Elasticsearch: a
        partial ``update``) and return the ids of patches for documents it does
        not hold (the sync sends those whole). Backends without the flag get
        full documents only.
        """

    def rebuild(self, rev: int, batches: Iterable[list[IndexFields]]) -> int:
        """Build a fresh index from ``batches`` and switch searches to it; returns the count."""

    def applied_rev(self) -> int:
        """The catalog revision this index reflects (0 when empty or missing)."""

    def index_version(self) -> Any:
        """A token that changes whenever what searches read changes (generation, revision);
        None when unknown. The search service's result cache is keyed by it."""

    def is_compatible(self) -> bool:
        """False when the index was built with another schema or analysis: rebuild it."""

    def count(self) -> int: ...

    def content_hashes(self) -> Iterator[tuple[str, str]]:
        """(id, content_hash) of every indexed document."""

    def index_hashes(self) -> Iterator[tuple[str, str]]:
        """(id, ``fields.index_hash``) of every indexed document: content and tags, for verify."""

    def health(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
