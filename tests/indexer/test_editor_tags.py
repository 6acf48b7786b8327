"""Editors' tag decisions in the catalog: audited, undoable exactly, kept through migration."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.catalog import Catalog, TagEdit
from indexer.catalog.db import create_catalog_engine, migrate
from indexer.catalog.tables import document_tags, tag_changes
from indexer.models import Article, StatuteArticle
from tests.catalog_db import catalog_url


def article(title: str, body: str = "正文", audiences: tuple[str, ...] = ()) -> Article:
    return Article(title=title, body=body, source="test", audiences=list(audiences)).finalize()


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    cat = Catalog.open(catalog_url(tmp_path))
    yield cat
    cat.close()


def decision_rows(catalog: Catalog) -> list[tuple]:
    with catalog.engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(sa.select(document_tags)))


def test_every_change_is_audited_with_before_and_after(catalog: Catalog) -> None:
    doc = article("防诈骗指南", audiences=("elderly",))
    catalog.upsert([doc])
    assert catalog.set_tags(doc.id, "audience", add=["women"], remove=["elderly"], editor="ed1")
    [change] = catalog.tag_changes(doc_id=doc.id)
    assert change["editor"] == "ed1" and change["facet"] == "audience"
    assert change["before"] == {} and change["before_values"] == ["elderly"]
    assert {v: d["action"] for v, d in change["after"].items()} == {
        "elderly": "remove",
        "women": "add",
    }
    assert change["after_values"] == ["women"]
    assert change["rev"] == catalog.max_rev() and change["job_id"] is None


def test_a_decision_already_in_place_is_no_change(catalog: Catalog) -> None:
    doc = article("文章")
    catalog.upsert([doc])
    catalog.set_tags(doc.id, "topic", add=["labor"], editor="ed1")
    rev = catalog.max_rev()
    result = catalog.set_tags_many([TagEdit(doc.id, "topic", add=("labor",))], editor="ed2")
    assert result.unchanged == [doc.id] and not result.change_ids
    assert catalog.max_rev() == rev  # no revision, no index work
    [change] = catalog.tag_changes(doc_id=doc.id)
    assert change["after"]["labor"]["editor"] == "ed1"  # the decision keeps its author


def test_undo_restores_the_decision_rows_exactly(catalog: Catalog) -> None:
    doc = article("文章", audiences=("elderly",))
    catalog.upsert([doc])
    catalog.set_tags(doc.id, "audience", add=["women"], editor="first")
    before = decision_rows(catalog)
    record_before = catalog.get(doc.id)
    catalog.set_tags(doc.id, "audience", remove=["women", "elderly"], add=["farmers"], editor="x")
    [latest, _first] = catalog.tag_changes(doc_id=doc.id)
    assert catalog.get(doc.id)["audiences"] == ["farmers"]

    undo = catalog.undo_tag_changes([latest["id"]], editor="reviewer")
    assert undo.conflicts == [] and len(undo.change_ids) == 1
    assert decision_rows(catalog) == before  # same values, actions, editors and times
    restored = catalog.get(doc.id)
    assert {k: v for k, v in restored.items() if k != "rev"} == {
        k: v for k, v in record_before.items() if k != "rev"
    }
    entry = catalog.tag_change(undo.change_ids[0])
    assert entry["undoes"] == latest["id"] and entry["editor"] == "reviewer"
    assert catalog.tag_change(latest["id"])["undone_by"] == entry["id"]


def test_undo_refuses_when_the_document_changed_since_or_was_undone(catalog: Catalog) -> None:
    doc = article("文章")
    catalog.upsert([doc])
    catalog.set_tags(doc.id, "topic", add=["labor"], editor="a")
    [first] = catalog.tag_changes(doc_id=doc.id)
    catalog.set_tags(doc.id, "topic", add=["debt"], editor="b")
    assert catalog.undo_tag_changes([first["id"]], editor="c").conflicts == [first["id"]]
    [second, _] = catalog.tag_changes(doc_id=doc.id)
    assert catalog.undo_tag_changes([second["id"]], editor="c").conflicts == []
    assert catalog.undo_tag_changes([second["id"]], editor="c").conflicts == [second["id"]]
    # With the later change undone, the first one can be undone: back to no decisions.
    assert catalog.undo_tag_changes([first["id"]], editor="c").conflicts == []
    assert decision_rows(catalog) == []


def test_tag_only_changes_come_as_patches(catalog: Catalog) -> None:
    doc = article("文章", audiences=("elderly",))
    catalog.upsert([doc])
    indexed = catalog.max_rev()
    catalog.set_tags(doc.id, "audience", add=["women"], editor="e")
    [patch] = catalog.changes_since(indexed, content_upto=indexed)
    assert patch == {
        "id": doc.id,
        "rev": indexed + 1,
        "patch": {
            "audiences": ["elderly", "women"],
            "editor_audiences": {"women": "add"},
            "suggested_audiences": {},
            "topics": [],
            "editor_topics": {},
            "suggested_topics": {},
            "rev": indexed + 1,
        },
    }
    # Content changed after the index's revision: the full record.
    catalog.upsert([article("文章", body="新正文", audiences=("elderly",))])
    [full] = catalog.changes_since(indexed, content_upto=indexed)
    assert full["body"] == "新正文" and full["audiences"] == ["elderly", "women"]
    assert "patch" not in full


def test_tags_survive_migration_from_0002(tmp_path: Path) -> None:
    """A catalog created at revision 0002 with editor tags is migrated to head intact."""
    url = catalog_url(tmp_path)
    engine = create_catalog_engine(url)
    migrate(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO documents (id, type, title, body, source, content_hash, fields, "
            "source_audiences, source_topics, deleted, rev, created_at, updated_at) VALUES "
            "('art-1', 'article', '旧文章', '正文', 'samples', 'h', '{}', '[\"elderly\"]', '[]',"
            " false, 1, '2024-01-01 00:00:00', '2024-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO document_tags VALUES ('art-1', 'audience', 'women', 'add', 'old-editor',"
            " '2024-02-03 04:05:06.000007')"
        )
        conn.exec_driver_sql("UPDATE catalog_meta SET value = 1 WHERE key = 'rev'")
    engine.dispose()

    catalog = Catalog.open(url)  # migrates to head
    try:
        record = catalog.get("art-1")
        assert record["audiences"] == ["elderly", "women"]
        assert record["editor_audiences"] == {"women": "add"}
        with catalog.engine.connect() as c:
            row = c.execute(sa.select(document_tags)).one()
            assert (row.editor, row.updated_at.microsecond) == ("old-editor", 7)
            assert c.exec_driver_sql("SELECT content_rev FROM documents").scalar() == 1
            assert c.execute(sa.select(sa.func.count()).select_from(tag_changes)).scalar() == 0
        # And the migrated decisions take part in audit and undo like new ones.
        catalog.set_tags("art-1", "audience", remove=["women"], editor="new")
        [change] = catalog.tag_changes(doc_id="art-1")
        assert change["before"]["women"]["editor"] == "old-editor"
        catalog.undo_tag_changes([change["id"]], editor="new")
        assert catalog.get("art-1")["audiences"] == ["elderly", "women"]
    finally:
        catalog.close()


def test_audit_filters(catalog: Catalog) -> None:
    a, b = article("甲"), article("乙")
    catalog.upsert([a, b])
    catalog.set_tags(a.id, "topic", add=["labor"], editor="ed1")
    catalog.set_tags(b.id, "topic", add=["labor"], editor="ed2")
    catalog.set_tags_many([TagEdit(a.id, "topic", add=("debt",))], editor="ed2", job_id=7)
    assert [c["doc_id"] for c in catalog.tag_changes(editor="ed1")] == [a.id]
    assert len(catalog.tag_changes(doc_id=a.id)) == 2
    assert [c["job_id"] for c in catalog.tag_changes(job_id=7)] == [7]
    newest = catalog.tag_changes(limit=1)[0]
    assert [c["id"] for c in catalog.tag_changes(before_id=newest["id"])] == [2, 1]
    from datetime import datetime, timedelta

    future = datetime.now() + timedelta(days=2)
    assert catalog.tag_changes(since=future) == []
    assert len(catalog.tag_changes(until=future)) == 3


def test_statute_upsert_sets_content_rev(catalog: Catalog) -> None:
    doc = StatuteArticle(
        title="测试法 第1条",
        body="x",
        source="t",
        law_title="测试法",
        article_no="第1条",
        article_num=1,
    )
    catalog.upsert([doc])
    with catalog.engine.connect() as conn:
        rev, content_rev = conn.exec_driver_sql("SELECT rev, content_rev FROM documents").one()
    assert rev == content_rev == catalog.max_rev()
    catalog.set_tags(doc.id, "topic", add=["labor"], editor="e")
    with catalog.engine.connect() as conn:
        rev2, content_rev2 = conn.exec_driver_sql("SELECT rev, content_rev FROM documents").one()
    assert rev2 == rev + 1 and content_rev2 == content_rev


def test_several_edits_of_one_document_in_one_batch(catalog: Catalog) -> None:
    doc = article("文章")
    catalog.upsert([doc])
    result = catalog.set_tags_many(
        [
            TagEdit(doc.id, "topic", add=("labor",)),
            TagEdit(doc.id, "topic", add=("debt",), remove=("labor",)),
            TagEdit(doc.id, "audience", add=("elderly",)),
        ],
        editor="ed",
    )
    assert len(result.change_ids) == 3 and result.changed_docs == [doc.id]
    record = catalog.get(doc.id)
    assert record["topics"] == ["debt"] and record["audiences"] == ["elderly"]
    assert record["editor_topics"] == {"debt": "add", "labor": "remove"}
    # Undoing the batch newest first walks back through the states.
    undo = catalog.undo_tag_changes(sorted(result.change_ids, reverse=True), editor="ed")
    assert undo.conflicts == []
    assert decision_rows(catalog) == []
