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
