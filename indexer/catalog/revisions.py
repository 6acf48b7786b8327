"""The catalog-wide revision counter and the clock every catalog write uses."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from indexer.catalog.tables import catalog_meta


def utcnow() -> datetime:
    """Naive UTC (what the catalog's DateTime columns hold on every database)."""
    return datetime.now(UTC).replace(tzinfo=None)


def bump_rev(conn: Connection) -> int:
    """Take the next revision inside the caller's write transaction.

    The counter row is locked until commit, so revisions become visible in
    the order they were taken and an indexer reading ``rev > applied`` never
    skips a change that commits late.
    """
    return conn.execute(
        sa.update(catalog_meta)
        .where(catalog_meta.c.key == "rev")
        .values(value=catalog_meta.c.value + 1)
        .returning(catalog_meta.c.value)
    ).scalar_one()


def current_rev(conn: Connection) -> int:
    return conn.execute(
        sa.select(catalog_meta.c.value).where(catalog_meta.c.key == "rev")
    ).scalar_one()
