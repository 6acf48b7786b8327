import sqlite3
from pathlib import Path

import pytest

from indexer.catalog import Catalog
from indexer.models import Article, StatuteArticle
from tests.catalog_db import catalog_url, sqlite_only


def statute(num: int, body: str = "正文") -> StatuteArticle:
    return StatuteArticle(
        title=f"测试法 第{num}条",
        body=body,
        source="test",
        law_title="测试法",
        article_no=f"第{num}条",
        article_num=num,
    )


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    cat = Catalog.open(catalog_url(tmp_path))
    yield cat
    cat.close()


def test_upsert_counts_new_changed_unchanged(catalog: Catalog) -> None:
    assert catalog.upsert([statute(1), statute(2)]).as_dict() == {
        "new": 2,
        "changed": 0,
        "unchanged": 0,
    }
    assert catalog.upsert([statute(1), statute(2, "新正文")]).as_dict() == {
        "new": 0,
        "changed": 1,
        "unchanged": 1,
    }
    assert catalog.count() == 2


def test_revisions_drive_changes(catalog: Catalog) -> None:
    catalog.upsert([statute(1), statute(2)])
    rev = catalog.max_rev()
    catalog.upsert([statute(1), statute(2)])
    assert catalog.max_rev() == rev  # nothing changed, no new revision
    catalog.upsert([statute(2, "改")])
    changes = catalog.changes_since(rev)
    assert [c["id"] for c in changes] == [statute(2).finalize().id]


def test_editor_tags_survive_reimport_and_change(catalog: Catalog) -> None:
    doc = Article(title="防诈骗指南", body="……", source="samples", audiences=["elderly"])
    catalog.upsert([doc])
    doc_id = doc.id
    assert catalog.set_tags(doc_id, "audience", add=["women"], remove=["elderly"], editor="ed1")
    catalog.upsert(
        [Article(title="防诈骗指南", body="内容更新了", source="samples", audiences=["elderly"])]
    )
    record = catalog.get(doc_id)
    assert record["body"] == "内容更新了"
    assert record["audiences"] == ["women"]
    assert record["editor_audiences"] == {"elderly": "remove", "women": "add"}


def test_tag_change_creates_revision(catalog: Catalog) -> None:
    catalog.upsert([statute(1)])
    rev = catalog.max_rev()
    doc_id = statute(1).finalize().id
    catalog.set_tags(doc_id, "topic", add=["labor"], editor="ed")
    assert [c["topics"] for c in catalog.changes_since(rev)] == [["labor"]]
    assert not catalog.set_tags("missing", "topic", add=["labor"], editor="ed")
    with pytest.raises(ValueError):
        catalog.set_tags(doc_id, "colour", add=["red"], editor="ed")


def test_delete_is_a_tombstone_seen_by_changes(catalog: Catalog) -> None:
    catalog.upsert([statute(1)])
    rev = catalog.max_rev()
    doc_id = statute(1).finalize().id
    assert catalog.delete([doc_id]) == 1
    assert catalog.get(doc_id) is None
    assert catalog.changes_since(rev) == [{"id": doc_id, "deleted": True, "rev": rev + 1}]
    catalog.upsert([statute(1)])  # reappears in the source: undeleted
    assert catalog.get(doc_id) is not None


def test_snapshot_is_consistent(catalog: Catalog) -> None:
    catalog.upsert([statute(i) for i in range(1, 8)])
    rev, batches = catalog.snapshot(batch_size=3)
    catalog.upsert([statute(100)])
    ids = [r["id"] for batch in batches for r in batch]
    assert len(ids) == 7 and rev < catalog.max_rev()


def test_snapshot_skips_deleted_documents_across_batches(catalog: Catalog) -> None:
    """Deleted rows are read and dropped batch by batch, including a batch of only them."""
    docs = [statute(i) for i in range(1, 10)]
    catalog.upsert(docs)
    ids = sorted(d.finalize().id for d in docs)
    gone = set(ids[3:6]) | {ids[0], ids[-1]}  # one whole batch of 3, and both ends
    catalog.delete(sorted(gone))
    _rev, batches = catalog.snapshot(batch_size=3)
    batches = list(batches)
    seen = [r["id"] for batch in batches for r in batch]
    assert seen == [i for i in ids if i not in gone]
    assert all(batches)  # no empty batch handed to the index


@sqlite_only
def test_reopen_migrated_catalog_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    Catalog.open(url).close()
    again = Catalog.open(url)  # migrations are idempotent
    again.upsert([statute(1)])
    again.close()
    conn = sqlite3.connect(tmp_path / "c.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_citation_links_follow_content(catalog: Catalog) -> None:
    from indexer.models import CitedArticle, Video

    target = statute(1).finalize()
    other = statute(2).finalize()
    catalog.upsert([target, other])

    def video(*cited: StatuteArticle) -> Video:
        return Video(
            title="普法视频",
            source="samples",
            url="https://example.org/v1",
            cites=[
                CitedArticle(law_title="测试法", article_no=c.article_no, article_id=c.id)
                for c in cited
            ],
        )

    catalog.upsert([video(target)])
    vid = video().finalize().id
    assert catalog.links_to(target.id) == [vid]
    assert catalog.links_from(vid) == [target.id]
    catalog.upsert([video(other)])  # the video now cites another article
    assert catalog.links_to(target.id) == [] and catalog.links_to(other.id) == [vid]
    catalog.delete([vid])
    assert catalog.links_to(other.id) == []


def test_writers_queue_and_revisions_become_visible_in_order(catalog: Catalog) -> None:
    """A second writer waits for the first to commit (SQLite: BEGIN IMMEDIATE; PostgreSQL:
    the advisory lock), so no reader ever sees revision n+1 before revision n."""
    import threading
    import time

    from indexer.catalog.revisions import bump_rev

    first_holds = threading.Event()
    seen: dict[str, float | int] = {}

    def first() -> None:
        with catalog.writing() as conn:
            seen["first_rev"] = bump_rev(conn)
            first_holds.set()
            time.sleep(0.5)
            seen["first_commit"] = time.monotonic()

    def second() -> None:
        first_holds.wait()
        with catalog.writing() as conn:
            seen["second_entered"] = time.monotonic()
            seen["second_rev"] = bump_rev(conn)
            # A reader outside both transactions sees the first one's revision already.
            seen["visible"] = catalog.max_rev()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen["second_entered"] >= seen["first_commit"]
    assert seen["second_rev"] == seen["first_rev"] + 1
    assert seen["visible"] == seen["first_rev"]
