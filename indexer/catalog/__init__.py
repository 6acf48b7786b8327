"""The catalog (SQLite/PostgreSQL via SQLAlchemy, migrated by Alembic)."""

from indexer.catalog.repository import Catalog, UpsertStats

__all__ = ["Catalog", "UpsertStats"]
