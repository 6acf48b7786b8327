"""Profiles: declared attributes, events, decay, erasure and retention on a real catalog."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from fasou.config import Settings
from fasou.profiles import Declared, EventKind, ProfileService, valid_client_id
from fasou.profiles.events import Event, SqlEventStore, utcnow
from fasou.profiles.interests import INTEREST_SATURATION, affinities, decay, interest_scores
from indexer.catalog import Catalog
from indexer.catalog.tables import profile_events
from tests.catalog_db import catalog_url, data_dir_env, database_url_setting

NOW = datetime(2026, 6, 1, 12, 0)


def event(kind: EventKind, days_ago: float, *signals: str) -> Event:
    return Event("client-0001", kind, None, signals, NOW - timedelta(days=days_ago))


def test_decay_halves_every_half_life() -> None:
    assert decay(0, 30) == 1.0
    assert decay(30, 30) == pytest.approx(0.5)
    assert decay(90, 30) == pytest.approx(0.125)
    scores = interest_scores(
        [event(EventKind.click, 0, "topic:labor"), event(EventKind.click, 30, "topic:labor")],
        NOW,
        half_life_days=30,
    )
    assert scores["topic:labor"] == pytest.approx(1.5)


def test_recent_interest_outweighs_old_and_feedback_counts() -> None:
    events = [
        *(event(EventKind.click, 120, "topic:debt") for _ in range(4)),  # a habit, long ago
        event(EventKind.useful, 1, "topic:labor"),  # 有用 yesterday
        event(EventKind.click, 2, "topic:consumer"),
        event(EventKind.not_useful, 1, "topic:consumer"),  # 没用 cancels it
    ]
    found = affinities(interest_scores(events, NOW, 30), "topic")
    assert found["labor"] > found["debt"]
    assert "consumer" not in found
    assert found["labor"] == pytest.approx(
        (2 * decay(1, 30)) / (2 * decay(1, 30) + INTEREST_SATURATION), rel=1e-3
    )


def test_declared_attributes_validate_and_imply_audiences() -> None:
    declared = Declared(age_band="60_plus", occupation="farmer", region="浙江省／金华市／东阳市")
    assert declared.region == "浙江省/金华市/东阳市"
    assert declared.implied_audiences() == ["elderly", "farmers"]
    with pytest.raises(ValidationError, match="unknown audience"):
        Declared(audiences=["aliens"])
    with pytest.raises(ValidationError, match="region"):
        Declared(region="浙江省//东阳市")
    with pytest.raises(ValidationError):
        Declared(age_band="old")
    assert valid_client_id("oAbC-12_xyz") and not valid_client_id("short")
    assert not valid_client_id("has space in it") and not valid_client_id("x" * 65)


@pytest.fixture()
def service(tmp_path: Path) -> ProfileService:
    catalog = Catalog.open(catalog_url(tmp_path))
    settings = Settings(
        data_dir=tmp_path,
        environment="test",
        profile_cache_seconds=0,
        **database_url_setting(tmp_path),
    )
    svc = ProfileService(catalog, settings)
    svc.start()
    yield svc
    svc.stop()
    catalog.close()


RECORD = {"id": "art-1", "audiences": ["gig_workers"], "topics": ["traffic_accident"]}


def test_crud_events_and_erasure(service: ProfileService) -> None:
    client = "client-crud-01"
    assert service.get(client) is None
    view, created = service.put(client, Declared(age_band="18_34", occupation="gig_worker"))
    assert created and view["audiences"] == {"gig_workers": 1.0}
    view, created = service.put(client, Declared(region="浙江省/金华市/东阳市"))
    assert not created and view["declared"] == {"region": "浙江省/金华市/东阳市", "audiences": []}

    service.record(client, EventKind.click, RECORD | {"suggested_topics": {"labor": 0.9}})
    service.record_search(client, "骑手被车撞了怎么赔偿")
    service.writer.flush()
    view = service.get(client)
    assert view["events"] == 2
    assert {"traffic_accident", "labor"} <= set(view["interests"]["topics"])
    assert service.seen(client) == {"art-1"}
    who = service.personalization(client)
    assert who.topics["traffic_accident"] > 0 and who.region == "浙江省/金华市/东阳市"
    assert 0 < who.audiences["gig_workers"] <= 0.5  # learned, not declared

    assert service.erase(client)
    assert service.get(client) is None
    with service.catalog.engine.connect() as conn:
        left = conn.execute(
            sa.select(sa.func.count())
            .select_from(profile_events)
            .where(profile_events.c.client_id == client)
        ).scalar_one()
    assert left == 0
    assert service.personalization(client).audiences == {}
    assert not service.erase(client)  # idempotent


def test_search_events_store_no_query_text(service: ProfileService) -> None:
    service.record_search("client-private", "我叫张三住在吴宁街道，老板拖欠工资")
    service.writer.flush()
    with service.catalog.engine.connect() as conn:
        row = conn.execute(sa.select(profile_events)).one()
    stored = " ".join(str(v) for v in row)
    assert "张三" not in stored and "吴宁" not in stored
    assert "topic:labor" in row.signals and row.doc_id is None


def test_events_expire_after_the_retention_period(service: ProfileService) -> None:
    # The writer thread purges once when it starts; let that happen first, or it
    # may delete the expired event below before the explicit purge does.
    deadline = time.monotonic() + 30
    while service.writer._last_purge is None and time.monotonic() < deadline:
        time.sleep(0.01)
    store = SqlEventStore(service.catalog)
    old = utcnow() - timedelta(days=service.settings.event_retention_days + 1)
    store.append(
        [
            Event("client-old-01", EventKind.click, "art-1", ("topic:labor",), old),
            Event("client-old-01", EventKind.click, "art-2", ("topic:debt",)),
        ]
    )
    assert service.seen("client-old-01") == {"art-2"}  # expired events are ignored at once
    assert service.writer.purge_expired() == 1  # and deleted by the purge
    assert [e.doc_id for e in store.events_for("client-old-01", old)] == ["art-2"]


def test_purge_command_deletes_expired_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from fasou.cli import app
    from fasou.config import get_settings

    for key, value in data_dir_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FASOU_EVENT_RETENTION_DAYS", "10")
    get_settings.cache_clear()
    try:
        catalog = Catalog.open(get_settings().catalog_url)
        store = SqlEventStore(catalog)
        store.append(
            [
                Event("client-cli-01", EventKind.view, "a", (), utcnow() - timedelta(days=11)),
                Event("client-cli-01", EventKind.view, "b", (), utcnow() - timedelta(days=9)),
            ]
        )
        result = CliRunner().invoke(app, ["profiles", "purge"])
        assert result.exit_code == 0, result.output
        assert "purged 1 events older than 10 days" in result.output
        left = store.events_for("client-cli-01", utcnow() - timedelta(days=365))
        assert [e.doc_id for e in left] == ["b"]
        catalog.close()
    finally:
        get_settings.cache_clear()
