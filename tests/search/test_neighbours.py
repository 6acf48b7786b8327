"""Neighbouring articles: 之N suffixes, gaps left by deleted articles, law versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.catalog import Catalog
from indexer.models import StatuteArticle
from indexer.search.neighbours import neighbours
from tests.catalog_db import catalog_url

LAW = "中华人民共和国示例法"


def article(num: int, suffix: int | None = None, version: str | None = None) -> StatuteArticle:
    label = f"第{num}条" + (f"之{suffix}" if suffix else "")
    return StatuteArticle(
        title=f"{LAW} {label}",
        body=f"{label}的内容。",
        source="test",
        law_title=LAW,
        law_version=version,
        article_no=label,
        article_num=num,
        article_suffix=suffix,
    )


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    catalog = Catalog.open(catalog_url(tmp_path))
    # 1, 2, 2之1, 2之2, (3 and 4 deleted), 5, and an older version of article 2.
    docs = [
        article(1),
        article(2),
        article(2, 1),
        article(2, 2),
        article(5),
        article(2, None, "2001"),
    ]
    catalog.upsert(d.finalize() for d in docs)
    yield catalog
    catalog.close()


def around(catalog: Catalog, num: int, suffix: int | None = None, version: str | None = None):
    record = catalog.get(article(num, suffix, version).finalize().id)
    found = neighbours(catalog, record)
    return tuple(found[side]["article_no"] if found[side] else None for side in ("prev", "next"))


def test_neighbours_walk_suffixes_and_bridge_gaps(catalog: Catalog) -> None:
    assert around(catalog, 1) == (None, "第2条")
    assert around(catalog, 2) == ("第1条", "第2条之1")
    assert around(catalog, 2, 1) == ("第2条", "第2条之2")
    assert around(catalog, 2, 2) == ("第2条之1", "第5条")  # 3 and 4 are gone
    assert around(catalog, 5) == ("第2条之2", None)


def test_an_old_version_links_only_within_itself(catalog: Catalog) -> None:
    assert around(catalog, 2, None, "2001") == (None, None)


def test_other_types_have_no_neighbours(catalog: Catalog) -> None:
    assert neighbours(catalog, {"type": "case", "id": "x"}) == {"prev": None, "next": None}
