"""Editor workspace: accounts, tokens, the tag audit log, jobs; documents.content_rev.

Editorial data already in ``document_tags`` is left exactly as it is. Existing
documents get ``content_rev = rev`` (their content is at least that old), which
is what lets a later tag-only change reach the index as a partial update.

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("content_rev", sa.BigInteger, nullable=True))
    op.execute(sa.text("UPDATE documents SET content_rev = rev"))

    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.create_index("ix_auth_tokens_user_id", "auth_tokens", ["user_id"])
    op.create_table(
        "tag_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("doc_id", sa.String(64), nullable=False),
        sa.Column("facet", sa.String(16), nullable=False),
        sa.Column("editor", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("rev", sa.BigInteger, nullable=False),
        sa.Column("job_id", sa.Integer),
        sa.Column("before", sa.JSON, nullable=False),
        sa.Column("after", sa.JSON, nullable=False),
        sa.Column("before_values", sa.JSON, nullable=False),
        sa.Column("after_values", sa.JSON, nullable=False),
        sa.Column("undoes", sa.Integer),
        sa.Column("undone_by", sa.Integer),
    )
    op.create_index("ix_tag_changes_doc_id", "tag_changes", ["doc_id"])
    op.create_index("ix_tag_changes_created_at", "tag_changes", ["created_at"])
    op.create_index("ix_tag_changes_job_id", "tag_changes", ["job_id"])
    op.create_index("ix_tag_changes_editor_created", "tag_changes", ["editor", "created_at"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("owner", sa.String(100)),
        sa.Column("lease_until", sa.DateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("targets", sa.JSON),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_jobs_status", "jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_jobs_status", "jobs")
    op.drop_table("jobs")
    op.drop_index("ix_tag_changes_editor_created", "tag_changes")
    op.drop_index("ix_tag_changes_job_id", "tag_changes")
    op.drop_index("ix_tag_changes_created_at", "tag_changes")
    op.drop_index("ix_tag_changes_doc_id", "tag_changes")
    op.drop_table("tag_changes")
    op.drop_index("ix_auth_tokens_user_id", "auth_tokens")
    op.drop_table("auth_tokens")
    op.drop_table("users")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("content_rev")
