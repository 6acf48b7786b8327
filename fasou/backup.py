"""Backup and restore of an installation: the catalog, and the index rebuilt from it.

A backup is a directory::

    manifest.json     versions, schema revision, catalog revision, row counts, digests
    catalog.sqlite    SQLite: an online copy (sqlite3 backup API) — or
    catalog.pgdump    PostgreSQL: ``pg_dump -Fc`` (custom format, compressed)

Why only the catalog: it is the source of truth and every index is derived from
it (`fasou index rebuild`), so a restore rebuilds the index from it — except on
Elasticsearch with a snapshot repository configured, where the backup also takes a
snapshot of the live index (before copying the catalog, so the index is never ahead
of it) and the restore restores it and lets the ordinary sync catch it up
(``indexer/backends/es_snapshots.py``).
Both copies are consistent while the server runs and writes: SQLite's backup
API copies one snapshot, and on PostgreSQL ``pg_dump`` runs on a snapshot that
this module exported from the very transaction that computes the manifest's
counts and digests, so the manifest describes exactly what was dumped.

A restore refuses an installation whose catalog holds anything (documents,
accounts, tags) unless forced, verifies the restored catalog against the
manifest (counts; digests of content hashes and editor tags) before rebuilding
the index, and migrates a backup taken at an older schema revision to head.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

import fasou
from fasou.config import Settings
from indexer.catalog import Catalog
from indexer.catalog.db import create_catalog_engine
from indexer.catalog.dialect import is_postgresql, is_sqlite, snapshot_connection
from indexer.catalog.revisions import current_rev
from indexer.catalog.tables import document_tags, documents, metadata

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "catalog.sqlite"
PG_FILE = "catalog.pgdump"
#: Tables whose rows make an installation "not empty" (user data a restore would replace).
USER_DATA_TABLES = ("documents", "document_tags", "users", "profiles", "tag_changes")


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class Manifest:
    created_at: str
    database: str
    schema_revision: str | None
    catalog_rev: int
    counts: dict[str, int]
    digests: dict[str, str]
    catalog_file: str
    fasou_version: str = fasou.__version__
    format: int = FORMAT
    backend: str = "tantivy"
    #: How a restore gets its index: {"kind": "rebuild"} or an Elasticsearch snapshot.
    index: dict[str, Any] = field(default_factory=lambda: {"kind": "rebuild"})
    seconds: float = 0.0
    tools: dict[str, str] = field(default_factory=dict)

    def write(self, directory: Path) -> None:
        text = json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)
        (directory / MANIFEST).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        if not path.is_file():
            raise BackupError(f"{directory} is not a fasou backup (no {MANIFEST})")
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise BackupError(f"backup format {data.get('format')} not supported (need {FORMAT})")
        return cls(**data)


# -- what a catalog holds -------------------------------------------------------


def _digest(lines: Any) -> str:
    sha = hashlib.sha256()
    for line in lines:
        sha.update("\t".join("" if v is None else str(v) for v in line).encode())
        sha.update(b"\n")
    return sha.hexdigest()


def describe(conn: Connection) -> tuple[int, str | None, dict[str, int], dict[str, str]]:
    """Catalog revision, schema revision, row counts per table, and digests of the user data
    a restore must reproduce exactly (live content hashes; every editor tag decision)."""
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    counts = {
        name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for name, table in sorted(metadata.tables.items())
        if name in present
    }
    schema = None
    if "alembic_version" in present:
        schema = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    content = conn.execute(
        sa.select(documents.c.id, documents.c.content_hash)
        .where(documents.c.deleted.is_(False))
        .order_by(documents.c.id)
    )
    tags = conn.execute(
        sa.select(
            document_tags.c.doc_id,
            document_tags.c.facet,
            document_tags.c.value,
            document_tags.c.action,
            document_tags.c.editor,
        ).order_by(document_tags.c.doc_id, document_tags.c.facet, document_tags.c.value)
    )
    digests = {"content_hashes": _digest(content), "document_tags": _digest(tags)}
    return current_rev(conn), schema, counts, digests


def _check_schema_known(manifest: Manifest) -> None:
    """A backup from a newer fasou (a migration this code lacks) cannot be restored here."""
    from alembic.script import ScriptDirectory

    from indexer.catalog.db import alembic_config

    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if manifest.schema_revision and manifest.schema_revision not in known:
        raise BackupError(
            f"backup has schema revision {manifest.schema_revision}, which this fasou "
            f"({fasou.__version__}) does not know: restore with the version that made it"
        )


def _is_empty(engine: Engine) -> bool:
    try:
        conn = engine.connect()
    except sa.exc.OperationalError as exc:
        raise BackupError(f"cannot open the catalog database: {exc.orig}") from exc
    with conn:
        present = set(sa.inspect(conn).get_table_names())
        for name in USER_DATA_TABLES:
            if (
                name in present
                and conn.execute(
                    sa.select(sa.func.count()).select_from(metadata.tables[name])
                ).scalar_one()
            ):
                return False
    return True


# -- backup ---------------------------------------------------------------------


def _libpq_url(engine: Engine) -> str:
    """The engine's URL for libpq tools (pg_dump/pg_restore know no SQLAlchemy driver)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (apt-get install "
                          f"postgresql-client) matching the server's major version")  # fmt: skip
    return path


def _tool_version(name: str) -> str:
    out = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite catalog cannot be backed up")
    return Path(database)


def _prepare_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty directory")
    target.mkdir(parents=True, exist_ok=True)


def backup(settings: Settings, target: Path) -> Manifest:
    """Copy the catalog of the installation ``settings`` describe into ``target`` (a new dir)."""
    started = time.perf_counter()
    target = Path(target)
    _prepare_target(target)
    # The index first: its revision must not be ahead of the catalog copied after it.
    index = _snapshot_index(settings)
    engine = create_catalog_engine(settings.catalog_url)
    try:
        if is_sqlite(engine):
            manifest = _backup_sqlite(engine, target)
        elif is_postgresql(engine):
            manifest = _backup_postgresql(engine, target)
        else:
            raise BackupError(f"no backup method for a {engine.dialect.name} catalog")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    finally:
        engine.dispose()
    manifest.backend = settings.backend
    manifest.index = index
    manifest.seconds = round(time.perf_counter() - started, 3)
    manifest.write(target)
    return manifest


def _new_manifest(database: str, catalog_file: str, conn: Connection) -> Manifest:
    rev, schema, counts, digests = describe(conn)
    return Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        database=database,
        schema_revision=schema,
        catalog_rev=rev,
        counts=counts,
        digests=digests,
        catalog_file=catalog_file,
    )


def _backup_sqlite(engine: Engine, target: Path) -> Manifest:
    source = sqlite3.connect(_sqlite_path(engine), timeout=30)
    copy = sqlite3.connect(target / SQLITE_FILE)
    try:
        # One consistent snapshot, copied in one step (pages=-1): under WAL, writers go on
        # meanwhile and the copy is not restarted by them.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        copy.close()
        source.close()
    file_engine = create_catalog_engine(f"sqlite:///{(target / SQLITE_FILE).resolve()}")
    try:
        with file_engine.connect() as conn:
            manifest = _new_manifest("sqlite", SQLITE_FILE, conn)
    finally:
        file_engine.dispose()
    manifest.tools = {"sqlite": sqlite3.sqlite_version}
    return manifest


def _backup_postgresql(engine: Engine, target: Path) -> Manifest:
    pg_dump = _tool("pg_dump")
    with snapshot_connection(engine) as conn, conn.begin():
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        manifest = _new_manifest("postgresql", PG_FILE, conn)
        # The exported snapshot lives as long as this transaction: dump while it is open.
        dumped = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", f"--file={target / PG_FILE}", _libpq_url(engine)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    if dumped.returncode != 0:
        raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
    manifest.tools = {"pg_dump": _tool_version("pg_dump")}
    return manifest


# -- restore --------------------------------------------------------------------


def _snapshot_index(settings: Settings) -> dict[str, Any]:
    if settings.backend != "elasticsearch":
        return {"kind": "rebuild"}
    from indexer.backends.elasticsearch_backend import ElasticsearchBackend
    from indexer.backends.es_snapshots import SnapshotUnavailable, take_snapshot

    backend = ElasticsearchBackend.from_settings(settings)
    try:
        info = take_snapshot(
            backend, settings.es_snapshot_repository, settings.es_snapshot_location
        )
    except SnapshotUnavailable as exc:
        return {"kind": "rebuild", "reason": str(exc)}
    finally:
        backend.close()
    return {"kind": "es_snapshot", **info}


@dataclass
class RestoreReport:
    manifest: Manifest
    indexed: int
    seconds: float
    catalog_seconds: float
    #: "rebuild" (from the restored catalog) or "es_snapshot" (then caught up by sync).
    index_from: str = "rebuild"


def restore(settings: Settings, source: Path, *, force: bool = False) -> RestoreReport:
    """Replace the (empty, unless ``force``) installation's catalog with the backup, verify it
    against the manifest, then rebuild the index from it. Stop the servers first."""
    started = time.perf_counter()
    source = Path(source)
    manifest = Manifest.read(source)
    dump = source / manifest.catalog_file
    if not dump.is_file():
        raise BackupError(f"backup incomplete: {dump} is missing")
    _check_schema_known(manifest)
    engine = create_catalog_engine(settings.catalog_url)
    try:
        if not force and not _is_empty(engine):
            raise BackupError(
                "the installation's catalog is not empty (documents, accounts or tags); "
                "restore into an empty one, or pass --force to replace it"
            )
        if manifest.database == "sqlite" and is_sqlite(engine):
            _restore_sqlite(engine, dump)
        elif manifest.database == "postgresql" and is_postgresql(engine):
            _restore_postgresql(engine, dump)
        else:
            raise BackupError(
                f"backup of a {manifest.database} catalog cannot be restored into "
                f"{engine.dialect.name} (restore into the same kind of database)"
            )
    finally:
        engine.dispose()
    catalog = Catalog.open(settings.catalog_url)  # migrates an older schema to head
    try:
        catalog_seconds = time.perf_counter() - started
        _verify(catalog, manifest)
        indexed, index_from = _restore_index(settings, catalog, manifest)
    finally:
        catalog.close()
    seconds = time.perf_counter() - started
    return RestoreReport(manifest, indexed, seconds, catalog_seconds, index_from)


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    path = _sqlite_path(engine)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    live = sqlite3.connect(path, timeout=30)
    try:
        # The backup API writes the whole copy in one transaction of the live file, so a
        # crash mid-restore leaves the old catalog, never a mixture.
        source.backup(live)
        live.execute("PRAGMA journal_mode=WAL")
    finally:
        live.close()
        source.close()


def _restore_postgresql(engine: Engine, dump: Path) -> None:
    pg_restore = _tool("pg_restore")
    with engine.begin() as conn:
        # --clean drops only what the dump holds; tables a newer schema added would remain.
        names = set(sa.inspect(conn).get_table_names())
        for name in [*reversed(metadata.sorted_tables)]:
            if name.name in names:
                conn.execute(sa.text(f'DROP TABLE "{name.name}" CASCADE'))
        if "alembic_version" in names:
            conn.execute(sa.text("DROP TABLE alembic_version"))
    restored = subprocess.run(
        [pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
         f"--dbname={_libpq_url(engine)}", str(dump)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if restored.returncode != 0:
        raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")


def _verify(catalog: Catalog, manifest: Manifest) -> None:
    with catalog.engine.connect() as conn:
        _rev, _schema, counts, digests = describe(conn)
    wrong = [
        f"{table}: {counts.get(table)} rows, backup had {n}"
        for table, n in manifest.counts.items()
        if counts.get(table) != n
    ] + [f"{name} differ" for name, d in manifest.digests.items() if digests.get(name) != d]
    if wrong:
        raise BackupError("restored catalog does not match the backup: " + "; ".join(wrong))


def _restore_index(settings: Settings, catalog: Catalog, manifest: Manifest) -> tuple[int, str]:
    """The index for the restored catalog: the backup's snapshot caught up by the ordinary
    sync when there is one for this backend, else a rebuild. Returns (documents, how)."""
    from indexer.backends.factory import open_backend
    from indexer.sync import ensure_index, rebuild

    backend = open_backend(settings)
    try:
        if manifest.index.get("kind") == "es_snapshot" and settings.backend == "elasticsearch":
            from indexer.backends.es_snapshots import SnapshotUnavailable, restore_snapshot

            try:
                restore_snapshot(backend, manifest.index, settings.es_snapshot_location)  # type: ignore[arg-type]
            except SnapshotUnavailable:
                pass
            else:
                ensure_index(catalog, backend)
                return backend.count(), "es_snapshot"
        return rebuild(catalog, backend), "rebuild"
    finally:
        backend.close()
