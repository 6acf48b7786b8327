"""What the embedded index holds, for tests that compare index states exactly."""

from __future__ import annotations

import orjson
import tantivy

from indexer.backends.tantivy_backend import TEXT_FIELDS, TantivyBackend


def indexed_documents(backend: TantivyBackend) -> dict[str, dict]:
    """id → stored record (without the bookkeeping ``rev``) and analysed text fields."""
    searcher = backend._searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=max(1, searcher.num_docs)).hits
    out = {}
    for _score, address in hits:
        doc = searcher.doc(address)
        record = orjson.loads(doc.get_first("record"))
        record.pop("rev")
        text = {field: doc.get_first(field) for field in TEXT_FIELDS.values()}
        out[record["id"]] = {"record": record, "text": text}
    return out
