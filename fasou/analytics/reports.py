"""Aggregates over the analytics store, with DuckDB: the only thing that leaves it.

Every report is a named table of rows of plain values (no subject, no client
id). A query string appears only when at least ``k`` distinct profiles issued
it in the selected period and group; audience × topic cells of the gap report
need ``k`` profiles too. The JSON API, the console page and the CSV export all
read the same ``Report`` object, so they cannot disagree.

Why DuckDB over Parquet: one columnar scan of the selected weeks per report,
grouped in parallel; 1M events aggregate in well under a second on 2 cores.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

from fasou.analytics.events import UNSPECIFIED, week_of
from fasou.analytics.store import AnalyticsStore, events_view

#: Demand weights of the content-gaps report: a search counts once, a search that found
#: nothing and a 没用 judgement count more (each is a resident the content failed).
ZERO_WEIGHT = 2.0
NOT_USEFUL_WEIGHT = 3.0
TOP_N = 20
#: Reports kept per process (keyed by selection and the weeks' segment signatures).
REPORT_CACHE_SIZE = 32

#: Table name → (column, Chinese header) in order: the CSV header and the page's columns.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "weekly": (
        ("week", "周"),
        ("searches", "搜索"),
        ("zero_results", "零结果"),
        ("clicks", "点击"),
        ("views", "浏览"),
        ("useful", "有用"),
        ("not_useful", "没用"),
        ("feeds", "推荐浏览"),
        ("profiles", "用户数"),
    ),
    "audiences": (
        ("audience", "受众"),
        ("searches", "搜索"),
        ("zero_results", "零结果"),
        ("profiles", "用户数"),
    ),
    "regions": (
        ("region", "地区"),
        ("searches", "搜索"),
        ("zero_results", "零结果"),
        ("profiles", "用户数"),
    ),
    "top_queries": (
        ("query", "检索词"),
        ("searches", "搜索"),
        ("zero_results", "零结果"),
        ("profiles", "用户数"),
    ),
    "zero_result_queries": (
        ("query", "检索词"),
        ("zero_results", "零结果"),
        ("profiles", "用户数"),
    ),
    "top_topics": (
        ("topic", "主题"),
        ("searches", "搜索"),
        ("clicks", "点击"),
        ("views", "浏览"),
        ("profiles", "用户数"),
    ),
    "ctr_by_type": (
        ("doc_type", "内容类型"),
        ("impressions", "展示"),
        ("clicks", "点击"),
        ("ctr", "点击率"),
    ),
    "feedback": (
        ("topic", "主题"),
        ("useful", "有用"),
        ("not_useful", "没用"),
        ("useful_ratio", "有用占比"),
    ),
    "gaps": (
        ("rank", "排名"),
        ("audience", "受众"),
        ("topic", "主题"),
        ("searches", "搜索"),
        ("zero_results", "零结果"),
        ("not_useful", "没用"),
        ("demand", "需求"),
        ("failure_rate", "未满足率"),
        ("supply", "供给(文档数)"),
        ("score", "缺口指数"),
        ("profiles", "用户数"),
    ),
}
TABLES = tuple(COLUMNS)

#: The per-process cache of events (only the columns reports read), refreshed per week.
CACHE_TABLE = """
CREATE TABLE IF NOT EXISTS cache (
    week DATE, kind VARCHAR, subject UBIGINT, audiences VARCHAR[], region VARCHAR,
    query VARCHAR, topics VARCHAR[], doc_type VARCHAR, zero BOOLEAN, shown VARCHAR[])
"""
CACHE_LOAD = """
INSERT INTO cache SELECT week, kind, subject, audiences, region, query, topics, doc_type,
    zero, shown FROM events
"""
#: The selected events: a view over the cache when only weeks are chosen (no copy),
#: a temporary table when an audience or region narrows them (a small copy, read 9 times).
#: Bounds travel as DuckDB variables, so every statement stays a fixed string.
SPAN_VIEW = """
CREATE OR REPLACE TEMP VIEW span AS SELECT * FROM cache
WHERE week BETWEEN getvariable('first_week') AND getvariable('last_week')
"""
SELECT_SPAN = "CREATE OR REPLACE TEMP VIEW sel AS SELECT * FROM span"
SELECT_GROUP = """
CREATE OR REPLACE TEMP TABLE sel AS SELECT * FROM span
WHERE ($region = '' OR region = $region)
    AND ($audience = ''
         OR list_contains(audiences, $audience)
         OR ($audience = 'unspecified' AND len(audiences) = 0))
"""
#: Each report is one fixed statement over the view ``sel`` (the filtered events).
SQL: dict[str, str] = {
    "weekly": """
        SELECT strftime(week, '%Y-%m-%d') AS week,
            count(*) FILTER (kind = 'search') AS searches,
            count(*) FILTER (kind = 'search' AND zero) AS zero_results,
            count(*) FILTER (kind = 'click') AS clicks,
            count(*) FILTER (kind = 'view') AS views,
            count(*) FILTER (kind = 'useful') AS useful,
            count(*) FILTER (kind = 'not_useful') AS not_useful,
            count(*) FILTER (kind = 'feed') AS feeds,
            count(DISTINCT subject) AS profiles
        FROM sel GROUP BY week ORDER BY week
    """,
    "audiences": """
        SELECT audience,
            count(*) FILTER (kind = 'search') AS searches,
            count(*) FILTER (kind = 'search' AND zero) AS zero_results,
            count(DISTINCT subject) AS profiles
        FROM (SELECT unnest(CASE WHEN len(audiences) = 0 THEN ['unspecified']
                            ELSE audiences END) AS audience, kind, zero, subject FROM sel)
        GROUP BY audience HAVING count(DISTINCT subject) >= $k
        ORDER BY searches DESC, audience
    """,
    "regions": """
        SELECT CASE WHEN region = '' THEN '未填写' ELSE region END AS region,
            count(*) FILTER (kind = 'search') AS searches,
            count(*) FILTER (kind = 'search' AND zero) AS zero_results,
            count(DISTINCT subject) AS profiles
        FROM sel GROUP BY 1 HAVING count(DISTINCT subject) >= $k
        ORDER BY searches DESC, region
    """,
    "top_queries": """
        SELECT query, count(*) AS searches, count(*) FILTER (zero) AS zero_results,
            count(DISTINCT subject) AS profiles
        FROM sel WHERE kind = 'search' AND query <> ''
        GROUP BY query HAVING count(DISTINCT subject) >= $k
        ORDER BY searches DESC, query LIMIT $top
    """,
    "zero_result_queries": """
        SELECT query, count(*) AS zero_results, count(DISTINCT subject) AS profiles
        FROM sel WHERE kind = 'search' AND zero AND query <> ''
        GROUP BY query HAVING count(DISTINCT subject) >= $k
        ORDER BY zero_results DESC, query LIMIT $top
    """,
    "top_topics": """
        SELECT topic,
            count(*) FILTER (kind = 'search') AS searches,
            count(*) FILTER (kind = 'click') AS clicks,
            count(*) FILTER (kind = 'view') AS views,
            count(DISTINCT subject) AS profiles
        FROM (SELECT unnest(topics) AS topic, kind, subject FROM sel
              WHERE kind IN ('search', 'click', 'view'))
        GROUP BY topic HAVING count(DISTINCT subject) >= $k
        ORDER BY searches + clicks + views DESC, topic LIMIT $top
    """,
    "ctr_by_type": """
        WITH shown AS (
            SELECT unnest(shown) AS doc_type, count(*) AS impressions
            FROM sel WHERE kind = 'search' GROUP BY 1),
        clicked AS (
            SELECT doc_type, count(*) AS clicks FROM sel
            WHERE kind = 'click' AND doc_type <> '' GROUP BY 1)
        SELECT coalesce(s.doc_type, c.doc_type) AS doc_type,
            coalesce(impressions, 0) AS impressions, coalesce(clicks, 0) AS clicks,
            round(coalesce(clicks, 0) / greatest(coalesce(impressions, 0), 1), 4) AS ctr
        FROM shown s FULL OUTER JOIN clicked c ON s.doc_type = c.doc_type
        ORDER BY impressions DESC, doc_type
    """,
    "feedback": """
        SELECT topic,
            count(*) FILTER (kind = 'useful') AS useful,
            count(*) FILTER (kind = 'not_useful') AS not_useful,
            round(count(*) FILTER (kind = 'useful') / count(*), 4) AS useful_ratio
        FROM (SELECT unnest(CASE WHEN len(topics) = 0 THEN ['(无主题)'] ELSE topics END)
                AS topic, kind, subject FROM sel WHERE kind IN ('useful', 'not_useful'))
        GROUP BY topic HAVING count(DISTINCT subject) >= $k
        ORDER BY not_useful DESC, topic
    """,
    # demand per audience × topic; supply is joined in Python (it comes from the catalog)
    "gaps": """
        SELECT audience, topic,
            count(*) FILTER (kind = 'search') AS searches,
            count(*) FILTER (kind = 'search' AND zero) AS zero_results,
            count(*) FILTER (kind = 'useful') AS useful,
            count(*) FILTER (kind = 'not_useful') AS not_useful,
            count(DISTINCT subject) AS profiles
        FROM (SELECT unnest(audiences) AS audience, topics, kind, zero, subject FROM sel
              WHERE kind IN ('search', 'useful', 'not_useful') AND len(topics) > 0)
        CROSS JOIN unnest(topics) AS t(topic)
        GROUP BY audience, topic HAVING count(DISTINCT subject) >= $k
    """,
}


@dataclass(frozen=True)
class ReportFilter:
    """Which events a report covers: ``weeks`` weeks ending with ``last_week``."""

    last_week: date
    weeks: int = 8
    audience: str = ""
    region: str = ""

    @property
    def first_week(self) -> date:
        return self.last_week - timedelta(weeks=self.weeks - 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "first_week": self.first_week.isoformat(),
            "last_week": self.last_week.isoformat(),
            "weeks": self.weeks,
            "audience": self.audience or None,
            "region": self.region or None,
        }


@dataclass
class Report:
    filter: ReportFilter
    k: int
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"filter": self.filter.as_dict(), "k": self.k, "tables": self.tables}

    def csv(self, table: str) -> str:
        """One table as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        names = [name for name, _ in COLUMNS[table]]
        writer.writerow(names)
        for row in self.tables[table]:
            writer.writerow([row[name] for name in names])
        return out.getvalue()


def parse_csv(text: str) -> list[dict[str, str]]:
    """The inverse of ``Report.csv`` (for clients and tests)."""
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


class Reports:
    """Computes reports; the catalog's supply is cached per catalog revision."""

    def __init__(
        self,
        store: AnalyticsStore,
        supply: Callable[[], dict[tuple[str, str], int]],
        revision: Callable[[], int],
        k: int = 5,
    ) -> None:
        self.store = store
        self.k = k
        self._supply_source = supply
        self._revision = revision
        self._supply: tuple[int, dict[tuple[str, str], int]] | None = None
        self._lock = threading.RLock()
        self._con = duckdb.connect()
        self._con.execute(CACHE_TABLE)
        self._loaded: dict[date, str] = {}
        self._reports: dict[tuple[Any, ...], Report] = {}

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def supply(self) -> dict[tuple[str, str], int]:
        rev = self._revision()
        with self._lock:
            if self._supply is None or self._supply[0] != rev:
                self._supply = (rev, self._supply_source())
            return self._supply[1]

    def default_filter(self, **kwargs: Any) -> ReportFilter:
        weeks = self.store.weeks()
        last = weeks[-1] if weeks else week_of(date.today())
        return ReportFilter(last_week=kwargs.pop("last_week", None) or last, **kwargs)

    def _refresh(self) -> None:
        """Bring the cache up to date: reload exactly the weeks whose segments changed."""
        with self.store.reading():
            current = {w: self.store.signature(w) for w in self.store.weeks()}
            for week in set(self._loaded) - set(current):
                self._con.execute("DELETE FROM cache WHERE week = $week", {"week": week})
                del self._loaded[week]
            for week, signature in sorted(current.items()):
                if self._loaded.get(week) == signature:
                    continue
                self._con.execute("DELETE FROM cache WHERE week = $week", {"week": week})
                events_view(self._con, self.store.segments(week))
                self._con.execute(CACHE_LOAD)
                self._loaded[week] = signature

    def build(self, selection: ReportFilter, *, cached: bool = True) -> Report:
        """The report for ``selection``; reused while no week's events changed (and the
        catalog's supply did not), so repeated page views cost nothing."""
        with self._lock:
            self._refresh()
            key = (selection, tuple(sorted(self._loaded.items())), self._revision())
            if cached and key in self._reports:
                return self._reports[key]
            report = self._compute(selection)
            self._reports[key] = report
            while len(self._reports) > REPORT_CACHE_SIZE:
                self._reports.pop(next(iter(self._reports)))
            return report

    def _compute(self, selection: ReportFilter) -> Report:
        report = Report(selection, self.k)
        con = self._con
        con.execute("SET VARIABLE first_week = $d", {"d": selection.first_week})
        con.execute("SET VARIABLE last_week = $d", {"d": selection.last_week})
        con.execute(SPAN_VIEW)
        if selection.audience or selection.region:
            con.execute(SELECT_GROUP, {"audience": selection.audience, "region": selection.region})
        else:
            con.execute(SELECT_SPAN)
        for table, sql in SQL.items():
            wanted = {"k": self.k, "top": TOP_N}
            used = {name: value for name, value in wanted.items() if f"${name}" in sql}
            result = con.execute(sql, used)
            names = [d[0] for d in result.description]
            report.tables[table] = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        con.execute("DROP TABLE sel" if selection.audience or selection.region else "DROP VIEW sel")
        report.tables["gaps"] = self._rank_gaps(report.tables["gaps"])
        return report

    def _rank_gaps(self, demand: list[dict[str, Any]]) -> list[dict[str, Any]]:
        supply = self.supply()
        rows = []
        for row in demand:
            if row["audience"] == UNSPECIFIED:
                continue
            wanted = (
                row["searches"]
                + ZERO_WEIGHT * row["zero_results"]
                + NOT_USEFUL_WEIGHT * row["not_useful"]
            )
            failed = (row["zero_results"] + row["not_useful"]) / max(
                row["searches"] + row["useful"] + row["not_useful"], 1
            )
            have = supply.get((row["audience"], row["topic"]), 0)
            rows.append(
                {key: value for key, value in row.items() if key != "useful"}
                | {
                    "demand": round(wanted, 1),
                    "failure_rate": round(failed, 4),
                    "supply": have,
                    "score": round(wanted * failed / (1 + have), 2),
                }
            )
        rows.sort(key=lambda r: (-r["score"], r["audience"], r["topic"]))
        return [{"rank": i, **r} for i, r in enumerate(rows[:50], start=1)]
