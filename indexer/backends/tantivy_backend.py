"""The embedded engine: tantivy on local disk.

Layout under ``root``: one directory per index generation plus a ``CURRENT``
file naming the live one. A rebuild writes a new generation and swaps
``CURRENT`` atomically, so searches never see a half-built index and a rebuild
never contends for the live generation's writer lock. Each generation records
the catalog revision it reflects in ``state.json``, written after the commit it
describes: a crash between the two re-applies a batch, which is idempotent.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import tantivy

from analyzers.version import analysis_fingerprint
from indexer.backends.base import IndexBusy
from indexer.backends.fields import (
    KEYWORD_FIELD_NAMES,
    TEXT_FIELD_NAMES,
    IndexFields,
    index_fields,
    index_hash,
)
from indexer.ranking import FIELD_BOOSTS, SCORE_DECIMALS
from indexer.search.types import (
    FACET_FIELDS,
    FACET_SIZE,
    SPARE_CORES,
    BackendHit,
    BackendResult,
    Filters,
    SearchRequest,
)

#: 3: bigram field and prior; 4: empty text fields hold ``fields.EMPTY_FIELD_TOKEN``;
#: 5: analysed text not stored (partial updates re-analyse from the stored record);
#: 6: the facet fields' values in one column too (``FACET_CELL``).
SCHEMA_VERSION = 6
ANALYZER = "fasou_ws"
TEXT_FIELDS = {name: f"{name}_t" for name in TEXT_FIELD_NAMES}
_STATE = "state.json"
_CURRENT = "CURRENT"
_RELOAD_EVERY = 0.2  # seconds between checks for new commits / a swapped generation
#: Extra hits fetched so that ties at a page boundary are ordered by id too.
TIE_WINDOW = 16
#: A keyword column holding each document's values of all ``FACET_FIELDS`` at once.
#: The search page counts four facets on every search; a terms aggregation reads one
#: column per field per matching document, so counting the distinct combinations (22
#: in the starter corpus) and summing them here reads one: 0.47 → 0.30 ms a search.
FACET_CELL = "facet_cell"
_CELL_FIELD, _CELL_VALUE = "\x1f", "\x1e"  # separators no keyword contains
#: Buckets an aggregation may return (tantivy refuses more than 65,000).
_CELL_BUCKETS = 65_000


#: Threads that count facets while the calling thread collects the top hits, when the
#: search may use spare cores (``SPARE_CORES``): both are tantivy work that releases the
#: GIL, so a lone search uses the machine's second core (1.17 → 0.75 ms for the two,
#: 260 bench queries, slow host). Created on first use, per process.
_FACET_THREADS = 1  # lone searches come one at a time
_facet_pool: ThreadPoolExecutor | None = None


def _facet_threads() -> ThreadPoolExecutor:
    global _facet_pool
    if _facet_pool is None:
        _facet_pool = ThreadPoolExecutor(_FACET_THREADS, thread_name_prefix="fasou-facets")
    return _facet_pool


def _forget_facet_threads() -> None:
    global _facet_pool
    _facet_pool = None  # a forked child has none of its parent's threads


os.register_at_fork(after_in_child=_forget_facet_threads)


def facet_cell(keywords: dict[str, list[str]]) -> str:
    """The ``FACET_CELL`` value: per facet field its values joined, the fields joined."""
    return _CELL_FIELD.join(_CELL_VALUE.join(keywords.get(name, ())) for name in FACET_FIELDS)


def cell_counts(buckets: list[dict[str, Any]], names: list[str]) -> dict[str, dict[str, int]]:
    """Per-facet counts (the ``FACET_SIZE`` largest, ties by value) from cell buckets."""
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    positions = [(FACET_FIELDS.index(name), counts[name]) for name in names]
    for bucket in buckets:
        cell, n = bucket["key"].split(_CELL_FIELD), int(bucket["doc_count"])
        for position, tally in positions:
            if cell[position]:
                for value in cell[position].split(_CELL_VALUE):
                    tally[value] = tally.get(value, 0) + n
    return {
        name: dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE])
        for name, tally in counts.items()
    }


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in (*KEYWORD_FIELD_NAMES, FACET_CELL):
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for field in TEXT_FIELDS.values():
        # Not stored: every search loads stored documents (the rerank window), and
        # a partial update re-analyses from the stored record instead (~0.25 ms).
        builder.add_text_field(
            field, stored=False, tokenizer_name=ANALYZER, index_option="position"
        )
    builder.add_date_field("published", indexed=True, fast=True)
    # The static prior: searches multiply scores by log2(2 + prior) (``weight_by_field``).
    builder.add_float_field("prior", stored=False, indexed=False, fast=True)
    builder.add_bytes_field("record", stored=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.lowercase())
        .build()
    )


def _order_ties_by_id(
    snapshot: _Snapshot, scored: list[tuple[float, Any]], offset: int, limit: int
) -> list[tuple[float, dict[str, Any], Any]]:
    """The page ``[offset, offset+limit)`` of score-sorted hits with ties ordered by id.

    Only the page and the tie groups that straddle its edges are loaded.
    """
    lo, hi = offset, min(len(scored), offset + limit)
    if lo >= hi:
        return []
    while lo > 0 and scored[lo - 1][0] == scored[lo][0]:
        lo -= 1
    while hi < len(scored) and scored[hi][0] == scored[hi - 1][0]:
        hi += 1
    loaded = [(score, snapshot.record(address), address) for score, address in scored[lo:hi]]
    loaded.sort(key=lambda item: (-item[0], item[1]["id"]))
    return loaded[offset - lo : offset - lo + limit]


#: Parsed records kept per snapshot (a few MB per thousand).
RECORDS_KEPT = 8192


class _Snapshot:
    """One searcher and the records parsed from it, for as long as the index version holds.

    Every search loads its whole rerank window (~66 stored documents); loading and
    parsing them was 0.9 ms of a 2.5 ms backend search, and the same articles recur
    across questions. Addresses are only meaningful within one searcher, so the
    records live and die with it: a new version means a new snapshot.
    """

    def __init__(self, version: tuple[Any, ...], searcher: tantivy.Searcher) -> None:
        self.version, self.searcher = version, searcher
        self._records: dict[tuple[int, int], dict[str, Any]] = {}

    def record(self, address: Any) -> dict[str, Any]:
        """The stored record; shared between searches, so never to be changed in place."""
        key = (address.segment_ord, address.doc)
        record = self._records.get(key)
        if record is None:
            if len(self._records) >= RECORDS_KEPT:
                self._records.clear()  # crude, like the text caches: the hot set refills
            record = orjson.loads(self.searcher.doc(address).get_first("record"))
            self._records[key] = record
        return record


def _open_index(path: Path, schema: tantivy.Schema) -> tantivy.Index:
    index = tantivy.Index(schema, path=str(path), reuse=True)
    # Not persisted with the index: register on every open, before any read or write.
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


class TantivyBackend:
    name = "tantivy"
    supports_partial_updates = True
    #: Searches are CPU work in this process, never a wait (``Runtime.run_search``).
    searches_in_process = True

    def __init__(self, root: Path, writer_heap: int = 128_000_000) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self.writer_heap = writer_heap
        self._lock = threading.RLock()
        self._generation: str | None = None
        self._index: tantivy.Index | None = None
        self._writer: Any = None
        self._checked = 0.0
        self._snapshot_held: _Snapshot | None = None
        self._open_current()

    # -- generations -------------------------------------------------------

    def _read_current(self) -> str | None:
        try:
            return (self.root / _CURRENT).read_text().strip() or None
        except FileNotFoundError:
            return None

    def _open_current(self) -> None:
        generation = self._read_current()
        usable = (
            generation is not None
            and (self.root / generation).exists()
            and self._read_state(self.root / generation).get("schema_version") == SCHEMA_VERSION
        )
        if not usable:
            # Missing, or written by another schema version (an upgrade): start an
            # empty generation at revision 0, which ``ensure_index`` rebuilds.
            generation = self._new_generation_name()
            (self.root / generation).mkdir(parents=True)
            self._write_state(self.root / generation, 0)
            self._point_current_at(generation)
        assert generation is not None
        self._release_writer()
        self._generation = generation
        self._version = (generation, self._read_state(self.root / generation).get("rev", 0))
        self._index = _open_index(self.root / generation, self.schema)
        self._checked = time.monotonic()

    def _new_generation_name(self) -> str:
        return datetime.now(UTC).strftime("g%Y%m%dT%H%M%S%f")

    def _point_current_at(self, generation: str) -> None:
        tmp = self.root / f"{_CURRENT}.tmp"
        tmp.write_text(generation)
        os.replace(tmp, self.root / _CURRENT)

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._checked < _RELOAD_EVERY:
            return
        with self._lock:
            self._checked = now
            # Read the version first: the reader reloaded below is at least that new.
            if self._read_current() != self._generation:
                self._open_current()  # records the new generation's version itself
            else:
                version = (self._generation, self._read_state(self.generation_dir).get("rev", 0))
                assert self._index is not None
                self._index.reload()
                self._version = version

    def index_version(self) -> tuple[Any, ...]:
        """Changes whenever what searches read changes (see ``indexer/search/cache.py``)."""
        self._maybe_reload()
        return self._version

    @property
    def generation_dir(self) -> Path:
        assert self._generation is not None
        return self.root / self._generation

    # -- state -------------------------------------------------------------

    @staticmethod
    def _write_state(directory: Path, rev: int) -> None:
        tmp = directory / f"{_STATE}.tmp"
        state = {"rev": rev, "schema_version": SCHEMA_VERSION, "analysis": analysis_fingerprint()}
        tmp.write_text(json.dumps(state))
        os.replace(tmp, directory / _STATE)

    @staticmethod
    def _read_state(directory: Path) -> dict[str, Any]:
        try:
            return json.loads((directory / _STATE).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {"rev": 0}

    def applied_rev(self) -> int:
        self._maybe_reload()
        return int(self._read_state(self.generation_dir).get("rev", 0))

    def is_compatible(self) -> bool:
        """False when the live generation was built by another schema or analysis version."""
        state = self._read_state(self.generation_dir)
        return (
            state.get("schema_version") == SCHEMA_VERSION
            and state.get("analysis") == analysis_fingerprint()
        )

    # -- writes ------------------------------------------------------------

    def _acquire_writer(self) -> Any:
        if self._writer is None:
            assert self._index is not None
            try:
                self._writer = self._index.writer(heap_size=self.writer_heap, num_threads=1)
            except ValueError as exc:  # tantivy reports LockBusy as ValueError
                raise IndexBusy(str(exc)) from exc
        return self._writer

    def _release_writer(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    def release_writer(self) -> None:
        """Give up the index writer (and tantivy's cross-process lock) until the next write."""
        with self._lock:
            self._release_writer()

    def _document(self, fields: IndexFields) -> tantivy.Document:
        assert fields.text is not None
        doc = tantivy.Document()
        doc.add_text("id", fields.id)
        for name, values in fields.keywords.items():
            for value in values:
                doc.add_text(name, value)
        doc.add_text(FACET_CELL, facet_cell(fields.keywords))
        for name, field in TEXT_FIELDS.items():
            doc.add_text(field, fields.text[name])
        if fields.published:
            doc.add_date(
                "published",
                datetime(
                    fields.published.year, fields.published.month, fields.published.day, tzinfo=UTC
                ),
            )
        doc.add_float("prior", float(fields.prior))
        doc.add_bytes("record", orjson.dumps(fields.record))
        return doc

    def _patched(self, partial: list[IndexFields]) -> tuple[list[IndexFields], list[str]]:
        """Partial updates made whole from the stored record (re-analysed); unknown ids."""
        assert self._index is not None
        searcher = self._index.searcher()
        stored: dict[str, tantivy.Document] = {}
        for start in range(0, len(partial), 1000):
            chunk = [f.id for f in partial[start : start + 1000]]
            query = tantivy.Query.term_set_query(self.schema, "id", chunk)
            for _score, address in searcher.search(query, limit=len(chunk), count=False).hits:
                doc = searcher.doc(address)
                stored[doc.get_first("id")] = doc
        whole = []
        for fields in partial:
            doc = stored.get(fields.id)
            if doc is None:
                continue
            record = orjson.loads(doc.get_first("record")) | fields.record
            whole.append(index_fields(record))
        return whole, [f.id for f in partial if f.id not in stored]

    def apply(
        self,
        upserts: list[IndexFields],
        deletes: list[str],
        rev: int,
        partial: list[IndexFields] | None = None,
    ) -> list[str]:
        """Returns the ids of partial updates for documents this index does not hold."""
        unknown: list[str] = []
        with self._lock:
            if self._read_current() != self._generation:
                self._open_current()
            writer = self._acquire_writer()
            if partial:
                whole, unknown = self._patched(partial)
                upserts = upserts + whole
            for doc_id in deletes:
                writer.delete_documents_by_term("id", doc_id)
            for fields in upserts:
                writer.delete_documents_by_term("id", fields.id)
                writer.add_document(self._document(fields))
            writer.commit()
            # This process's searches see the commit before the revision is
            # published: whoever reads ``applied_rev() >= rev`` (a waiting editor
            # job, a test, the metrics) then finds the change in a search too.
            assert self._index is not None
            self._index.reload()
            self._version = (self._generation, rev)
            self._write_state(self.generation_dir, rev)
        return unknown

    def rebuild(self, rev: int, batches: Iterable[list[IndexFields]]) -> int:
        generation = self._new_generation_name()
        directory = self.root / generation
        directory.mkdir(parents=True)
        index = _open_index(directory, self.schema)
        writer = index.writer(heap_size=max(self.writer_heap, 256_000_000), num_threads=2)
        count = 0
        try:
            for batch in batches:
                for fields in batch:
                    writer.add_document(self._document(fields))
                count += len(batch)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        self._write_state(directory, rev)
        with self._lock:
            previous = self._generation
            self._point_current_at(generation)
            self._open_current()
        self._remove_old_generations(keep={generation, previous or ""})
        return count

    def _remove_old_generations(self, keep: set[str]) -> None:
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith("g") and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    # -- reads -------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        return self._snapshot().searcher

    def _snapshot(self) -> _Snapshot:
        self._maybe_reload()
        held = self._snapshot_held
        if held is None or held.version != self._version:
            assert self._index is not None
            held = self._snapshot_held = _Snapshot(self._version, self._index.searcher())
        return held

    def count(self) -> int:
        return self._searcher().num_docs

    def _text_query(self, request: SearchRequest) -> tantivy.Query:
        clauses = []
        for term in request.plan.terms:
            for field_key in term.fields:
                query = tantivy.Query.term_query(self.schema, TEXT_FIELDS[field_key], term.text)
                boost = term.weight * FIELD_BOOSTS[field_key]
                clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
        if not clauses:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query(clauses)

    def _filter_clauses(self, filters: Filters, skip: str | None = None) -> list[Any]:
        clauses = []
        for name, values in filters.keyword_filters().items():
            if name == skip:
                continue
            query = tantivy.Query.term_set_query(self.schema, name, values)
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0)))
        if filters.date_from or filters.date_to:

            def bound(d):  # type: ignore[no-untyped-def]
                return datetime(d.year, d.month, d.day, tzinfo=UTC) if d else None

            query = tantivy.Query.range_query(
                self.schema,
                "published",
                tantivy.FieldType.Date,
                bound(filters.date_from),
                bound(filters.date_to),
            )
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0)))
        return clauses

    def _query(self, request: SearchRequest, skip_filter: str | None = None) -> tantivy.Query:
        clauses = [(tantivy.Occur.Must, self._text_query(request))]
        clauses += self._filter_clauses(request.filters, skip=skip_filter)
        return tantivy.Query.boolean_query(clauses)

    def search(self, request: SearchRequest) -> BackendResult:
        snapshot = self._snapshot()
        searcher = snapshot.searcher
        if request.plan.is_empty:
            return BackendResult(total=0, hits=[])
        query = self._query(request)
        counting = (
            _facet_threads().submit(self._facets, searcher, request, query)
            if request.facets and SPARE_CORES.get()
            else None
        )
        # Equal scores are ordered by id, not by where documents sit in segments,
        # so results do not depend on how the index was built (and match ES).
        # The collector cuts a tie group at an arbitrary member, so fetch until
        # the group at the page's end is complete.
        page_end = request.offset + request.limit
        limit = page_end + TIE_WINDOW
        while True:
            result = searcher.search(
                query, limit=limit, weight_by_field="prior" if request.use_prior else None
            )
            scored = [(round(s, SCORE_DECIMALS), a) for s, a in result.hits]
            last = min(len(scored), page_end) - 1
            if len(scored) < limit or last < 0 or scored[-1][0] < scored[last][0]:
                break
            limit *= 2
        ranked = _order_ties_by_id(snapshot, scored, request.offset, request.limit)
        hits = []
        for score, record, address in ranked:
            explanation = (
                json.loads(query.explain(searcher, address).to_json()) if request.explain else None
            )
            hits.append(BackendHit(record["id"], float(score), record, explanation))
        if counting is not None:
            facets = counting.result()
        else:
            facets = self._facets(searcher, request, query) if request.facets else {}
        return BackendResult(total=result.count or 0, hits=hits, facets=facets)

    def fetch(self, ids: list[str]) -> list[BackendHit]:
        """The indexed documents with these ids, in the given order (missing ones skipped)."""
        if not ids:
            return []
        snapshot = self._snapshot()
        query = tantivy.Query.term_set_query(self.schema, "id", list(ids))
        result = snapshot.searcher.search(query, limit=len(ids))
        by_id = {}
        for _score, address in result.hits:
            record = snapshot.record(address)
            by_id[record["id"]] = BackendHit(record["id"], 0.0, record)
        return [by_id[i] for i in ids if i in by_id]

    def _facets(
        self, searcher: tantivy.Searcher, request: SearchRequest, query: tantivy.Query
    ) -> dict[str, dict[str, int]]:
        """Counts per facet value; a filtered facet counts without its own filter (multi-select)."""
        active = request.filters.keyword_filters()
        plain = [f for f in request.facets if f not in active]
        out: dict[str, dict[str, int]] = {}
        groups: list[tuple[str | None, list[str]]] = [(None, plain)] if plain else []
        groups += [(f, [f]) for f in request.facets if f in active]
        for skip, names in groups:
            in_cell = [name for name in names if name in FACET_FIELDS]
            aggs = {
                name: {"terms": {"field": name, "size": FACET_SIZE}}
                for name in names
                if name not in in_cell
            }
            if in_cell:
                aggs[FACET_CELL] = {"terms": {"field": FACET_CELL, "size": _CELL_BUCKETS}}
            scope = query if skip is None else self._query(request, skip_filter=skip)
            result = searcher.aggregate(scope, aggs)
            for name in aggs:
                buckets = result.get(name, {}).get("buckets", [])
                if name == FACET_CELL:
                    out |= cell_counts(buckets, in_cell)
                else:
                    out[name] = {b["key"]: int(b["doc_count"]) for b in buckets}
        return {name: out[name] for name in request.facets}

    def _stored_records(self) -> Iterator[dict[str, Any]]:
        searcher = self._searcher()
        total = searcher.num_docs
        if not total:
            return
        result = searcher.search(tantivy.Query.all_query(), limit=total, count=False)
        for _score, address in result.hits:
            yield orjson.loads(searcher.doc(address).get_first("record"))

    def content_hashes(self) -> Iterator[tuple[str, str]]:
        for record in self._stored_records():
            yield record["id"], record.get("content_hash", "")

    def index_hashes(self) -> Iterator[tuple[str, str]]:
        for record in self._stored_records():
            yield record["id"], index_hash(record)

    def health(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "status": "ok",
            "generation": self._generation,
            "documents": self.count(),
            "applied_rev": self.applied_rev(),
        }

    def close(self) -> None:
        with self._lock:
            self._release_writer()
