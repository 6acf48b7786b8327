"""Everything that differs between the catalog's two databases, in one place.

The catalog runs on SQLite (the default: one file, embedded) and on PostgreSQL
(``FASOU_DATABASE_URL=postgresql+psycopg://…``, for several API workers on
several hosts). Queries elsewhere are SQLAlchemy Core that both compile the
same; what cannot be written once lives here:

* **write serialisation** — SQLite's ``BEGIN IMMEDIATE`` takes the database
  write lock up front. On PostgreSQL every write transaction takes one
  transaction-level advisory lock first, so writers queue exactly as they do
  on SQLite (read-then-write code stays race-free and revisions commit in the
  order they were taken); readers never wait for it.
* **consistent reads** — a SQLite ``BEGIN`` is a WAL snapshot; PostgreSQL's
  default READ COMMITTED is not, so multi-statement reads that must see one
  state (index rebuild snapshots, backups) run REPEATABLE READ there.
* **JSON** — reading one key of a JSON column as text.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

#: Execution option marking a connection whose transactions will write.
WRITE_OPTION = "fasou_write"
#: Key of the advisory lock every PostgreSQL write transaction holds ("fasou" in ASCII).
WRITE_LOCK_KEY = 0x6661736F75


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


def is_postgresql(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Take transaction control away from pysqlite, which would not BEGIN before
    SELECTs (no consistent snapshots) and upgrades read locks lazily."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sqlite_begin(conn: Connection) -> None:
    """Reads get a deferred BEGIN (a WAL snapshot, no lock); writes take the write lock up
    front, so they queue on busy_timeout instead of failing on a lock upgrade."""
    immediate = conn.get_execution_options().get(WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def postgresql_begin(conn: Connection) -> None:
    """A write transaction's first statement: wait for the catalog's write lock (released
    at commit or rollback), the PostgreSQL counterpart of ``BEGIN IMMEDIATE``."""
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))


def install_transaction_hooks(engine: Engine) -> None:
    if is_sqlite(engine):
        sa.event.listen(engine, "connect", sqlite_connect)
        sa.event.listen(engine, "begin", sqlite_begin)
    elif is_postgresql(engine):
        sa.event.listen(engine, "begin", postgresql_begin)


def snapshot_connection(engine: Engine) -> Connection:
    """A connection whose next transaction sees one consistent state of the catalog."""
    conn = engine.connect()
    if is_postgresql(engine):
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def json_text(bind: Engine | Connection, column: sa.ColumnElement[Any], key: str) -> Any:
    """``column[key]`` of a JSON column as text (SQL NULL when absent)."""
    if is_sqlite(bind):
        return sa.func.json_extract(column, f"$.{key}")
    return column[key].as_string()
