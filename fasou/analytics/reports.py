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

#: The per-process cache of events (only the columns reports read), refreshed per segment.
CACHE_TABLE = """
CREATE TABLE IF NOT EXISTS cache (
    week DATE, kind VARCHAR, subject UBIGINT, audiences VARCHAR[], region VARCHAR,
    query VARCHAR, topics VARCHAR[], doc_type VARCHAR, zero BOOLEAN, shown VARCHAR[])
"""
CACHE_LOAD = """
INSERT INTO cache SELECT week, kind, subject, audiences, region, query, topics, doc_type,
    zero, shown FROM events
"""
#: One week of one group's events: what a week's partial aggregates are computed from.
#: The week and the group travel as DuckDB variables, so every statement is a fixed string.
WEEK_VIEW = """
CREATE OR REPLACE TEMP VIEW wk AS SELECT * FROM cache
WHERE week = getvariable('week')
    AND (getvariable('region') = '' OR region = getvariable('region'))
    AND (getvariable('audience') = ''
         OR list_contains(audiences, getvariable('audience'))
         OR (getvariable('audience') = 'unspecified' AND len(audiences) = 0))
"""
#: Partial aggregates of every table but ``weekly``, per (table, group, week), in one
#: shape: up to two keys, up to four additive sums, ``weight`` (the additive measure the
#: table is ordered by) and ``subjects`` (the distinct profiles behind the row that week;
#: NULL for a table that is not k-anonymised).
PARTS_TABLE = """
CREATE TABLE parts (
    tbl VARCHAR, grp VARCHAR, week DATE, k1 VARCHAR, k2 VARCHAR,
    s1 BIGINT, s2 BIGINT, s3 BIGINT, s4 BIGINT, weight BIGINT, subjects UBIGINT[])
"""
WEEKLY_TABLE = """
CREATE TABLE part_weekly (
    grp VARCHAR, week DATE, searches BIGINT, zero_results BIGINT, clicks BIGINT,
    views BIGINT, useful BIGINT, not_useful BIGINT, feeds BIGINT, profiles BIGINT)
"""
DROP_WEEK = ("DELETE FROM parts WHERE week = $week", "DELETE FROM part_weekly WHERE week = $week")


@dataclass(frozen=True)
class Aggregate:
    """How one report table is computed per (group, week) and combined across weeks.

    ``partial`` aggregates one week of one group (view ``wk``) into ``parts``.
    Sums add up across weeks; distinct profiles do not, so a row passes the
    k-threshold when one week alone has ≥ k profiles, or else when the union of
    its weeks' lists (each < k, so small) does — exact, and cheap because most
    rows are decided by the first test. Displayed profile counts stay exact: the
    union is taken over the displayed rows only.
    """

    keys: tuple[str, ...]
    #: names of s1..s4 (in order)
    sums: tuple[str, ...]
    partial: str
    anonymised: bool = True
    profiles: bool = True
    limit: bool = False
    #: columns computed from the combined sums (ratios do not add up across weeks)
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None


AGGREGATES: dict[str, Aggregate] = {
    "audiences": Aggregate(
        keys=("audience",),
        sums=("searches", "zero_results"),
        partial="""
            INSERT INTO parts SELECT 'audiences', $grp, $week, audience, '',
                count(*) FILTER (kind = 'search'), count(*) FILTER (kind = 'search' AND zero),
                0, 0, count(*) FILTER (kind = 'search'), list(DISTINCT subject)
            FROM (SELECT unnest(CASE WHEN len(audiences) = 0 THEN ['unspecified']
                                ELSE audiences END) AS audience, kind, zero, subject FROM wk)
            GROUP BY audience
        """,
    ),
    "regions": Aggregate(
        keys=("region",),
        sums=("searches", "zero_results"),
        partial="""
            INSERT INTO parts SELECT 'regions', $grp, $week,
                CASE WHEN region = '' THEN '未填写' ELSE region END, '',
                count(*) FILTER (kind = 'search'), count(*) FILTER (kind = 'search' AND zero),
                0, 0, count(*) FILTER (kind = 'search'), list(DISTINCT subject)
            FROM wk GROUP BY 4
        """,
    ),
    "top_queries": Aggregate(
        keys=("query",),
        sums=("searches", "zero_results"),
        partial="""
            INSERT INTO parts SELECT 'top_queries', $grp, $week, query, '',
                count(*), count(*) FILTER (zero), 0, 0, count(*), list(DISTINCT subject)
            FROM wk WHERE kind = 'search' AND query <> '' GROUP BY query
        """,
        limit=True,
    ),
    "zero_result_queries": Aggregate(
        keys=("query",),
        sums=("zero_results",),
        partial="""
            INSERT INTO parts SELECT 'zero_result_queries', $grp, $week, query, '',
                count(*), 0, 0, 0, count(*), list(DISTINCT subject)
            FROM wk WHERE kind = 'search' AND zero AND query <> '' GROUP BY query
        """,
        limit=True,
    ),
    "top_topics": Aggregate(
        keys=("topic",),
        sums=("searches", "clicks", "views"),
        partial="""
            INSERT INTO parts SELECT 'top_topics', $grp, $week, topic, '',
                count(*) FILTER (kind = 'search'), count(*) FILTER (kind = 'click'),
                count(*) FILTER (kind = 'view'), 0, count(*), list(DISTINCT subject)
            FROM (SELECT unnest(topics) AS topic, kind, subject FROM wk
                  WHERE kind IN ('search', 'click', 'view'))
            GROUP BY topic
        """,
        limit=True,
    ),
    "ctr_by_type": Aggregate(
        keys=("doc_type",),
        sums=("impressions", "clicks"),
        partial="""
            INSERT INTO parts SELECT 'ctr_by_type', $grp, $week, doc_type, '',
                count(*) FILTER (impression), count(*) FILTER (NOT impression), 0, 0,
                count(*) FILTER (impression), NULL
            FROM (SELECT unnest(shown) AS doc_type, true AS impression FROM wk
                  WHERE kind = 'search'
                  UNION ALL
                  SELECT doc_type, false FROM wk WHERE kind = 'click' AND doc_type <> '')
            GROUP BY doc_type
        """,
        anonymised=False,
        profiles=False,
        derive=lambda r: {"ctr": round(r["clicks"] / max(r["impressions"], 1), 4)},
    ),
    "feedback": Aggregate(
        keys=("topic",),
        sums=("useful", "not_useful"),
        partial="""
            INSERT INTO parts SELECT 'feedback', $grp, $week, topic, '',
                count(*) FILTER (kind = 'useful'), count(*) FILTER (kind = 'not_useful'),
                0, 0, count(*) FILTER (kind = 'not_useful'), list(DISTINCT subject)
            FROM (SELECT unnest(CASE WHEN len(topics) = 0 THEN ['(无主题)'] ELSE topics END)
                    AS topic, kind, subject FROM wk WHERE kind IN ('useful', 'not_useful'))
            GROUP BY topic
        """,
        profiles=False,
        derive=lambda r: {"useful_ratio": round(r["useful"] / (r["useful"] + r["not_useful"]), 4)},
    ),
    # demand per audience × topic; supply is joined in Python (it comes from the catalog)
    "gaps": Aggregate(
        keys=("audience", "topic"),
        sums=("searches", "zero_results", "useful", "not_useful"),
        partial="""
            INSERT INTO parts SELECT 'gaps', $grp, $week, audience, topic,
                count(*) FILTER (kind = 'search'), count(*) FILTER (kind = 'search' AND zero),
                count(*) FILTER (kind = 'useful'), count(*) FILTER (kind = 'not_useful'),
                0, list(DISTINCT subject)
            FROM (SELECT unnest(audiences) AS audience, topics, kind, zero, subject FROM wk
                  WHERE kind IN ('search', 'useful', 'not_useful') AND len(topics) > 0)
            CROSS JOIN unnest(topics) AS t(topic)
            GROUP BY audience, topic
        """,
    ),
}
#: The weekly series needs no combining: each week's partial is its final row.
WEEKLY_PARTIAL = """
    INSERT INTO part_weekly SELECT $grp, $week,
        count(*) FILTER (kind = 'search'),
        count(*) FILTER (kind = 'search' AND zero),
        count(*) FILTER (kind = 'click'),
        count(*) FILTER (kind = 'view'),
        count(*) FILTER (kind = 'useful'),
        count(*) FILTER (kind = 'not_useful'),
        count(*) FILTER (kind = 'feed'),
        count(DISTINCT subject)
    FROM wk GROUP BY week
"""
WEEKLY_COMBINE = """
    SELECT strftime(week, '%Y-%m-%d') AS week, searches, zero_results, clicks, views, useful,
        not_useful, feeds, profiles
    FROM part_weekly WHERE grp = $grp AND week BETWEEN $first AND $last ORDER BY week
"""
#: A table's rows over the selected weeks: sums added up, the k-threshold decided from the
#: per-week lists (a row is in when one week has ≥ k profiles or the union of its weeks'
#: small lists has), heaviest first. ``$k`` is 0 for a table that is not anonymised.
COMBINE = """
WITH p AS (
    SELECT * FROM parts
    WHERE tbl = $tbl AND grp = $grp AND week BETWEEN $first AND $last),
s AS (
    SELECT k1, k2, sum(s1) AS s1, sum(s2) AS s2, sum(s3) AS s3, sum(s4) AS s4,
        sum(weight) AS weight, coalesce(max(len(subjects)), 0) AS max_n,
        coalesce(sum(len(subjects)), 0) AS sum_n
    FROM p GROUP BY k1, k2),
unsure AS (SELECT k1, k2 FROM s WHERE max_n < $k AND sum_n >= $k),
counted AS (
    SELECT k1, k2, count(DISTINCT subject) AS distinct_n
    FROM (SELECT k1, k2, unnest(subjects) AS subject FROM p SEMI JOIN unsure USING (k1, k2))
    GROUP BY k1, k2)
SELECT k1, k2, CAST(s1 AS BIGINT), CAST(s2 AS BIGINT), CAST(s3 AS BIGINT), CAST(s4 AS BIGINT)
FROM s LEFT JOIN counted USING (k1, k2)
WHERE max_n >= $k OR coalesce(distinct_n, 0) >= $k
ORDER BY weight DESC, k1, k2
LIMIT $top
"""
#: Exact distinct profiles of the rows shown (``$shown``: their keys as [k1, k2] lists).
PROFILES = """
SELECT k1, k2, count(DISTINCT subject)
FROM (SELECT k1, k2, unnest(subjects) AS subject FROM parts
      WHERE tbl = $tbl AND grp = $grp AND week BETWEEN $first AND $last
          AND [k1, k2] IN (SELECT unnest($shown)))
GROUP BY k1, k2
"""
#: ``LIMIT`` of the tables that show every row that passes.
ALL_ROWS = 1 << 31


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
    """Computes reports incrementally; the catalog's supply is cached per catalog revision.

    Three layers, each reused while what it was made from is unchanged:

    * ``cache``: the events (report columns only), loaded per segment file — a new
      batch loads just its segment, a rewrite (erasure, retention, compaction)
      reloads its week;
    * ``part_<table>``: partial aggregates per (group, week), computed once per
      week state — past weeks are immutable except for rewrites, so after a new
      batch only the week it landed in is aggregated again;
    * whole reports per (selection, week states, catalog rev).

    A report therefore only ever combines partials (small) plus at most the
    changed weeks' raw events, and every figure reflects the store as it is now.
    """

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
        self._set_week(date(2000, 1, 1), "", "")
        self._con.execute(WEEK_VIEW)
        self._con.execute(PARTS_TABLE)
        self._con.execute(WEEKLY_TABLE)
        #: week → {segment name: file state} as loaded into ``cache``
        self._loaded: dict[date, dict[str, str]] = {}
        #: (group, week) pairs whose partials are current
        self._partials: set[tuple[str, date]] = set()
        #: how many (group, week) partials were computed (tests and benches read it)
        self.partials_computed = 0
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

    # -- layer 1: events ------------------------------------------------------------

    def _refresh(self) -> None:
        """Bring the cache up to date: load new segments; reload a week whose existing
        segments changed or went (a rewrite); forget that week's partials either way."""
        with self.store.reading():
            current = {w: self.store.segment_states(w) for w in self.store.weeks()}
            for week in set(self._loaded) - set(current):
                self._forget_week(week)
            for week, states in sorted(current.items()):
                loaded = self._loaded.get(week)
                if loaded == states:
                    continue
                if loaded is not None and all(states.get(n) == s for n, s in loaded.items()):
                    fresh = [n for n in states if n not in loaded]  # appended segments only
                else:
                    self._forget_week(week)
                    fresh = list(states)
                events_view(self._con, [self.store.week_dir(week) / name for name in fresh])
                self._con.execute(CACHE_LOAD)
                self._loaded[week] = states
                self._drop_partials(week)

    def _forget_week(self, week: date) -> None:
        self._con.execute("DELETE FROM cache WHERE week = $week", {"week": week})
        self._loaded.pop(week, None)
        self._drop_partials(week)

    # -- layer 2: partial aggregates per (group, week) ----------------------------------

    def _drop_partials(self, week: date) -> None:
        for statement in DROP_WEEK:
            self._con.execute(statement, {"week": week})
        self._partials = {(g, w) for g, w in self._partials if w != week}

    def _set_week(self, week: date, audience: str, region: str) -> None:
        self._con.execute("SET VARIABLE week = $v", {"v": week})
        self._con.execute("SET VARIABLE audience = $v", {"v": audience})
        self._con.execute("SET VARIABLE region = $v", {"v": region})

    def _ensure_partials(self, selection: ReportFilter) -> str:
        group = group_of(selection)
        for week in self._loaded:
            if not selection.first_week <= week <= selection.last_week:
                continue
            if (group, week) in self._partials:
                continue
            self._set_week(week, selection.audience, selection.region)
            params = {"grp": group, "week": week}
            for spec in AGGREGATES.values():
                self._con.execute(spec.partial, params)
            self._con.execute(WEEKLY_PARTIAL, params)
            self._partials.add((group, week))
            self.partials_computed += 1
        return group

    # -- layer 3: reports -----------------------------------------------------------------

    def build(self, selection: ReportFilter, *, cached: bool = True) -> Report:
        """The report for ``selection``, always of the store as it is now: reused while no
        week's events changed (and the catalog's supply did not); otherwise combined from
        the weeks' partials, recomputing only the weeks that changed. ``cached=False``
        skips the whole-report cache (the partials are still reused)."""
        with self._lock:
            self._refresh()
            state = tuple(sorted((w, tuple(sorted(s.items()))) for w, s in self._loaded.items()))
            key = (selection, state, self._revision())
            if cached and key in self._reports:
                return self._reports[key]
            report = self._compute(selection)
            self._reports[key] = report
            while len(self._reports) > REPORT_CACHE_SIZE:
                self._reports.pop(next(iter(self._reports)))
            return report

    def _compute(self, selection: ReportFilter) -> Report:
        group = self._ensure_partials(selection)
        bounds = {"grp": group, "first": selection.first_week, "last": selection.last_week}
        report = Report(selection, self.k)
        result = self._con.execute(WEEKLY_COMBINE, bounds)
        names = [d[0] for d in result.description]
        report.tables["weekly"] = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        for table, spec in AGGREGATES.items():
            params = bounds | {
                "tbl": table,
                "k": self.k if spec.anonymised else 0,
                "top": TOP_N if spec.limit else ALL_ROWS,
            }
            rows = [named(spec, found) for found in self._con.execute(COMBINE, params).fetchall()]
            if table == "gaps":
                rows = self._rank_gaps(rows)
            if spec.profiles:
                rows = self._with_profiles(spec, rows, params)
            report.tables[table] = [{name: row[name] for name, _ in COLUMNS[table]} for row in rows]
        return report

    def _with_profiles(
        self, spec: Aggregate, rows: list[dict[str, Any]], params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Add the exact number of distinct profiles to the rows shown (only those)."""
        if not rows:
            return rows
        shown = [key_of(spec, row) for row in rows]
        wanted = {n: params[n] for n in ("tbl", "grp", "first", "last")} | {"shown": shown}
        counted = self._con.execute(PROFILES, wanted).fetchall()
        profiles = {(k1, k2): n for k1, k2, n in counted}
        return [
            row | {"profiles": profiles[(key[0], key[1])]}
            for row, key in zip(rows, shown, strict=True)
        ]

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
                row
                | {
                    "demand": round(wanted, 1),
                    "failure_rate": round(failed, 4),
                    "supply": have,
                    "score": round(wanted * failed / (1 + have), 2),
                }
            )
        rows.sort(key=lambda r: (-r["score"], r["audience"], r["topic"]))
        return [{"rank": i, **r} for i, r in enumerate(rows[:50], start=1)]


def group_of(selection: ReportFilter) -> str:
    """The partials' group key: which residents' events (everyone, an audience, a region)."""
    return f"{selection.audience}\x1f{selection.region}"


def key_of(spec: Aggregate, row: dict[str, Any]) -> list[str]:
    """A row's [k1, k2] as stored in ``parts``."""
    return [*(row[key] for key in spec.keys), ""][:2]


def named(spec: Aggregate, found: tuple[Any, ...]) -> dict[str, Any]:
    """A combined ``parts`` row under the table's own column names, derived ratios added."""
    row = dict(zip(spec.keys, found[:2], strict=False))
    row |= dict(zip(spec.sums, found[2:], strict=False))
    return row | spec.derive(row) if spec.derive else row
