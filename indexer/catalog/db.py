"""Engine creation and schema migration for the catalog.

SQLite is opened in WAL mode so the API can read while an import or crawl
writes, and a crash mid-write leaves the last committed state intact.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


#: Execution option marking a connection whose transactions will write.
WRITE_OPTION = "fasou_write"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Take transaction control away from pysqlite, which would not BEGIN before
    # SELECTs (no consistent snapshots) and upgrades read locks lazily.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    """Reads get a deferred BEGIN (a WAL snapshot, no lock); writes take the write lock up
    front, so they queue on busy_timeout instead of failing on a lock upgrade."""
    immediate = conn.get_execution_options().get(WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _json_dumps(value: object) -> str:
    """orjson for the JSON columns: bulk writes (crawls, imports) spend less time encoding."""
    return orjson.dumps(value).decode("utf-8")


def create_catalog_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL and a generous busy timeout."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False}, json_serializer=_json_dumps
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, json_serializer=_json_dumps)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to call on every start."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
