"""Crawler state: per-page validators, runs, quarantine; generic job leases.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("resumed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_modified", sa.Integer, nullable=False, server_default="0"),
        sa.Column("new", sa.Integer, nullable=False, server_default="0"),
        sa.Column("changed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("quarantined", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
    )
    op.create_index("ix_crawl_runs_source", "crawl_runs", ["source", "id"])
    op.create_table(
        "crawl_pages",
        sa.Column("key", sa.String(1000), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.String(200)),
        sa.Column("last_modified", sa.String(64)),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("doc_ids", sa.JSON, nullable=False),
        sa.Column("duplicate_of", sa.String(1000)),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_crawl_pages_source_run", "crawl_pages", ["source", "run_id"])
    op.create_index("ix_crawl_pages_hash", "crawl_pages", ["source", "content_hash"])
    op.create_table(
        "crawl_quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_crawl_quarantine_source", "crawl_quarantine", ["source", "id"])
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("acquired_at", sa.DateTime, nullable=False),
        sa.Column("heartbeat_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_leases")
    op.drop_index("ix_crawl_quarantine_source", "crawl_quarantine")
    op.drop_table("crawl_quarantine")
    op.drop_index("ix_crawl_pages_hash", "crawl_pages")
    op.drop_index("ix_crawl_pages_source_run", "crawl_pages")
    op.drop_table("crawl_pages")
    op.drop_index("ix_crawl_runs_source", "crawl_runs")
    op.drop_table("crawl_runs")
