"""Alembic environment: runs against the connection the catalog hands over."""

from __future__ import annotations

from alembic import context

from indexer.catalog.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("fasou migrations run through indexer.catalog.db.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
