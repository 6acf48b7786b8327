"""Engine creation and schema migration for the catalog.

SQLite is opened in WAL mode so the API can read while an import or crawl
writes, and a crash mid-write leaves the last committed state intact; any
other URL (PostgreSQL) gets the same transaction discipline through
``dialect.install_transaction_hooks``.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from indexer.catalog.dialect import WRITE_LOCK_KEY, install_transaction_hooks, is_postgresql

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


#: JSON columns (fields, tags, audit before/after) through orjson: several times faster
#: than the stdlib on the bulk paths (a 50k-document tag job, index sync).
_JSON = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def create_catalog_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite file or PostgreSQL) with the catalog's write locking."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **_JSON)
    else:
        # API threads, the index worker and the job runner each hold a connection at times.
        engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **_JSON)
    install_transaction_hooks(engine)
    return engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to call on every start."""
    config = alembic_config()
    with engine.begin() as connection:
        if is_postgresql(connection):
            # Several workers starting at once: one migrates, the others wait and find it done.
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
