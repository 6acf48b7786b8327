"""Elasticsearch as the search backend: versioned indices behind a read and a write alias.

* **Names and mappings**: ``es_mappings`` (index template, BM25 settings from
  ``indexer.ranking``); **queries**: ``es_queries``; **bulk writes**:
  ``es_bulk``. This module does the I/O and the bookkeeping.
* **Revisions**: the catalog revision an index reflects is kept in that
  index's mapping ``_meta`` (cluster state: durable, and it travels with the
  index it describes). Every document carries its own catalog revision as an
  external ``_version``, so a repeated or late write never replaces newer
  content.
* **Which index a batch goes to**: ``apply`` writes to the concrete index whose
  revision the calling thread last read with ``applied_rev``, not to whatever
  the write alias names at that moment. A batch is computed from "changes
  since the revision of index A"; if a rebuild swapped the aliases to index B
  meanwhile, the batch still lands in A (kept as the previous index) and the
  next ``applied_rev`` reads B's revision, so B never skips a change and never
  receives content read before its own snapshot.
* **Rebuild**: a new index is filled from a catalog snapshot (refresh off,
  async translog, concurrent bulk requests), made durable, counted — the old
  index stays live unless the count equals the snapshot's — and then both
  aliases move in one atomic ``_aliases`` call. Searches answer throughout.
  The previous index is kept until the next rebuild (in-flight requests and
  late writers may still use it).
* **Rejected documents** are recorded in ``<prefix>-index-failures`` with the
  write that failed, retried on every later ``apply`` and reported by
  ``health()``; ``fasou index verify`` lists them as missing or stale.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from elasticsearch import (
    ApiError,
    BadRequestError,
    Elasticsearch,
    NotFoundError,
    TransportError,
)
from elasticsearch.helpers import scan
from elasticsearch.serializer import OrjsonSerializer

from fasou.config import Settings
from indexer.backends.base import BackendUnavailable
from indexer.backends.es_bulk import BulkAction, BulkWriter, DocumentFailure
from indexer.backends.es_mappings import (
    FAILURES_MAPPINGS,
    IndexNames,
    index_meta,
    index_template,
    is_current_meta,
    replica_settings,
)
from indexer.backends.es_queries import (
    facet_counts,
    preference,
    search_body,
)
from indexer.backends.fields import IndexFields
from indexer.ranking import SCORE_DECIMALS
from indexer.search.types import BackendHit, BackendResult, SearchRequest

log = logging.getLogger(__name__)
#: The transport logs every request at INFO: on a serving process (root logger at
#: INFO) that is one formatted line per search. Retries and dead nodes are warnings.
logging.getLogger("elastic_transport.transport").setLevel(logging.WARNING)

_HEALTH_STATUS = {"green": "ok", "yellow": "degraded", "red": "error"}
#: How long a rebuild waits for the new index's shard copies to become active.
_COPIES_WAIT = "60s"


class RebuildFailed(RuntimeError):
    """The new index did not come out complete; the live index was left in place."""


class StaleWriteTarget(RuntimeError):
    """The index a batch was computed for no longer exists; re-read the applied revision."""


def client_from_settings(settings: Settings) -> Elasticsearch:
    """A client for ``FASOU_ES_URL`` (comma-separated nodes: requests fail over between them)."""
    hosts = [url.strip() for url in settings.es_url.split(",") if url.strip()]
    options: dict[str, Any] = {
        "request_timeout": settings.es_timeout,
        "max_retries": 3,
        "retry_on_timeout": True,
        "serializer": OrjsonSerializer(),  # search responses carry up to 50 records
    }
    if settings.es_username:
        options["basic_auth"] = (settings.es_username, settings.es_password or "")
    if any(url.startswith("https:") for url in hosts):
        options["verify_certs"] = settings.es_verify_certs
        if settings.es_ca_certs:
            options["ca_certs"] = settings.es_ca_certs
    return Elasticsearch(hosts, **options)


def _document(fields: IndexFields) -> dict[str, Any]:
    return {
        "id": fields.id,
        **fields.text,
        **fields.keywords,
        "published": fields.published.isoformat() if fields.published else None,
        "prior": fields.prior,
        "content_hash": fields.record.get("content_hash") or "",
        "index_hash": fields.index_hash,
        "record": orjson.dumps(fields.record).decode(),
    }


def index_action(fields: IndexFields, rev: int) -> BulkAction:
    """An upsert, versioned by the document's catalog revision (``rev`` if it has none)."""
    return BulkAction("index", fields.id, int(fields.record.get("rev") or rev), _document(fields))


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(
        self,
        client: Elasticsearch,
        prefix: str = "fasou",
        *,
        shards: int = 1,
        replicas: str = "0-1",
        rebuild_workers: int = 2,
        writer: BulkWriter | None = None,
    ) -> None:
        self.client = client
        self.names = IndexNames(prefix)
        self.shards = shards
        self.replicas = replicas
        self.rebuild_workers = rebuild_workers
        self.writer = writer or BulkWriter(client)
        self._local = threading.local()
        self._template_ready = False
        self._version: tuple[Any, ...] | None = None
        self._version_at = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchBackend:
        return cls(
            client_from_settings(settings),
            settings.es_index_prefix,
            shards=settings.es_shards,
            replicas=settings.es_replicas,
        )

    # -- indices and aliases ------------------------------------------------

    def _alias_indices(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias))
        except NotFoundError:
            return []

    def _concrete(self, alias: str) -> str | None:
        indices = self._alias_indices(alias)
        return indices[0] if indices else None

    @property
    def live_index(self) -> str | None:
        """The concrete index searches currently read."""
        return self._concrete(self.names.read_alias)

    def _ensure_template(self) -> None:
        if not self._template_ready:
            self.client.indices.put_index_template(
                name=self.names.template,
                body=index_template(self.names, self.shards, self.replicas),
            )
            self._template_ready = True

    def _ensure_write_index(self) -> str:
        """The write alias's index, creating the empty first index (with both aliases) if none."""
        index = self._concrete(self.names.write_alias)
        if index is not None:
            return index
        self._ensure_template()
        bootstrap = self.names.bootstrap_index
        try:
            self.client.indices.create(
                index=bootstrap,
                aliases={
                    self.names.read_alias: {},
                    self.names.write_alias: {"is_write_index": True},
                },
            )
        except BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
        return self._concrete(self.names.write_alias) or bootstrap

    def _meta(self, index: str) -> dict[str, Any]:
        mapping = self.client.indices.get_mapping(index=index)
        return next(iter(mapping.values()))["mappings"].get("_meta", {})

    def _record_rev(self, index: str, rev: int) -> None:
        """Store ``rev`` as applied to ``index`` — never moving it backwards."""
        current = int(self._meta(index).get("rev", 0))
        if rev > current:
            self.client.indices.put_mapping(index=index, meta=index_meta(rev))

    # -- revisions ----------------------------------------------------------

    def _rev_of(self, index: str | None) -> int:
        return int(self._meta(index).get("rev", 0)) if index else 0

    def applied_rev(self) -> int:
        """The write index's revision; this thread's next ``apply`` writes to that index."""
        index = self._concrete(self.names.write_alias)
        self._local.index = index
        return self._rev_of(index)

    #: Seconds a read version is reused: two small requests per process per interval.
    VERSION_TTL = 0.25

    def index_version(self) -> tuple[Any, ...] | None:
        """The read alias's index and its revision (``_meta.rev`` is recorded after the
        batch is refreshed, so pages read under it are at least that new); None when
        Elasticsearch cannot say — the search service then does not cache."""
        now = time.monotonic()
        if self._version is None or now - self._version_at > self.VERSION_TTL:
            try:
                self._version, self._version_at = self._read_version(), now
            except Exception:
                self._version = None
        return self._version

    def _read_version(self) -> tuple[str | None, int]:
        """The read alias's index and its ``_meta.rev`` in one request (the mapping API
        resolves the alias), not an alias lookup followed by a mapping read."""
        try:
            mapping = self.client.indices.get_mapping(
                index=self.names.read_alias, filter_path="*.mappings._meta.rev"
            )
        except NotFoundError:
            return None, 0
        if not mapping:  # an index without a recorded revision
            return self.live_index, 0
        index, value = min(mapping.body.items())
        return index, int(value["mappings"]["_meta"]["rev"])

    def is_compatible(self) -> bool:
        index = self.live_index
        return index is None or is_current_meta(self._meta(index))

    # -- writes -------------------------------------------------------------

    def _write_target(self) -> str:
        target = getattr(self._local, "index", None)
        if target is None:
            target = self._ensure_write_index()
            self._local.index = target
        elif not self.client.indices.exists(index=target):
            self._local.index = None
            raise StaleWriteTarget(f"index {target} is gone; the next sync re-reads its revision")
        return target

    def apply(self, upserts: list[IndexFields], deletes: list[str], rev: int) -> None:
        target = self._write_target()
        actions = [BulkAction("delete", doc_id, rev) for doc_id in deletes]
        actions += [index_action(fields, rev) for fields in upserts]
        batch_ids = {action.id for action in actions}
        pending = self._pending_failures()
        retries = [BulkAction.from_dict(p["action"]) for p in pending if p["id"] not in batch_ids]
        rejected = self.writer.write(target, actions + retries)
        rejected_ids = {failure.id for failure in rejected}
        self._store_failures(rejected, {p["id"]: p for p in pending})
        self._clear_failures([p["id"] for p in pending if p["id"] not in rejected_ids])
        self.client.indices.refresh(index=target)
        self._record_rev(target, rev)

    def rebuild(self, rev: int, batches: Iterable[list[IndexFields]]) -> int:
        self._ensure_template()
        index = self.names.new_index()
        self.client.indices.create(
            index=index,
            settings={"index": {"refresh_interval": "-1", "translog": {"durability": "async"}}},
        )
        try:
            count = self._fill(index, rev, batches)
            previous = self._swap_aliases(index)
        except BaseException:
            self.client.options(ignore_status=404).indices.delete(index=index)
            raise
        self._local.index = None
        try:  # housekeeping: the swap has happened, a failure here must not undo the rebuild
            self._remove_old_indices(keep={index, *(previous or [])})
            # recorded rejections up to ``rev`` are settled: the snapshot held those documents
            self._clear_failures(
                [p["id"] for p in self._pending_failures() if int(p["version"]) <= rev]
            )
        except (ApiError, TransportError) as exc:
            log.warning("rebuild of %s done; cleaning up afterwards failed: %s", index, exc)
        return count

    def _fill(self, index: str, rev: int, batches: Iterable[list[IndexFields]]) -> int:
        count = 0
        with self.writer.pipelined(index, workers=self.rebuild_workers) as pipeline:
            for batch in batches:
                pipeline.submit(index_action(fields, rev) for fields in batch)
                count += len(batch)
        if pipeline.rejected:
            for failure in pipeline.rejected:
                log.error("rebuild: %s rejected: %s %s", failure.id, failure.status, failure.reason)
            sample = ", ".join(f.id for f in pipeline.rejected[:5])
            raise RebuildFailed(f"{len(pipeline.rejected)} documents rejected ({sample})")
        self.client.indices.put_settings(
            index=index,
            settings={"index": {"refresh_interval": None, "translog": {"durability": "request"}}},
        )
        self.client.indices.flush(index=index)
        self.client.indices.refresh(index=index)
        self._wait_for_copies(index)
        indexed = self.client.count(index=index)["count"]
        if indexed != count:
            raise RebuildFailed(f"new index {index} holds {indexed} documents, catalog {count}")
        self.client.indices.put_mapping(index=index, meta=index_meta(rev))
        return count

    def _wait_for_copies(self, index: str) -> None:
        """Primaries must be active; replicas too when the cluster has nodes to hold them.

        Swapping to an index whose replicas are still recovering would report a
        degraded cluster right after every rebuild on a multi-node cluster.
        """
        health = self.client.options(ignore_status=408).cluster.health(
            index=index, wait_for_status="yellow", timeout=_COPIES_WAIT
        )
        if health["status"] == "red":
            raise RebuildFailed(f"new index {index} is red: {health['unassigned_shards']} shards")
        replicas = 0 if "-" in self.replicas else int(self.replicas)
        if health["status"] != "green" and health["number_of_data_nodes"] > replicas:
            self.client.options(ignore_status=408).cluster.health(
                index=index, wait_for_status="green", timeout=_COPIES_WAIT
            )

    def _swap_aliases(self, index: str) -> list[str]:
        """Point both aliases at ``index`` in one atomic call; returns the indices they left."""
        previous = self._alias_indices(self.names.read_alias)
        actions: list[dict[str, Any]] = []
        for alias in (self.names.read_alias, self.names.write_alias):
            for old in self._alias_indices(alias):
                actions.append({"remove": {"index": old, "alias": alias}})
        actions.append({"add": {"index": index, "alias": self.names.read_alias}})
        actions.append(
            {"add": {"index": index, "alias": self.names.write_alias, "is_write_index": True}}
        )
        self.client.indices.update_aliases(actions=actions)
        return previous

    def _remove_old_indices(self, keep: set[str]) -> None:
        """Drop indices older than the ones kept (a rebuild started later is left alone)."""
        settings = self.client.indices.get_settings(
            index=self.names.pattern, name="index.creation_date"
        )
        created = {
            name: int(value["settings"]["index"]["creation_date"])
            for name, value in settings.items()
        }
        newest_kept = max((created[name] for name in keep if name in created), default=0)
        stale = [n for n, t in created.items() if n not in keep and t < newest_kept]
        if stale:
            self.client.options(ignore_status=404).indices.delete(index=",".join(stale))

    # -- rejected documents ---------------------------------------------------

    def _pending_failures(self) -> list[dict[str, Any]]:
        response = self.client.search(
            index=self.names.failures, size=10_000, ignore_unavailable=True
        )
        return [hit["_source"] for hit in response["hits"]["hits"]]

    def _store_failures(
        self, rejected: list[DocumentFailure], previous: dict[str, dict[str, Any]]
    ) -> None:
        if not rejected:
            return
        self._ensure_failures_index()
        now = datetime.now(UTC).isoformat()
        operations: list[dict[str, Any]] = []
        for failure in rejected:
            before = previous.get(failure.id, {})
            log.error(
                "index: document %s rejected (%s %s); recorded for retry",
                failure.id,
                failure.status,
                failure.reason,
            )
            operations += [
                {"index": {"_id": failure.id}},
                {
                    "id": failure.id,
                    "version": failure.action.version,
                    "action": failure.action.as_dict(),
                    "status": failure.status,
                    "reason": failure.reason,
                    "attempts": int(before.get("attempts", 0)) + 1,
                    "first_failed": before.get("first_failed", now),
                    "last_failed": now,
                },
            ]
        response = self.client.bulk(index=self.names.failures, operations=operations, refresh=True)
        if response["errors"]:
            raise RuntimeError(f"could not record rejected documents: {response['items'][:2]}")

    def _clear_failures(self, ids: list[str]) -> None:
        if not ids:
            return
        operations = [{"delete": {"_id": doc_id}} for doc_id in ids]
        self.client.bulk(index=self.names.failures, operations=operations, refresh=True)

    def _ensure_failures_index(self) -> None:
        try:
            self.client.indices.create(
                index=self.names.failures,
                mappings=FAILURES_MAPPINGS,
                settings={"number_of_shards": 1, **replica_settings(self.replicas)},
            )
        except BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise

    def failed_documents(self) -> list[dict[str, Any]]:
        """Recorded rejections: id, status, reason, attempts (for health and operators)."""
        return [
            {k: p[k] for k in ("id", "status", "reason", "attempts", "last_failed")}
            for p in self._pending_failures()
        ]

    # -- reads --------------------------------------------------------------

    def search(self, request: SearchRequest) -> BackendResult:
        empty_facets: dict[str, dict[str, int]] = {name: {} for name in request.facets}
        if request.plan.is_empty:
            return BackendResult(total=0, hits=[])
        try:
            response = self.client.search(
                index=self.names.read_alias,
                body=search_body(request),
                preference=preference(request.plan),
                allow_partial_search_results=False,
            )
        except NotFoundError:  # no index yet: nothing to find
            return BackendResult(total=0, hits=[], facets=empty_facets)
        except TransportError as exc:  # unreachable nodes, timeouts
            raise BackendUnavailable(repr(exc)) from exc
        except ApiError as exc:
            if exc.meta.status == 429 or exc.meta.status >= 500:
                raise BackendUnavailable(str(exc)) from exc
            raise
        hits = [
            BackendHit(
                hit["_id"],
                round(float(hit["sort"][0]), SCORE_DECIMALS),
                orjson.loads(hit["_source"]["record"]),
                hit.get("_explanation"),
            )
            for hit in response["hits"]["hits"]
        ]
        facets = facet_counts(response["aggregations"], request.facets) if request.facets else {}
        return BackendResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets)

    def fetch(self, ids: list[str]) -> list[BackendHit]:
        """The indexed documents with these ids, in the given order (missing ones skipped)."""
        if not ids:
            return []
        try:
            response = self.client.mget(index=self.names.read_alias, ids=ids, source=["record"])
        except NotFoundError:
            return []
        return [
            BackendHit(doc["_id"], 0.0, orjson.loads(doc["_source"]["record"]))
            for doc in response["docs"]
            if doc.get("found")
        ]

    def count(self) -> int:
        try:
            return int(self.client.count(index=self.names.read_alias)["count"])
        except NotFoundError:
            return 0

    def _doc_values(self, field: str) -> Iterator[tuple[str, str]]:
        try:
            for hit in scan(
                self.client,
                index=self.names.read_alias,
                query={"query": {"match_all": {}}, "_source": False, "docvalue_fields": [field]},
                size=5000,
            ):
                yield hit["_id"], hit.get("fields", {}).get(field, [""])[0]
        except NotFoundError:
            return

    def content_hashes(self) -> Iterator[tuple[str, str]]:
        return self._doc_values("content_hash")

    def index_hashes(self) -> Iterator[tuple[str, str]]:
        return self._doc_values("index_hash")

    def health(self) -> dict[str, Any]:
        cluster = self.client.cluster.health()
        return {
            "backend": self.name,
            "status": _HEALTH_STATUS.get(cluster["status"], "error"),
            "cluster": {
                "name": cluster["cluster_name"],
                "status": cluster["status"],
                "nodes": cluster["number_of_nodes"],
                "data_nodes": cluster["number_of_data_nodes"],
                "active_shards_percent": cluster["active_shards_percent_as_number"],
                "unassigned_shards": cluster["unassigned_shards"],
            },
            "index": self.live_index,
            "documents": self.count(),
            "applied_rev": self._rev_of(self._concrete(self.names.write_alias)),
            "failed_documents": len(self._pending_failures()),
        }

    def close(self) -> None:
        self.client.close()
