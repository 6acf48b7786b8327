"""Initial catalog: documents, editor tags, revision counter, import fingerprints.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("region", sa.String(200)),
        sa.Column("published_at", sa.Date),
        sa.Column("fetched_at", sa.DateTime),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("source_audiences", sa.JSON, nullable=False),
        sa.Column("source_topics", sa.JSON, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("rev", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_documents_type", "documents", ["type"])
    op.create_index("ix_documents_source", "documents", ["source"])
    op.create_index("ix_documents_rev", "documents", ["rev"])
    op.create_index("ix_documents_live_type", "documents", ["deleted", "type"])
    op.create_table(
        "document_tags",
        sa.Column("doc_id", sa.String(64), primary_key=True),
        sa.Column("facet", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(64), primary_key=True),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("editor", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "catalog_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "import_fingerprints",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.bulk_insert(
        sa.table("catalog_meta", sa.column("key", sa.String), sa.column("value", sa.BigInteger)),
        [{"key": "rev", "value": 0}],
    )


def downgrade() -> None:
    op.drop_table("import_fingerprints")
    op.drop_table("catalog_meta")
    op.drop_table("document_tags")
    op.drop_index("ix_documents_live_type", "documents")
    op.drop_index("ix_documents_rev", "documents")
    op.drop_index("ix_documents_source", "documents")
    op.drop_index("ix_documents_type", "documents")
    op.drop_table("documents")
