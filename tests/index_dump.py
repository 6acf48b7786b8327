"""What the embedded index holds, for tests that compare index states exactly."""

from __future__ import annotations

import orjson
import tantivy

from analyzers import analyze
from indexer.backends.tantivy_backend import TEXT_FIELDS, TantivyBackend


def indexed_documents(backend: TantivyBackend) -> dict[str, dict]:
    """id → stored record (without the bookkeeping ``rev``).

    Analysed text is not stored (see ``build_schema``); ``text_indexed`` checks it.
    """
    searcher = backend._searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=max(1, searcher.num_docs)).hits
    out = {}
    for _score, address in hits:
        record = orjson.loads(searcher.doc(address).get_first("record"))
        record.pop("rev")
        out[record["id"]] = {"record": record}
    return out


def text_indexed(backend: TantivyBackend, doc_id: str, text: str, field: str = "body") -> bool:
    """Whether every analysed token of ``text`` is indexed in ``field`` of ``doc_id``."""
    searcher = backend._searcher()
    clauses = [(tantivy.Occur.Must, tantivy.Query.term_query(backend.schema, "id", doc_id))]
    clauses += [
        (tantivy.Occur.Must, tantivy.Query.term_query(backend.schema, TEXT_FIELDS[field], token))
        for token in set(analyze(text))
    ]
    return searcher.search(tantivy.Query.boolean_query(clauses), limit=1).count == 1
