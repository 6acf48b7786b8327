"""Links between documents (a case, video or article citing a statute article).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_links",
        sa.Column("src_id", sa.String(64), primary_key=True),
        sa.Column("dst_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
    )
    op.create_index("ix_document_links_dst", "document_links", ["dst_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_document_links_dst", "document_links")
    op.drop_table("document_links")
