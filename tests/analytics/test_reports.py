"""Reports over a real analytics store (Parquet + DuckDB): planted gaps, k-anonymity,
erasure, retention, CSV == JSON."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from fasou.analytics.events import Kind, Row, week_of
from fasou.analytics.generate import PLANTED_GAPS, PLANTED_NEEDS, GeneratorConfig, generate
from fasou.analytics.reports import MAX_PARTS, TABLES, Reports, parse_csv
from fasou.analytics.store import AnalyticsStore

LAST_WEEK = date(2025, 3, 3)


def reports_for(store: AnalyticsStore, supply: dict | None = None, k: int = 5) -> Reports:
    return Reports(store, lambda: supply or {}, lambda: 1, k=k)


def search(store: AnalyticsStore, client: str, query: str, at: datetime, **kw: object) -> Row:
    return Row(
        at=at,
        kind="search",
        subject=store.subject(client),
        audiences=kw.get("audiences", ("elderly",)),  # type: ignore[arg-type]
        region="浙江省/金华市/东阳市",
        query=query,
        topics=kw.get("topics", ("anti_fraud",)),  # type: ignore[arg-type]
        doc_id="",
        doc_type="",
        results=0 if kw.get("zero") else 3,
        zero=bool(kw.get("zero")),
        shown=() if kw.get("zero") else ("case", "video"),
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> AnalyticsStore:
    store = AnalyticsStore(tmp_path_factory.mktemp("generated") / "analytics")
    generate(store, GeneratorConfig(events=40_000, profiles=1_500, last_week=LAST_WEEK))
    return store


def test_planted_gaps_come_top_and_needs_do_not(generated: AnalyticsStore) -> None:
    # the planted needs have content (supply); so do a few ordinary pairs
    supply = {(p.audience, p.topic): 40 for p in PLANTED_NEEDS} | {("elderly", "labor"): 3}
    report = reports_for(generated, supply).build(ReportsFilter(generated))
    gaps = report.tables["gaps"]
    top = {(row["audience"], row["topic"]) for row in gaps[: len(PLANTED_GAPS)]}
    assert top == {(p.audience, p.topic) for p in PLANTED_GAPS}, gaps[:5]
    needs = {(p.audience, p.topic) for p in PLANTED_NEEDS}
    assert not needs & {(row["audience"], row["topic"]) for row in gaps[:10]}
    # the planted needs' queries are top queries and rise; the gaps' lead zero-result queries
    reports = reports_for(generated, supply)
    for need in PLANTED_NEEDS:
        own = reports.build(ReportsFilter(generated, audience=need.audience))
        assert own.tables["top_queries"][0]["query"] == need.query
        count = {}
        for name, last in (("early", LAST_WEEK - timedelta(weeks=6)), ("late", LAST_WEEK)):
            part = reports.build(
                ReportsFilter(generated, audience=need.audience, weeks=2, last_week=last)
            )
            rows = part.tables["top_queries"]
            count[name] = next(r["searches"] for r in rows if r["query"] == need.query)
        assert count["late"] > 1.5 * count["early"], (need.query, count)
    zero = [row["query"] for row in report.tables["zero_result_queries"][:3]]
    assert set(zero) == {p.query for p in PLANTED_GAPS}
    assert len(report.tables["weekly"]) == 8


def ReportsFilter(store: AnalyticsStore, **kw: object):  # type: ignore[no-untyped-def]
    return reports_for(store).default_filter(**kw)


def test_one_off_queries_never_reach_a_report(generated: AnalyticsStore) -> None:
    report = reports_for(generated).build(ReportsFilter(generated))
    for table in ("top_queries", "zero_result_queries"):
        assert report.tables[table]
        assert all("家的事" not in row["query"] for row in report.tables[table])
        assert all(row["profiles"] >= 5 for row in report.tables[table])


def test_k_anonymity_threshold(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "analytics")
    at = datetime(2025, 3, 4, 10)
    rows = [search(store, f"client-{i}", "养老骗局", at) for i in range(4)]
    # one resident searching many times is still one profile
    rows += [search(store, "client-0", "邻居的名字 王某", at) for _ in range(30)]
    store.append(rows)
    for k, shown in ((5, False), (4, True)):
        report = reports_for(store, k=k).build(ReportsFilter(store))
        queries = {row["query"] for row in report.tables["top_queries"]}
        assert ("养老骗局" in queries) is shown
        assert "邻居的名字 王某" not in queries
    store.append([search(store, "client-4", "养老骗局", at)])
    report = reports_for(store).build(ReportsFilter(store))
    assert [r["query"] for r in report.tables["top_queries"]] == ["养老骗局"]
    # no report row carries a subject or client id
    text = repr(report.as_dict())
    assert "client-" not in text and str(store.subject("client-0")) not in text


def test_erasure_and_retention_change_future_aggregates(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "analytics")
    reports = reports_for(store)
    at = datetime(2025, 3, 4, 10)
    old = at - timedelta(weeks=3)
    store.append([search(store, f"c-{i}", "遗嘱怎么写", at, zero=True) for i in range(6)])
    store.append([search(store, f"c-{i}", "遗嘱怎么写", old) for i in range(6)])
    before = reports.build(ReportsFilter(store))
    assert before.tables["zero_result_queries"][0]["profiles"] == 6
    assert store.erase("c-0") == 2 and store.count("c-0") == 0
    after = reports.build(ReportsFilter(store))
    assert after.tables["zero_result_queries"][0]["profiles"] == 5
    assert sum(r["searches"] for r in after.tables["weekly"]) == 10
    assert store.erase("c-1") == 2
    gone = reports.build(ReportsFilter(store))
    assert gone.tables["zero_result_queries"] == []  # 4 profiles < k
    assert store.purge(at - timedelta(days=1)) == 4
    assert [r["week"] for r in reports.build(ReportsFilter(store)).tables["weekly"]] == [
        week_of(at).isoformat()
    ]


def test_csv_matches_json(generated: AnalyticsStore) -> None:
    report = reports_for(generated).build(ReportsFilter(generated, audience="elderly"))
    for table in TABLES:
        rows = parse_csv(report.csv(table))
        assert rows == [{k: str(v) for k, v in row.items()} for row in report.tables[table]]
    assert report.tables["gaps"][0]["audience"] == "elderly"


def test_filters_by_audience_region_and_weeks(generated: AnalyticsStore) -> None:
    reports = reports_for(generated)
    everyone = reports.build(ReportsFilter(generated))
    region = reports.build(ReportsFilter(generated, region="浙江省/金华市/义乌市"))
    two_weeks = reports.build(ReportsFilter(generated, weeks=2))
    total = sum(r["searches"] for r in everyone.tables["weekly"])
    assert 0 < sum(r["searches"] for r in region.tables["weekly"]) < total / 3
    assert [r["region"] for r in region.tables["regions"]] == ["浙江省/金华市/义乌市"]
    assert len(two_weeks.tables["weekly"]) == 2
    assert two_weeks.tables["weekly"][-1]["week"] == LAST_WEEK.isoformat()


def test_click_through_by_content_type(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "analytics")
    at = datetime(2025, 3, 4, 10)
    rows = [search(store, f"c-{i}", "车祸赔偿", at) for i in range(10)]  # 10 case + 10 video shown
    click = Row(
        at, str(Kind.click), store.subject("c-1"), (), "", "", (), "d1", "video", -1, False, ()
    )
    store.append([*rows, click, click])
    ctr = {
        r["doc_type"]: r
        for r in reports_for(store).build(ReportsFilter(store)).tables["ctr_by_type"]
    }
    assert ctr["video"]["impressions"] == 10 and ctr["video"]["clicks"] == 2
    assert ctr["video"]["ctr"] == 0.2 and ctr["case"]["ctr"] == 0


def fresh_report(store: AnalyticsStore, **kw: object) -> dict:
    """The same selection computed from scratch by a new ``Reports`` (no parts reused)."""
    reports = reports_for(store)
    try:
        return reports.build(ReportsFilter(store, **kw)).as_dict()
    finally:
        reports.close()


def test_new_batches_aggregate_only_their_events_and_match_a_recount(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "analytics")
    reports = reports_for(store)
    at = datetime(2025, 3, 4, 10)
    early = at - timedelta(weeks=2)
    # 3 profiles in an early week, 2 others now: only the union across weeks reaches k = 5
    store.append([search(store, f"a-{i}", "租房押金不退", early) for i in range(3)])
    store.append([search(store, f"b-{i}", "工伤认定", at) for i in range(4)])
    first = reports.build(ReportsFilter(store))
    assert "租房押金不退" not in {r["query"] for r in first.tables["top_queries"]}
    aggregated = reports.stats["events_aggregated"]
    batch = [search(store, f"c-{i}", "租房押金不退", at) for i in range(2)]
    store.append(batch)
    after = reports.build(ReportsFilter(store))
    assert reports.stats["events_aggregated"] == aggregated + len(batch)  # not the old weeks
    row = next(r for r in after.tables["top_queries"] if r["query"] == "租房押金不退")
    assert row["profiles"] == 5 and row["searches"] == 5
    assert after.as_dict() == fresh_report(store)
    # the same profiles again add searches, not profiles (sets, not counts, are combined)
    store.append([search(store, f"a-{i}", "租房押金不退", at) for i in range(3)])
    again = reports.build(ReportsFilter(store))
    row = next(r for r in again.tables["top_queries"] if r["query"] == "租房押金不退")
    assert row["profiles"] == 5 and row["searches"] == 8
    assert again.tables["weekly"][-1]["profiles"] == 9  # b-0..3, c-0..1, a-0..2
    assert again.as_dict() == fresh_report(store)
    elderly = reports.build(ReportsFilter(store, audience="elderly"))
    assert elderly.as_dict() == fresh_report(store, audience="elderly")
    # many small batches: past MAX_PARTS the week is aggregated as one part again
    for i in range(MAX_PARTS + 2):
        store.append([search(store, f"d-{i}", "工伤认定", at)])
        reports.build(ReportsFilter(store))
    assert reports.build(ReportsFilter(store)).as_dict() == fresh_report(store)


def test_erasure_after_parts_were_cached_recomputes_the_weeks_it_touched(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "analytics")
    reports = reports_for(store)
    at = datetime(2025, 3, 4, 10)
    old = at - timedelta(weeks=3)
    store.append([search(store, f"c-{i}", "遗嘱怎么写", old) for i in range(5)])
    store.append([search(store, f"c-{i}", "遗嘱怎么写", at, zero=True) for i in range(5)])
    store.append([search(store, f"x-{i}", "离婚财产", at - timedelta(weeks=1)) for i in range(5)])
    before = reports.build(ReportsFilter(store))
    assert before.tables["zero_result_queries"][0]["profiles"] == 5
    # a new batch becomes one more part of this week; then c-0 is erased from two weeks
    store.append([search(store, "c-0", "遗嘱怎么写", at)])
    reports.build(ReportsFilter(store))
    aggregated = reports.stats["events_aggregated"]
    assert store.erase("c-0") == 3
    after = reports.build(ReportsFilter(store))
    # the two weeks it touched were aggregated again from their events; the other was not
    assert reports.stats["events_aggregated"] == aggregated + 4 + 4
    # 遗嘱怎么写 is down to 4 profiles < k in every week; the untouched week's query stays
    assert [r["query"] for r in after.tables["top_queries"]] == ["离婚财产"]
    assert after.tables["zero_result_queries"] == []
    assert [r["searches"] for r in after.tables["weekly"]] == [4, 5, 4]
    assert [r["profiles"] for r in after.tables["weekly"]] == [4, 5, 4]
    assert after.as_dict() == fresh_report(store)
    assert str(store.subject("c-0")) not in repr(reports._con.execute("FROM ids").fetchall())


def test_warming_aggregates_new_batches_before_anyone_asks(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "analytics")
    at = datetime(2025, 3, 4, 10)
    store.append([search(store, f"w-{i}", "欠薪", at) for i in range(5)])
    reports = reports_for(store)
    reports.start_warming(interval=3600, min_gap=0)
    try:
        deadline = time.monotonic() + 20
        while reports.stats["events_aggregated"] < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        store.append([search(store, f"v-{i}", "欠薪", at) for i in range(3)])
        reports.poke()
        while reports.stats["events_aggregated"] < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert reports.stats["events_aggregated"] == 8
        report = reports.build(ReportsFilter(store))  # only combines: nothing left to aggregate
        assert reports.stats["events_aggregated"] == 8
        assert report.tables["top_queries"][0]["profiles"] == 8
    finally:
        reports.close()
