"""Catalog schema (SQLAlchemy Core). Alembic migrations under ``migrations/`` create it.

Crawled content (``documents``) and editorial decisions (``document_tags``) live in
separate tables so that no re-import or recrawl can overwrite an editor's work.
Every change bumps a catalog-wide revision counter; the index records the last
revision it applied, which is how only changed documents reach it.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(32), nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False, default=""),
    sa.Column("url", sa.Text),
    sa.Column("source", sa.String(64), nullable=False, index=True),
    sa.Column("region", sa.String(200)),
    sa.Column("published_at", sa.Date),
    sa.Column("fetched_at", sa.DateTime),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("fields", sa.JSON, nullable=False, default=dict),
    sa.Column("source_audiences", sa.JSON, nullable=False, default=list),
    sa.Column("source_topics", sa.JSON, nullable=False, default=list),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("rev", sa.BigInteger, nullable=False, index=True),
    # The revision at which the source content last changed (NULL: unknown, before 0006).
    # ``rev > content_rev`` means only editorial data changed since: a partial index update.
    sa.Column("content_rev", sa.BigInteger),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index("ix_documents_live_type", "deleted", "type"),
)

#: Editor decisions on a document's audiences/topics: ``add`` or ``remove`` a value.
document_tags = sa.Table(
    "document_tags",
    metadata,
    sa.Column("doc_id", sa.String(64), primary_key=True),
    sa.Column("facet", sa.String(16), primary_key=True),  # audience | topic
    sa.Column("value", sa.String(64), primary_key=True),
    sa.Column("action", sa.String(8), nullable=False),  # add | remove
    sa.Column("editor", sa.String(100), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

#: Small key/value state: the revision counter lives here.
catalog_meta = sa.Table(
    "catalog_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

#: Fingerprint of each imported source, so an unchanged source is not re-read.
import_fingerprints = sa.Table(
    "import_fingerprints",
    metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("fingerprint", sa.String(128), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

#: Directed links derived from documents' content (``cites``: src cites statute dst).
#: Maintained by ``Catalog.upsert`` from each document's ``cites`` field, so the
#: reverse direction (which cases cite this article?) is one indexed lookup.
document_links = sa.Table(
    "document_links",
    metadata,
    sa.Column("src_id", sa.String(64), primary_key=True),
    sa.Column("dst_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Index("ix_document_links_dst", "dst_id", "kind"),
)

# -- personalisation (migration 0004) ----------------------------------------

#: Automatic tag suggestions, one row per (document, facet, value, rule or model).
#: Kept apart from ``document_tags``: recomputed whenever content or the tagger
#: changes, and an editor's decision on the same value always wins.
suggested_tags = sa.Table(
    "suggested_tags",
    metadata,
    sa.Column("doc_id", sa.String(64), primary_key=True),
    sa.Column("facet", sa.String(16), primary_key=True),  # audience | topic
    sa.Column("value", sa.String(64), primary_key=True),
    sa.Column("provenance", sa.String(120), primary_key=True),  # rule:… | model:…
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("model_version", sa.String(40), nullable=False),
    sa.Index("ix_suggested_tags_value", "facet", "value"),
)

#: Which content (hash) each document's suggestions were computed from, by which tagger.
tagging_state = sa.Table(
    "tagging_state",
    metadata,
    sa.Column("doc_id", sa.String(64), primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("tagger_version", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

#: A resident's declared attributes, keyed by the opaque client id of the mini-app.
profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("declared", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

#: Minimal interaction events (no query text, no IP): what kind, which document,
#: which taxonomy values it signalled, when. Expire after the retention period.
profile_events = sa.Table(
    "profile_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("doc_id", sa.String(64)),
    sa.Column("signals", sa.JSON, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("ix_profile_events_client", "client_id", "at"),
    sa.Index("ix_profile_events_at", "at"),
)


# -- editor workspace (migration 0006) ---------------------------------------

#: Accounts of editors and admins (residents are anonymous and have none).
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # editor | admin
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

#: Login sessions and API tokens: only a keyed hash of each token is stored.
auth_tokens = sa.Table(
    "auth_tokens",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True),  # public, non-guessable
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(8), nullable=False),  # session | api
    sa.Column("name", sa.String(100), nullable=False, default=""),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
)

#: The audit log: one row per (document, facet) whose editor decisions changed.
#: ``before``/``after`` hold the facet's decision rows exactly (value → action,
#: editor, at), so an undo restores them verbatim; ``*_values`` the effective tags.
tag_changes = sa.Table(
    "tag_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc_id", sa.String(64), nullable=False, index=True),
    sa.Column("facet", sa.String(16), nullable=False),
    sa.Column("editor", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("rev", sa.BigInteger, nullable=False),
    sa.Column("job_id", sa.Integer, index=True),
    sa.Column("before", sa.JSON, nullable=False),
    sa.Column("after", sa.JSON, nullable=False),
    sa.Column("before_values", sa.JSON, nullable=False),
    sa.Column("after_values", sa.JSON, nullable=False),
    sa.Column("undoes", sa.Integer),
    sa.Column("undone_by", sa.Integer),
    sa.Index("ix_tag_changes_editor_created", "editor", "created_at"),
)

#: Background jobs (bulk tagging, bulk undo), claimed under a lease so that
#: exactly one API process runs each, and a crashed owner's job is resumed.
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # bulk_tag | undo_job
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("started_at", sa.DateTime),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("owner", sa.String(100)),
    sa.Column("lease_until", sa.DateTime),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("targets", sa.JSON),  # resolved once, so a resumed job does the same work
    sa.Column("total", sa.Integer, nullable=False, default=0),
    sa.Column("done", sa.Integer, nullable=False, default=0),
    sa.Column("report", sa.JSON, nullable=False),
    sa.Column("error", sa.Text),
)


# -- crawler (migration 0003) --------------------------------------------------

#: One row per crawl of one source: counts of pages and documents, for `fasou crawl runs`.
#: A run that was killed stays ``running`` until the next run of its source resumes it.
crawl_runs = sa.Table(
    "crawl_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # running | finished | failed
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
    sa.Index("ix_crawl_runs_source", "source", "id"),
)

#: The crawl ledger: per content page, the validators for conditional requests, the
#: hash of what it yielded, the documents it yielded and the last run that settled it.
#: ``key`` is the canonical request (URL, or method + URL + body for API calls).
crawl_pages = sa.Table(
    "crawl_pages",
    metadata,
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
    sa.Index("ix_crawl_pages_source_run", "source", "run_id"),
    sa.Index("ix_crawl_pages_hash", "source", "content_hash"),
)

#: Items that failed validation (and pages that could not be fetched), never silently dropped.
crawl_quarantine = sa.Table(
    "crawl_quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("stage", sa.String(16), nullable=False),  # fetch | validate
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("payload", sa.JSON),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_crawl_quarantine_source", "source", "id"),
)

#: Generic leases for background jobs ("crawl:flk", later others): one holder at a time,
#: kept alive by heartbeats, taken over once expired (a killed holder cannot release).
job_leases = sa.Table(
    "job_leases",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("acquired_at", sa.DateTime, nullable=False),
    sa.Column("heartbeat_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)
