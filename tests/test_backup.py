"""Backup → wipe → restore reproduces the installation (runs on SQLite and, in
``make test-pg``, on PostgreSQL): documents, content hashes, every editor tag, accounts,
and the top-10 of 50 fixed queries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from fasou.backup import MANIFEST, BackupError, Manifest, backup, restore
from fasou.config import Settings, get_settings
from indexer.backends.factory import open_backend
from indexer.catalog import Catalog, TagEdit
from indexer.catalog.tables import document_tags
from indexer.search.service import SearchService
from indexer.sync import ensure_index
from search_api.auth.accounts import Accounts
from tests.api.conftest import wait_until
from tests.catalog_db import copy_catalog, data_dir_env
from tests.conftest import REPO, TEST_SECRET_KEY, make_settings

QUERIES = [
    line.strip()
    for line in (REPO / "bench" / "queries" / "layperson.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
][:50]


def top10(settings: Settings) -> dict[str, list[str]]:
    backend = open_backend(settings)
    try:
        service = SearchService(backend)
        return {q: [h["id"] for h in service.search(q, size=10).hits] for q in QUERIES}
    finally:
        backend.close()


def editor_tags(catalog: Catalog) -> list[tuple]:
    with catalog.engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.select(document_tags).order_by(
                    document_tags.c.doc_id, document_tags.c.facet, document_tags.c.value
                )
            )
        ]


def state(settings: Settings) -> dict[str, object]:
    catalog = Catalog.open(settings.catalog_url)
    try:
        return {
            "count": catalog.count(),
            "hashes": catalog.content_hashes(),
            "tags": editor_tags(catalog),
            "index_hashes": catalog.index_hashes(),
            "users": [u["username"] for u in Accounts(catalog, TEST_SECRET_KEY).list_users()],
        }
    finally:
        catalog.close()


@pytest.fixture(scope="module")
def original(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The corpus with editors' work on it (tags added and removed, an account), indexed."""
    settings = make_settings(tmp_path_factory.mktemp("original"))
    copy_catalog(corpus_db.parent, settings.data_dir)
    catalog = Catalog.open(settings.catalog_url)
    ids = sorted(catalog.content_hashes())[::97][:40]
    edits = [
        TagEdit(doc_id, "audience", add=("elderly", "migrant_workers")[: 1 + i % 2])
        for i, doc_id in enumerate(ids)
    ] + [TagEdit(doc_id, "topic", remove=("labor",)) for doc_id in ids[::3]]
    catalog.set_tags_many(edits, editor="编辑甲")
    catalog.delete(ids[-2:])
    Accounts(catalog, TEST_SECRET_KEY).create_user("editor-1", "a-long-password-1", "editor")
    backend = open_backend(settings)
    ensure_index(catalog, backend)
    backend.close()
    catalog.close()
    return settings


def test_backup_wipe_restore_reproduces_data_and_search_results(
    original: Settings, tmp_path: Path
) -> None:
    before = state(original)
    results_before = top10(original)
    assert len(before["tags"]) >= 40 and sum(len(ids) for ids in results_before.values()) > 200

    manifest = backup(original, tmp_path / "backup")
    assert manifest.counts["document_tags"] == len(before["tags"])
    assert manifest.schema_revision and manifest.catalog_rev > 0
    assert Manifest.read(tmp_path / "backup") == manifest

    # Wipe: a new, empty installation (own data dir, own empty database).
    target = make_settings(tmp_path / "restored")
    report = restore(target, tmp_path / "backup")
    assert report.indexed == before["count"]

    after = state(target)
    assert after == before
    assert top10(target) == results_before


def test_restore_refuses_a_non_empty_installation_unless_forced(
    original: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup(original, tmp_path / "backup")
    with pytest.raises(BackupError, match="not empty"):
        restore(original, tmp_path / "backup")

    # Through the CLI, on an installation with other data: refused, then replaced with --force.
    target = make_settings(tmp_path / "other")
    other = Catalog.open(target.catalog_url)
    other.set_tags("nonexistent", "audience", add=["elderly"], editor="x")
    Accounts(other, TEST_SECRET_KEY).create_user("someone-else", "a-long-password-2", "admin")
    other.close()
    for key, value in data_dir_env(target.data_dir).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FASOU_SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(app_cli(), ["restore", str(tmp_path / "backup")])
        assert refused.exit_code == 1 and "not empty" in refused.output
        forced = CliRunner().invoke(app_cli(), ["restore", str(tmp_path / "backup"), "--force"])
        assert forced.exit_code == 0, forced.output
    finally:
        get_settings.cache_clear()
    assert state(target) == state(original)


def test_backup_refuses_a_used_directory_and_restore_a_damaged_backup(
    original: Settings, tmp_path: Path
) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("x")
    with pytest.raises(BackupError, match="not an empty directory"):
        backup(original, tmp_path / "used")
    assert (tmp_path / "used" / "keep.txt").read_text() == "x"

    manifest = backup(original, tmp_path / "backup")
    newer = json.loads((tmp_path / "backup" / MANIFEST).read_text("utf-8"))
    (tmp_path / "backup" / MANIFEST).write_text(json.dumps(newer | {"schema_revision": "9999"}))
    with pytest.raises(BackupError, match="schema revision 9999"):
        restore(make_settings(tmp_path / "c"), tmp_path / "backup")
    manifest.write(tmp_path / "backup")
    (tmp_path / "backup" / manifest.catalog_file).unlink()
    with pytest.raises(BackupError, match="missing"):
        restore(make_settings(tmp_path / "a"), tmp_path / "backup")
    shutil.rmtree(tmp_path / "backup")
    with pytest.raises(BackupError, match=MANIFEST):
        restore(make_settings(tmp_path / "b"), tmp_path / "backup")


def app_cli():  # type: ignore[no-untyped-def]
    from fasou.cli import app

    return app


def test_backup_is_consistent_while_writers_keep_writing(tmp_path: Path) -> None:
    """The manifest describes exactly the copied state, though writes go on during the backup
    (restore re-checks every count and digest against it and raises on any difference)."""
    import threading

    from indexer.importers import samples
    from indexer.models import Article

    source = make_settings(tmp_path / "live")
    catalog = Catalog.open(source.catalog_url)
    catalog.upsert(samples.iter_samples())
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            catalog.upsert([Article(title=f"并发写入 {n}", body="正文", source="test")])
            catalog.set_tags(f"missing-{n}", "audience", add=["elderly"], editor="e")
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_until(lambda: len(written) >= 5)
        manifest = backup(source, tmp_path / "backup")
        in_backup = manifest.counts["documents"] - 126  # the writer's documents it holds
        wait_until(lambda: len(written) > in_backup + 3)
    finally:
        stop.set()
        thread.join(10)
    assert len(written) > in_backup > 0  # writes went on before, during and after it
    report = restore(make_settings(tmp_path / "restored"), tmp_path / "backup")
    restored = Catalog.open(make_settings(tmp_path / "restored").catalog_url)
    try:
        assert restored.count() == report.manifest.counts["documents"] < catalog.count()
    finally:
        restored.close()
        catalog.close()


@pytest.mark.es
def test_elasticsearch_backup_restores_the_index_from_a_snapshot(
    corpus_db: Path, es_node, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """On Elasticsearch the backup snapshots the live index; the restore restores it (no
    reindexing) and gives the same results as before the wipe."""
    import uuid

    from elasticsearch import Elasticsearch

    prefix = f"b{uuid.uuid4().hex[:10]}"
    es = {
        "backend": "elasticsearch",
        "es_url": es_node.url,
        "es_index_prefix": prefix,
        "es_snapshot_location": str(es_node.base_dir / "repo" / prefix),
    }
    source = make_settings(tmp_path / "source", **es)
    copy_catalog(corpus_db.parent, source.data_dir)
    catalog = Catalog.open(source.catalog_url)
    catalog.set_tags_many(
        [TagEdit(i, "audience", add=("elderly",)) for i in sorted(catalog.content_hashes())[:20]],
        editor="编辑乙",
    )
    backend = open_backend(source)
    ensure_index(catalog, backend)
    backend.close()
    catalog.close()
    before, results_before = state(source), top10(source)

    manifest = backup(source, tmp_path / "backup")
    assert manifest.index["kind"] == "es_snapshot", manifest.index
    with Elasticsearch(es_node.url) as client:  # wipe the index too
        client.indices.delete(index=f"{prefix}*")
        try:
            target = make_settings(tmp_path / "restored", **es)
            report = restore(target, tmp_path / "backup")
            assert report.index_from == "es_snapshot" and report.indexed == before["count"]
            assert state(target) == before
            assert top10(target) == results_before
        finally:
            client.options(ignore_status=404).indices.delete(index=f"{prefix}*")
            client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}*")
