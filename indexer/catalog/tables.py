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
