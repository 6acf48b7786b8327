"""Which database a test's catalog lives in: SQLite (default) or a real PostgreSQL.

``FASOU_TEST_DATABASE=postgresql`` (``make test-pg``) runs the whole suite with
every data directory's catalog in its own fresh PostgreSQL database, on one
server started for the session (``fasou.pg_test_server``; or the one named by
``FASOU_TEST_PG_URL``). Tests never name a database themselves: they ask for
``catalog_url(data_dir)`` / ``data_dir_env(data_dir)``, copy catalogs with
``copy_catalog`` (``CREATE DATABASE … TEMPLATE`` on PostgreSQL), and tests that
exercise SQLite files as such carry ``sqlite_only``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from fasou.pg_test_server import PgServerError, PgTestServer, admin_execute

TEST_DATABASE = os.environ.get("FASOU_TEST_DATABASE", "sqlite").lower()
ON_POSTGRESQL = TEST_DATABASE in ("postgresql", "postgres", "pg")

#: For tests about SQLite files themselves (raw sqlite3 access, file-level crashes).
sqlite_only = pytest.mark.skipif(
    ON_POSTGRESQL, reason="exercises the SQLite catalog file itself (not applicable on PostgreSQL)"
)


class _PgDatabases:
    """One server per session; one database per data directory, created on first use."""

    def __init__(self) -> None:
        self.server: PgTestServer | None = None
        self.server_url = os.environ.get("FASOU_TEST_PG_URL", "")
        self.names: dict[Path, str] = {}

    def start(self) -> None:
        if not self.server_url:
            self.server = PgTestServer().start()
            self.server_url = self.server.url

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def url_of(self, name: str) -> str:
        return self.server_url.rsplit("/", 1)[0] + f"/{name}"

    def name_for(self, data_dir: Path, *, template: str | None = None) -> str:
        """The database of ``data_dir``, created on first use — or, with ``template``,
        (re)created as a copy of that one, as copying a file over another would."""
        key = Path(data_dir).resolve()
        if key not in self.names or template:
            name = "t_" + hashlib.sha1(str(key).encode()).hexdigest()[:20]
            clause = f" TEMPLATE {template}" if template else ""
            admin_execute(self.server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin_execute(self.server_url, f"CREATE DATABASE {name}{clause}")
            self.names[key] = name
        return self.names[key]


_pg = _PgDatabases()


def start_session() -> str | None:
    """Start the session's PostgreSQL (when asked for); a reason to skip everything, or None."""
    if not ON_POSTGRESQL:
        return None
    try:
        _pg.start()
    except PgServerError as exc:
        if exc.prerequisite_missing and os.environ.get("FASOU_REQUIRE_PG") != "1":
            return f"catalog-on-PostgreSQL run needs PostgreSQL server binaries: {exc.reason}"
        raise pytest.UsageError(f"PostgreSQL did not start: {exc.reason}") from exc
    return None


def stop_session() -> None:
    _pg.stop()


def catalog_url(data_dir: Path) -> str:
    """The catalog URL of ``data_dir``: its SQLite file, or its own PostgreSQL database."""
    if ON_POSTGRESQL:
        return _pg.url_of(_pg.name_for(data_dir))
    return f"sqlite:///{(Path(data_dir) / 'catalog.db').resolve()}"


def database_url_setting(data_dir: Path) -> dict[str, object]:
    """Settings overrides placing ``data_dir``'s catalog (nothing on SQLite: the default)."""
    return {"database_url": catalog_url(data_dir)} if ON_POSTGRESQL else {}


def data_dir_env(data_dir: Path) -> dict[str, str]:
    """``FASOU_*`` variables for a subprocess working on ``data_dir`` and its catalog."""
    env = {"FASOU_DATA_DIR": str(data_dir)}
    if ON_POSTGRESQL:
        env["FASOU_DATABASE_URL"] = catalog_url(data_dir)
    return env


def copy_catalog(source_dir: Path, target_dir: Path) -> str:
    """Give ``target_dir`` a copy of ``source_dir``'s catalog (closed); its URL."""
    Path(target_dir).mkdir(parents=True, exist_ok=True)
    if ON_POSTGRESQL:
        template = _pg.name_for(source_dir)
        return _pg.url_of(_pg.name_for(target_dir, template=template))
    shutil.copy(Path(source_dir) / "catalog.db", Path(target_dir) / "catalog.db")
    return catalog_url(target_dir)


def copy_data_dir(source_dir: Path, target_dir: Path) -> Path:
    """``shutil.copytree`` of a data directory, catalog included wherever it lives."""
    shutil.copytree(source_dir, target_dir)
    if ON_POSTGRESQL:
        copy_catalog(source_dir, target_dir)
    return target_dir
