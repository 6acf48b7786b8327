"""Aggregates over the analytics store, with DuckDB: the only thing that leaves it.

Every report is a named table of rows of plain values (no subject, no client
id). A query string appears only when at least ``k`` distinct profiles issued
it in the selected period and group; audience × topic cells of the gap report
need ``k`` profiles too. The JSON API, the console page and the CSV export all
read the same ``Report`` object, so they cannot disagree.

Why incremental: aggregating 1M events from scratch takes seconds on a loaded
2-core machine, but past weeks only change by rewrites (erasure, retention,
compaction). So each week is aggregated once into partial aggregates ("parts",
in an in-process DuckDB), a new batch adds a part holding only its rows, and a
report combines parts — exactly, k-anonymity and displayed profile counts
included (see ``Aggregate`` and ``Reports``).
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
from indexer.background import WakeableThread

#: Demand weights of the content-gaps report: a search counts once, a search that found
#: nothing and a 没用 judgement count more (each is a resident the content failed).
ZERO_WEIGHT = 2.0
NOT_USEFUL_WEIGHT = 3.0
TOP_N = 20
#: Reports kept per process (keyed by selection and the weeks' segment states).
REPORT_CACHE_SIZE = 32
#: Seconds at least between two background aggregation rounds (see ``start_warming``).
WARM_MIN_GAP = 10.0

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

#: The per-process cache of events (only the columns reports read). ``id`` stands for the
#: subject (dense, so a set of profiles fits a bitmap); ``load`` numbers each load, so a
#: week's partials can be brought up to date from the rows loaded since.
CACHE_TABLE = """
CREATE TABLE cache (
    week DATE, kind VARCHAR, id INTEGER, audiences VARCHAR[], region VARCHAR,
    query VARCHAR, topics VARCHAR[], doc_type VARCHAR, zero BOOLEAN, shown VARCHAR[],
    load INTEGER)
"""
IDS_TABLE = "CREATE TABLE ids (subject UBIGINT, id INTEGER)"
CACHE_STAGE = """
CREATE OR REPLACE TEMP TABLE incoming AS SELECT week, kind, subject, audiences, region,
    query, topics, doc_type, zero, shown FROM events
"""
#: New subjects get the next ids (never reused, so stored bitmaps stay valid).
IDS_ASSIGN = """
INSERT INTO ids SELECT subject, CAST($next + row_number() OVER (ORDER BY subject) - 1 AS INTEGER)
FROM (SELECT DISTINCT subject FROM incoming) ANTI JOIN ids USING (subject)
"""
IDS_NEXT = "SELECT coalesce(max(id) + 1, 0) FROM ids"
CACHE_LOAD = """
INSERT INTO cache SELECT week, kind, id, audiences, region, query, topics, doc_type, zero,
    shown, $load FROM incoming JOIN ids USING (subject)
"""
#: After a rewrite (erasure, retention): forget the pseudonyms no event carries any more.
IDS_PRUNE = "DELETE FROM ids WHERE id NOT IN (SELECT DISTINCT id FROM cache)"
CACHE_DROP_WEEK = "DELETE FROM cache WHERE week = $week"
#: The events parts are computed from: all of ``cache`` when everyone's weeks are
#: aggregated whole; else a small copy of just the rows needed (one audience or region,
#: or only the rows loaded since the parts were made), filtered once, not per statement.
SOURCE_DROP = {False: "DROP VIEW src", True: "DROP TABLE src"}
SOURCE_ALL = "CREATE TEMP VIEW src AS SELECT * FROM cache"
SOURCE_SOME = """
CREATE TEMP TABLE src AS SELECT * FROM cache
WHERE week BETWEEN $first AND $last AND load > $covered
    AND ($region = '' OR region = $region)
    AND ($audience = ''
         OR list_contains(audiences, $audience)
         OR ($audience = 'unspecified' AND len(audiences) = 0))
"""
#: The weeks to aggregate now, each as one new part of the rows loaded after ``covered``
#: (0: the whole week); ``wk`` is those rows, and every statement groups by week.
TODO_TABLE = "CREATE OR REPLACE TEMP TABLE todo (week DATE, covered INTEGER, part INTEGER)"
TODO_ADD = "INSERT INTO todo VALUES ($week, $covered, $part)"
WEEK_VIEW = """
CREATE OR REPLACE TEMP VIEW wk AS SELECT src.* FROM src JOIN todo USING (week)
WHERE src.load > todo.covered
"""
#: Partial aggregates of every table but ``weekly``, per (table, group, week, part), in
#: one shape: up to two keys, up to four additive sums, ``weight`` (the additive measure
#: the table is ordered by) and the distinct profiles behind the row in that part: ``n``,
#: and either their ``ids`` (fewer than k) or a bitmap over ids (``bits``). A part is a
#: week's events as of one load, or the rows loaded since (a new batch): parts of one
#: week combine exactly like weeks do. NULLs for a table that is not k-anonymised.
PARTS_TABLE = """
CREATE TABLE parts (
    tbl VARCHAR, grp VARCHAR, week DATE, part INTEGER, k1 VARCHAR, k2 VARCHAR,
    s1 BIGINT, s2 BIGINT, s3 BIGINT, s4 BIGINT, weight BIGINT,
    n INTEGER, ids INTEGER[], bits BIT)
"""
FRESH_TABLE = """
CREATE OR REPLACE TEMP TABLE fresh (
    tbl VARCHAR, week DATE, k1 VARCHAR, k2 VARCHAR, s1 BIGINT, s2 BIGINT, s3 BIGINT,
    s4 BIGINT, weight BIGINT, ids INTEGER[])
"""
#: Staged partial rows become a part: big profile sets as bitmaps, small ones as lists.
FRESH_TO_PART = """
INSERT INTO parts
SELECT tbl, $grp, week, todo.part, k1, k2, s1, s2, s3, s4, weight, len(ids),
    CASE WHEN len(ids) < $k THEN ids END, bits
FROM fresh JOIN todo USING (week) LEFT JOIN (
    SELECT tbl, week, k1, k2, bitstring_agg(id, 0, $top_id) AS bits
    FROM (SELECT tbl, week, k1, k2, unnest(ids) AS id FROM fresh WHERE len(ids) >= $k)
    GROUP BY tbl, week, k1, k2) USING (tbl, week, k1, k2)
"""
WEEKLY_TABLE = """
CREATE TABLE part_weekly (
    grp VARCHAR, week DATE, part INTEGER, searches BIGINT, zero_results BIGINT,
    clicks BIGINT, views BIGINT, useful BIGINT, not_useful BIGINT, feeds BIGINT, bits BIT)
"""
DROP_WEEK = ("DELETE FROM parts WHERE week = $week", "DELETE FROM part_weekly WHERE week = $week")
DROP_GROUP_WEEK = (
    "DELETE FROM parts WHERE week = $week AND grp = $grp",
    "DELETE FROM part_weekly WHERE week = $week AND grp = $grp",
)
DROP_ALL = ("DELETE FROM parts", "DELETE FROM part_weekly")


@dataclass(frozen=True)
class Aggregate:
    """How one report table is computed per (group, week) and combined across weeks.

    ``partial`` aggregates the weeks to do of one group (view ``wk``) into ``fresh``,
    one part per week. Sums add up across weeks; distinct profiles do not, so a
    row passes the k-threshold when one part alone has ≥ k profiles, or else when
    the union of its parts' lists (each < k, so small) does — exact, and cheap
    because most rows are decided by the first test. Displayed profile counts stay
    exact: the union (bitmaps OR-ed, small lists added) of the displayed rows.
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
            INSERT INTO fresh SELECT 'audiences', week, audience, '',
                count(*) FILTER (kind = 'search'), count(*) FILTER (kind = 'search' AND zero),
                0, 0, count(*) FILTER (kind = 'search'), list(DISTINCT id)
            FROM (SELECT unnest(CASE WHEN len(audiences) = 0 THEN ['unspecified']
                                ELSE audiences END) AS audience, week, kind, zero, id
                  FROM wk)
            GROUP BY week, audience
        """,
    ),
    "regions": Aggregate(
        keys=("region",),
        sums=("searches", "zero_results"),
        partial="""
            INSERT INTO fresh SELECT 'regions', week,
                CASE WHEN region = '' THEN '未填写' ELSE region END, '',
                count(*) FILTER (kind = 'search'), count(*) FILTER (kind = 'search' AND zero),
                0, 0, count(*) FILTER (kind = 'search'), list(DISTINCT id)
            FROM wk GROUP BY week, 3
        """,
    ),
    "top_queries": Aggregate(
        keys=("query",),
        sums=("searches", "zero_results"),
        partial="""
            INSERT INTO fresh SELECT 'top_queries', week, query, '',
                count(*), count(*) FILTER (zero), 0, 0, count(*), list(DISTINCT id)
            FROM wk WHERE kind = 'search' AND query <> '' GROUP BY week, query
        """,
        limit=True,
    ),
    "zero_result_queries": Aggregate(
        keys=("query",),
        sums=("zero_results",),
        partial="""
            INSERT INTO fresh SELECT 'zero_result_queries', week, query, '',
                count(*), 0, 0, 0, count(*), list(DISTINCT id)
            FROM wk WHERE kind = 'search' AND zero AND query <> ''
            GROUP BY week, query
        """,
        limit=True,
    ),
    "top_topics": Aggregate(
        keys=("topic",),
        sums=("searches", "clicks", "views"),
        partial="""
            INSERT INTO fresh SELECT 'top_topics', week, topic, '',
                count(*) FILTER (kind = 'search'), count(*) FILTER (kind = 'click'),
                count(*) FILTER (kind = 'view'), 0, count(*), list(DISTINCT id)
            FROM (SELECT unnest(topics) AS topic, week, kind, id FROM wk
                  WHERE kind IN ('search', 'click', 'view'))
            GROUP BY week, topic
        """,
        limit=True,
    ),
    "ctr_by_type": Aggregate(
        keys=("doc_type",),
        sums=("impressions", "clicks"),
        partial="""
            INSERT INTO fresh SELECT 'ctr_by_type', week, doc_type, '',
                count(*) FILTER (impression), count(*) FILTER (NOT impression), 0, 0,
                count(*) FILTER (impression), NULL
            FROM (SELECT unnest(shown) AS doc_type, week, true AS impression FROM wk
                  WHERE kind = 'search'
                  UNION ALL
                  SELECT doc_type, week, false FROM wk WHERE kind = 'click' AND doc_type <> '')
            GROUP BY week, doc_type
        """,
        anonymised=False,
        profiles=False,
        derive=lambda r: {"ctr": round(r["clicks"] / max(r["impressions"], 1), 4)},
    ),
    "feedback": Aggregate(
        keys=("topic",),
        sums=("useful", "not_useful"),
        partial="""
            INSERT INTO fresh SELECT 'feedback', week, topic, '',
                count(*) FILTER (kind = 'useful'), count(*) FILTER (kind = 'not_useful'),
                0, 0, count(*) FILTER (kind = 'not_useful'), list(DISTINCT id)
            FROM (SELECT unnest(CASE WHEN len(topics) = 0 THEN ['(无主题)'] ELSE topics END)
                    AS topic, week, kind, id FROM wk WHERE kind IN ('useful', 'not_useful'))
            GROUP BY week, topic
        """,
        profiles=False,
        derive=lambda r: {"useful_ratio": round(r["useful"] / (r["useful"] + r["not_useful"]), 4)},
    ),
    # demand per audience × topic; supply is joined in Python (it comes from the catalog)
    "gaps": Aggregate(
        keys=("audience", "topic"),
        sums=("searches", "zero_results", "useful", "not_useful"),
        partial="""
            INSERT INTO fresh SELECT 'gaps', week, audience, topic,
                count(*) FILTER (kind = 'search'), count(*) FILTER (kind = 'search' AND zero),
                count(*) FILTER (kind = 'useful'), count(*) FILTER (kind = 'not_useful'),
                0, list(DISTINCT id)
            FROM (SELECT unnest(audiences) AS audience, week, topics, kind, zero, id FROM wk
                  WHERE kind IN ('search', 'useful', 'not_useful') AND len(topics) > 0)
            CROSS JOIN unnest(topics) AS t(topic)
            GROUP BY week, audience, topic
        """,
    ),
}
#: The weekly series: sums per week, profiles as the union of the week's parts' bitmaps.
WEEKLY_PARTIAL = """
    INSERT INTO part_weekly SELECT $grp, week, any_value(todo.part),
        count(*) FILTER (kind = 'search'),
        count(*) FILTER (kind = 'search' AND zero),
        count(*) FILTER (kind = 'click'),
        count(*) FILTER (kind = 'view'),
        count(*) FILTER (kind = 'useful'),
        count(*) FILTER (kind = 'not_useful'),
        count(*) FILTER (kind = 'feed'),
        bitstring_agg(id, 0, $top_id)
    FROM wk JOIN todo USING (week) GROUP BY week
"""
WEEKLY_COMBINE = """
    SELECT strftime(week, '%Y-%m-%d') AS week,
        CAST(sum(searches) AS BIGINT) AS searches,
        CAST(sum(zero_results) AS BIGINT) AS zero_results,
        CAST(sum(clicks) AS BIGINT) AS clicks,
        CAST(sum(views) AS BIGINT) AS views,
        CAST(sum(useful) AS BIGINT) AS useful,
        CAST(sum(not_useful) AS BIGINT) AS not_useful,
        CAST(sum(feeds) AS BIGINT) AS feeds,
        bit_count(bit_or(bits)) AS profiles
    FROM part_weekly WHERE grp = $grp AND week BETWEEN $first AND $last
    GROUP BY week ORDER BY week
"""
#: A table's rows over the selected weeks: sums added up, the k-threshold decided exactly
#: from the parts' profile sets — a row is in when one part alone has ≥ k profiles, or
#: else (all its sets are small lists) when their union has — heaviest first. Unions are
#: only taken for rows that could still make the top ``$top`` (``cut``). ``$k`` is 0 for
#: a table that is not anonymised.
COMBINE = """
WITH p AS NOT MATERIALIZED (
    SELECT k1, k2, s1, s2, s3, s4, weight, n, ids FROM parts
    WHERE tbl = $tbl AND grp = $grp AND week BETWEEN $first AND $last),
s AS (
    SELECT k1, k2, sum(s1) AS s1, sum(s2) AS s2, sum(s3) AS s3, sum(s4) AS s4,
        sum(weight) AS weight, coalesce(max(n), 0) AS max_n, coalesce(sum(n), 0) AS sum_n
    FROM p GROUP BY k1, k2),
cut AS (
    SELECT CASE WHEN count(*) < $top THEN 0 ELSE min(weight) END AS weight
    FROM (SELECT weight FROM s WHERE max_n >= $k ORDER BY weight DESC LIMIT $top)),
unsure AS (
    SELECT k1, k2 FROM s, cut
    WHERE max_n < $k AND sum_n >= $k AND s.weight >= cut.weight),
counted AS (
    SELECT k1, k2, count(DISTINCT id) AS distinct_n
    FROM (SELECT k1, k2, unnest(ids) AS id FROM p SEMI JOIN unsure USING (k1, k2))
    GROUP BY k1, k2)
SELECT k1, k2, CAST(s1 AS BIGINT), CAST(s2 AS BIGINT), CAST(s3 AS BIGINT), CAST(s4 AS BIGINT)
FROM s LEFT JOIN counted USING (k1, k2)
WHERE max_n >= $k OR coalesce(distinct_n, 0) >= $k
ORDER BY weight DESC, k1, k2
LIMIT $top
"""
#: Exact distinct profiles of the rows shown (``$shown``: their keys as [k1, k2] lists):
#: the union of the parts' bitmaps, plus the listed ids that union does not hold.
PROFILES = """
WITH p AS (
    SELECT k1, k2, ids, bits FROM parts
    WHERE tbl = $tbl AND grp = $grp AND week BETWEEN $first AND $last
        AND [k1, k2] IN (SELECT unnest($shown))),
big AS (SELECT k1, k2, bit_or(bits) AS b FROM p WHERE bits IS NOT NULL GROUP BY k1, k2),
small AS (
    SELECT DISTINCT k1, k2, id
    FROM (SELECT k1, k2, unnest(ids) AS id FROM p WHERE ids IS NOT NULL))
SELECT k1, k2, coalesce(any_value(bit_count(b)), 0)
    + count(id) FILTER (WHERE b IS NULL OR get_bit(b, id) = 0)
FROM (SELECT DISTINCT k1, k2 FROM p) LEFT JOIN big USING (k1, k2) LEFT JOIN small USING (k1, k2)
GROUP BY k1, k2
"""
#: ``LIMIT`` of the tables that show every row that passes.
ALL_ROWS = 1 << 31
#: Bitmaps cover this many ids at least (the capacity doubles, recomputing the partials,
#: when the profiles outgrow it).
MIN_CAPACITY = 1 << 15
#: A week whose partials have more parts than this (many small batches) is recomputed
#: from its events as one part.
MAX_PARTS = 16


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
    * ``parts``: partial aggregates per (group, week) — past weeks are immutable
      except for rewrites, so after a new batch only the rows it added are
      aggregated, as one more part of their week; a rewrite recomputes its week;
    * whole reports per (selection, segment states, catalog rev).

    A report only ever combines parts (small) after aggregating what changed, and
    every figure reflects the store as it is at ``build`` time.
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
        for statement in (CACHE_TABLE, IDS_TABLE, PARTS_TABLE, WEEKLY_TABLE):
            self._con.execute(statement)
        self._con.execute(TODO_TABLE)
        self._con.execute(SOURCE_ALL)
        self._source_copied = False
        self._con.execute(WEEK_VIEW)
        #: week → {segment name: file state} as loaded into ``cache``
        self._loaded: dict[date, dict[str, str]] = {}
        #: loads so far, and the last one that added to each week
        self._loads = 0
        self._week_load: dict[date, int] = {}
        self._capacity = MIN_CAPACITY
        #: (group, week) → (last load its parts cover, number of parts)
        self._covered: dict[tuple[str, date], tuple[int, int]] = {}
        self._parts = 0
        #: how many parts were computed, and from how many events (tests, benches)
        self.stats = {"parts": 0, "events_aggregated": 0}
        self._reports: dict[tuple[Any, ...], Report] = {}
        self._warmer: _Warmer | None = None

    def close(self) -> None:
        if self._warmer:
            self._warmer.stop()
            self._warmer.join(timeout=30)
        with self._lock:
            self._con.close()

    def start_warming(self, interval: float = 60.0, min_gap: float = WARM_MIN_GAP) -> None:
        """Keep the default selection's parts current in the background, so the console
        does not wait for new batches (or a compacted week) to be aggregated: ``poke``
        after writing events, and every ``interval`` seconds anyway. Rounds are at least
        ``min_gap`` seconds apart (pokes in between coalesce): a round costs CPU that the
        searches recording the events need more."""
        self._warmer = _Warmer(self, interval, min_gap)
        self._warmer.start()

    @property
    def warming(self) -> bool:
        return self._warmer is not None

    def poke(self) -> None:
        if self._warmer:
            self._warmer.poke()

    def warm(self) -> None:
        """Load new events and aggregate them into the default selection's parts (no
        report is built: combining is cheap and happens when one is asked for)."""
        with self._lock:
            self._refresh()
            self._ensure_parts(self.default_filter())

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
        """Bring the cache up to date: load new segments; reload (and re-aggregate) a week
        whose existing segments changed or went — a rewrite."""
        rewritten = False
        with self.store.reading():
            current = {w: self.store.segment_states(w) for w in self.store.weeks()}
            for week in set(self._loaded) - set(current):
                self._forget_week(week)
                rewritten = True
            for week, states in sorted(current.items()):
                loaded = self._loaded.get(week)
                if loaded == states:
                    continue
                if loaded is not None and all(states.get(n) == s for n, s in loaded.items()):
                    fresh = [n for n in states if n not in loaded]  # appended segments only
                else:
                    rewritten = rewritten or loaded is not None
                    self._forget_week(week)
                    fresh = list(states)
                self._load(week, [self.store.week_dir(week) / name for name in fresh])
                self._loaded[week] = states
        if rewritten:
            self._con.execute(IDS_PRUNE)

    def _load(self, week: date, files: list[Any]) -> None:
        events_view(self._con, files)
        self._con.execute(CACHE_STAGE)
        self._con.execute(IDS_ASSIGN, {"next": self._con.execute(IDS_NEXT).fetchall()[0][0]})
        self._loads += 1
        self._con.execute(CACHE_LOAD, {"load": self._loads})
        self._week_load[week] = self._loads
        self._con.execute("DROP TABLE incoming")
        needed = self._con.execute(IDS_NEXT).fetchall()[0][0]
        if needed > self._capacity:  # bitmaps must all have one length: start again
            while self._capacity < needed:
                self._capacity *= 2
            for statement in DROP_ALL:
                self._con.execute(statement)
            self._covered.clear()

    def _forget_week(self, week: date) -> None:
        self._con.execute(CACHE_DROP_WEEK, {"week": week})
        for statement in DROP_WEEK:
            self._con.execute(statement, {"week": week})
        self._loaded.pop(week, None)
        self._week_load.pop(week, None)
        self._covered = {key: v for key, v in self._covered.items() if key[1] != week}

    # -- layer 2: partial aggregates per (group, week), in parts -------------------------

    def _ensure_parts(self, selection: ReportFilter) -> str:
        """Aggregate what the selected weeks' parts do not cover yet: a week never seen
        whole, else only the rows loaded since (a new batch) as one more part."""
        group = group_of(selection)
        todo = {}
        for week in self._loaded:
            if not selection.first_week <= week <= selection.last_week:
                continue
            covered, parts = self._covered.get((group, week), (0, 0))
            if covered >= self._week_load[week]:
                continue
            if parts >= MAX_PARTS:  # many small batches: one part again
                for statement in DROP_GROUP_WEEK:
                    self._con.execute(statement, {"week": week, "grp": group})
                covered, parts = 0, 0
            todo[week] = (covered, parts)
        if not todo:
            return group
        self._con.execute(SOURCE_DROP[self._source_copied])
        since = min(covered for covered, _ in todo.values())
        self._source_copied = since > 0 or bool(selection.audience or selection.region)
        if not self._source_copied:
            self._con.execute(SOURCE_ALL)
        else:
            self._con.execute(
                SOURCE_SOME,
                {
                    "first": min(todo),
                    "last": max(todo),
                    "covered": since,
                    "audience": selection.audience,
                    "region": selection.region,
                },
            )
        self._con.execute(TODO_TABLE)
        for week, (covered, parts) in sorted(todo.items()):
            self._parts += 1
            self._con.execute(TODO_ADD, {"week": week, "covered": covered, "part": self._parts})
            self._covered[(group, week)] = (self._week_load[week], parts + 1)
        self._con.execute(FRESH_TABLE)
        for spec in AGGREGATES.values():
            self._con.execute(spec.partial)
        bounds = {"grp": group, "top_id": self._capacity - 1}
        self._con.execute(FRESH_TO_PART, bounds | {"k": self.k})
        self._con.execute(WEEKLY_PARTIAL, bounds)
        self.stats["parts"] += len(todo)
        self.stats["events_aggregated"] += self._con.execute("SELECT count(*) FROM wk").fetchall()[
            0
        ][0]
        return group

    # -- layer 3: reports -----------------------------------------------------------------

    def build(self, selection: ReportFilter, *, cached: bool = True) -> Report:
        """The report for ``selection``, always of the store as it is now: reused while no
        segment changed (and the catalog's supply did not); otherwise combined from the
        weeks' parts after aggregating only what changed. ``cached=False`` skips the
        whole-report cache (the parts are still reused)."""
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
        group = self._ensure_parts(selection)
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


class _Warmer(WakeableThread):
    def __init__(self, reports: Reports, interval: float, min_gap: float) -> None:
        super().__init__(name="fasou-reports-warmer")
        self.reports = reports
        self.interval = interval
        self.min_gap = min(min_gap, interval)

    def run(self) -> None:
        while not self.stopping:
            try:
                self.reports.warm()
            except Exception as exc:  # a broken store must not kill the thread; shown in stats
                self.last_error = repr(exc)
            self._stopping.wait(self.min_gap)  # pokes meanwhile stay set: one round for all
            self.sleep(self.interval - self.min_gap)
