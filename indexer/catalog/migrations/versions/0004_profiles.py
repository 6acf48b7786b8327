"""Suggested tags (automatic tagging) and resident profiles with their events.

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggested_tags",
        sa.Column("doc_id", sa.String(64), primary_key=True),
        sa.Column("facet", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(64), primary_key=True),
        sa.Column("provenance", sa.String(120), primary_key=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("model_version", sa.String(40), nullable=False),
    )
    op.create_index("ix_suggested_tags_value", "suggested_tags", ["facet", "value"])
    op.create_table(
        "tagging_state",
        sa.Column("doc_id", sa.String(64), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("tagger_version", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "profiles",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("declared", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "profile_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("doc_id", sa.String(64)),
        sa.Column("signals", sa.JSON, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_profile_events_client", "profile_events", ["client_id", "at"])
    op.create_index("ix_profile_events_at", "profile_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_profile_events_at", "profile_events")
    op.drop_index("ix_profile_events_client", "profile_events")
    op.drop_table("profile_events")
    op.drop_table("profiles")
    op.drop_table("tagging_state")
    op.drop_index("ix_suggested_tags_value", "suggested_tags")
    op.drop_table("suggested_tags")
