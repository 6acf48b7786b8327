"""The catalog (SQLite/PostgreSQL via SQLAlchemy, migrated by Alembic)."""

from indexer.catalog.repository import Catalog, UpsertStats
from indexer.catalog.tagging import TAG_FACETS, TagEdit, TagWriteResult

__all__ = ["TAG_FACETS", "Catalog", "TagEdit", "TagWriteResult", "UpsertStats"]
