"""Catalog → index: apply what changed since the index's revision, or rebuild it all.

There is exactly one way documents reach an index: through these functions,
driven by catalog revisions. Importers and spiders only write the catalog.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from indexer.backends.base import SearchBackend
from indexer.backends.fields import IndexFields, index_fields, patch_fields
from indexer.catalog import Catalog
from indexer.tagging.store import refresh_suggestions

log = logging.getLogger(__name__)


def _split(changes: list[dict]) -> tuple[list[IndexFields], list[IndexFields], list[str]]:
    """Full upserts, partial (tag patch) upserts, deletes."""
    full: list[IndexFields] = []
    partial: list[IndexFields] = []
    deletes: list[str] = []
    for change in changes:
        if change.get("deleted"):
            deletes.append(change["id"])
        elif "patch" in change:
            partial.append(patch_fields(change["id"], change["patch"]))
        else:
            full.append(index_fields(change))
    return full, partial, deletes


def _next_batch(catalog: Catalog, rev: int, batch_size: int, partial_ok: bool) -> list[dict]:
    """The changes after ``rev`` up to a revision boundary (≤ batch_size unless one revision
    is larger): a batch's last revision is recorded as applied, so none may be split."""
    content_upto = rev if partial_ok else None
    changes = catalog.changes_since(rev, limit=batch_size + 1, content_upto=content_upto)
    if len(changes) <= batch_size:
        return changes
    head, next_rev = changes[:batch_size], changes[batch_size]["rev"]
    if head[-1]["rev"] != next_rev:
        return head
    complete = [c for c in head if c["rev"] < next_rev]
    if complete:
        return complete
    everything = catalog.changes_since(rev, limit=10**9, content_upto=content_upto)
    return [c for c in everything if c["rev"] == next_rev]


def sync_once(catalog: Catalog, backend: SearchBackend, batch_size: int = 2000) -> int:
    """Apply every pending catalog change; returns how many documents changed in the index.

    Documents whose content the index already holds (only editors' tags
    changed) go as partial updates to backends that declare
    ``supports_partial_updates``: no catalog rows are read or shaped (tantivy
    re-analyses from the record it stores; Elasticsearch patches in place), so a
    tag on 50k documents reaches the index in seconds. Other backends get full
    documents.
    """
    refresh_suggestions(catalog)  # suggested tags are part of what gets indexed
    applied = 0
    rev = backend.applied_rev()
    partial_ok = bool(getattr(backend, "supports_partial_updates", False))
    while True:
        changes = _next_batch(catalog, rev, batch_size, partial_ok)
        if not changes:
            return applied
        last_rev = changes[-1]["rev"]
        full, partial, deletes = _split(changes)
        if partial:
            unknown = backend.apply(full, deletes, last_rev, partial=partial)  # type: ignore[call-arg]
            if unknown:  # not in the index after all (it lost them): send them whole
                log.warning("%d tag patches for documents missing from the index", len(unknown))
                records = catalog.get_many(unknown)
                backend.apply([index_fields(r) for r in records], [], last_rev)
        else:
            backend.apply(full, deletes, last_rev)
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
