"""Elasticsearch snapshots of the live document index, for `fasou backup` / `fasou restore`.

Why a snapshot when the index can be rebuilt from the catalog: a rebuild of a
county's corpus re-analyses every document (minutes); restoring segments is a
file copy. Correctness does not depend on it: the snapshot is taken *before*
the catalog is copied, so the index's revision is never ahead of the restored
catalog, and after the restore the ordinary sync applies whatever the catalog
gained in between. If the snapshot cannot be restored (no repository, other
cluster, incompatible index), the restore falls back to a rebuild.

The repository is a shared-filesystem (``fs``) repository: its location must
be listed in every node's ``path.repo`` (``scripts/es-test-node`` sets
``<base-dir>/repo``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from elasticsearch import NotFoundError

from indexer.backends.elasticsearch_backend import ElasticsearchBackend


class SnapshotUnavailable(RuntimeError):
    """No snapshot can be taken or restored here; the caller rebuilds the index instead."""


def ensure_repository(backend: ElasticsearchBackend, repository: str, location: str | None) -> None:
    """Register the ``fs`` repository at ``location`` (or check one registered by the operator)."""
    client = backend.client
    if location:
        client.snapshot.create_repository(
            name=repository, repository={"type": "fs", "settings": {"location": location}}
        )
        return
    try:
        client.snapshot.get_repository(name=repository)
    except NotFoundError as exc:
        raise SnapshotUnavailable(
            f"no snapshot repository {repository!r}: set FASOU_ES_SNAPSHOT_LOCATION "
            "(a directory in the nodes' path.repo) or register it"
        ) from exc


def take_snapshot(
    backend: ElasticsearchBackend, repository: str, location: str | None
) -> dict[str, Any]:
    """Snapshot the live document index; what a restore needs to find it again."""
    index = backend.live_index
    if index is None:
        raise SnapshotUnavailable("no live index to snapshot")
    ensure_repository(backend, repository, location)
    name = f"{backend.names.prefix}-{datetime.now(UTC).strftime('%Y%m%dt%H%M%S%fz')}"
    rev = backend.applied_rev()
    response = backend.client.snapshot.create(
        repository=repository,
        snapshot=name,
        indices=[index],
        include_global_state=False,
        wait_for_completion=True,
        metadata={"fasou_rev": rev},
    )
    state = response["snapshot"]["state"]
    if state != "SUCCESS":
        raise SnapshotUnavailable(f"snapshot {name} ended {state}")
    return {"repository": repository, "snapshot": name, "index": index, "rev": rev}


def restore_snapshot(
    backend: ElasticsearchBackend, info: dict[str, Any], location: str | None
) -> None:
    """Replace this prefix's document indices with the snapshot's (aliases included)."""
    ensure_repository(backend, info["repository"], location)
    client = backend.client
    client.options(ignore_status=404).indices.delete(index=backend.names.pattern)
    try:
        client.snapshot.restore(
            repository=info["repository"],
            snapshot=info["snapshot"],
            indices=[info["index"]],
            include_aliases=True,
            include_global_state=False,
            wait_for_completion=True,
        )
    except NotFoundError as exc:
        raise SnapshotUnavailable(f"snapshot {info['snapshot']} not found") from exc
    client.cluster.health(index=info["index"], wait_for_status="yellow", timeout="60s")
