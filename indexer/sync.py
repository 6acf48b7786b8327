"""Catalog → index: apply what changed since the index's revision, or rebuild it all.

There is exactly one way documents reach an index: through these functions,
driven by catalog revisions. Importers and spiders only write the catalog.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from indexer.backends.base import SearchBackend
from indexer.backends.fields import IndexFields, index_fields
from indexer.catalog import Catalog
from indexer.tagging.store import refresh_suggestions

log = logging.getLogger(__name__)


def sync_once(catalog: Catalog, backend: SearchBackend, batch_size: int = 2000) -> int:
    """Apply every pending catalog change; returns how many documents changed in the index."""
    refresh_suggestions(catalog)  # suggested tags are part of what gets indexed
    applied = 0
    rev = backend.applied_rev()
    while True:
        changes = catalog.changes_since(rev, limit=batch_size)
        if not changes:
            return applied
        # Never split one revision across two batches: its rev is recorded as applied.
        last_rev = changes[-1]["rev"]
        if len(changes) == batch_size:
            complete = [c for c in changes if c["rev"] < last_rev]
            if complete:
                changes, last_rev = complete, complete[-1]["rev"]
            else:
                changes = catalog.changes_since(rev, limit=10**9)
                changes = [c for c in changes if c["rev"] == last_rev]
        upserts = [index_fields(c) for c in changes if not c.get("deleted")]
        deletes = [c["id"] for c in changes if c.get("deleted")]
        backend.apply(upserts, deletes, last_rev)
        applied += len(changes)
        rev = last_rev


def _analysed(batches: Iterator[list[dict]]) -> Iterator[list[IndexFields]]:
    for batch in batches:
        yield [index_fields(record) for record in batch]


def rebuild(catalog: Catalog, backend: SearchBackend) -> int:
    """Build a fresh index from a consistent catalog snapshot, then catch up on later changes."""
    refresh_suggestions(catalog)
    rev, batches = catalog.snapshot()
    count = backend.rebuild(rev, _analysed(batches))
    log.info("rebuilt %s index: %d documents at rev %d", backend.name, count, rev)
    return count


#: A backlog larger than this share of the catalog is cheaper to rebuild than to apply.
REBUILD_BACKLOG_SHARE = 0.3


def ensure_index(catalog: Catalog, backend: SearchBackend) -> str:
    """Bring the index up to date: rebuild when empty, incompatible or far behind."""
    applied = backend.applied_rev()
    backlog = catalog.count_changed_since(applied) if applied else 0
    far_behind = backlog > 5000 and backlog > REBUILD_BACKLOG_SHARE * catalog.count()
    if applied == 0 or far_behind or not backend.is_compatible():
        count = rebuild(catalog, backend)
        applied = sync_once(catalog, backend)
        return f"rebuilt: {count} documents (+{applied} later changes)"
    applied = sync_once(catalog, backend)
    return f"up to date: applied {applied} changes"
