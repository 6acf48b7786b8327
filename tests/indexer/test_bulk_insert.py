"""``insert_many`` stores exactly what SQLAlchemy's own executemany stores (SQLite and PG)."""

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.catalog import Catalog
from indexer.catalog.bulk import insert_many
from indexer.catalog.tables import documents
from tests.catalog_db import catalog_url

NOW = datetime(2026, 11, 27, 8, 30, 15, 123456)


def rows(prefix: str) -> list[dict]:
    return [
        {
            "id": f"{prefix}-{i}",
            "type": "statute_article",
            "title": f"测试法 第{i}条",
            "body": "正文\n第二款" if i % 2 else "",
            "url": None if i % 3 else f"http://127.0.0.1/{i}",
            "source": "test",
            "region": "浙江省/金华市" if i % 2 else None,
            "published_at": date(2020, 1, i + 1) if i % 2 else None,
            # shared by most rows (the batch's "now"), its own value for some
            "fetched_at": NOW if i % 4 else datetime(2025, 5, 5, 5, 5, 5),
            "content_hash": f"h{i}",
            "fields": {"law_title": "测试法", "article_num": i, "nested": {"a": [1, "二"]}},
            "source_audiences": ["elderly"] if i % 2 else [],
            "source_topics": [],
        }
        for i in range(7)
    ]


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    cat = Catalog.open(catalog_url(tmp_path))
    yield cat
    cat.close()


def stored(catalog: Catalog, prefix: str) -> list[dict]:
    with catalog.engine.connect() as conn:
        found = conn.execute(
            sa.select(documents).where(documents.c.id.like(f"{prefix}-%")).order_by(documents.c.id)
        ).all()
    return [dict(row._mapping) | {"id": row.id.split("-", 1)[1]} for row in found]


def test_insert_many_stores_what_sqlalchemy_would(catalog: Catalog) -> None:
    common = {"deleted": False, "rev": 3, "content_rev": 3, "created_at": NOW, "updated_at": NOW}
    with catalog.writing() as conn:
        conn.execute(documents.insert(), [row | common for row in rows("core")])
        insert_many(conn, documents, rows("bulk"), common)
    expected, got = stored(catalog, "core"), stored(catalog, "bulk")
    assert len(got) == 7
    assert got == expected
    assert got[1]["fields"]["nested"] == {"a": [1, "二"]}
    assert got[1]["published_at"] == date(2020, 1, 2)
    assert got[0]["fetched_at"] == datetime(2025, 5, 5, 5, 5, 5)
    assert got[1]["fetched_at"] == NOW


def test_insert_many_refuses_rows_missing_a_column(catalog: Catalog) -> None:
    partial = [{k: v for k, v in row.items() if k != "fields"} for row in rows("x")]
    with catalog.writing() as conn, pytest.raises(ValueError, match="fields"):
        insert_many(conn, documents, partial, {"deleted": False, "rev": 1})
