"""The personalisation stage: rescore the backend's top hits for one resident.

Runs in the backend-neutral service layer after the backend ranked by
relevance, so the embedded engine and Elasticsearch order personalised results
identically (the same code, the same constants from ``indexer.ranking``):

    final = relevance × (1 + min(PERSONAL_BOOST_CAP, audience + topic + region + freshness))

Only the top ``RESCORE_WINDOW`` hits are rescored, joined by the top
``AUDIENCE_CANDIDATES`` of the same query restricted to the profile's audiences
(same scoring, so the cap still bounds them); because boosts only raise
scores, everything after the window still ranks below it. Without a profile
this stage is not entered at all (anonymous search is unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from indexer import ranking
from indexer.search.types import BackendHit


@dataclass(frozen=True)
class Personalization:
    """What ranking needs to know about a resident (built by ``fasou.profiles``)."""

    #: audience id → weight in (0, 1]: 1 for declared, less for inferred from behaviour.
    audiences: Mapping[str, float] = field(default_factory=dict)
    #: topic id → affinity in (0, 1], learned from events with time decay.
    topics: Mapping[str, float] = field(default_factory=dict)
    #: home region path, e.g. 浙江省/金华市/东阳市.
    region: str | None = None
    today: date = field(default_factory=date.today)


def locality(doc_region: str | None, home: str | None) -> float:
    """1 for material of the resident's own area (or below it), a share for the areas
    around it (浙江省 for a 东阳 resident: 1/3), 0 for national or elsewhere."""
    if not doc_region or not home:
        return 0.0
    if doc_region == home or doc_region.startswith(home + "/"):
        return 1.0
    if home.startswith(doc_region + "/"):
        return (doc_region.count("/") + 1) / (home.count("/") + 1)
    return 0.0


def freshness(record: dict[str, Any], today: date) -> float:
    if record.get("type") not in ranking.FRESH_TYPES or not record.get("published_at"):
        return 0.0
    age = max(0, (today - date.fromisoformat(record["published_at"][:10])).days)
    return 0.5 ** (age / ranking.FRESHNESS_HALF_LIFE_DAYS)


def _best_match(record: dict[str, Any], key: str, wanted: Mapping[str, float]) -> float:
    """Max over wanted values of weight × tag strength (1 editorial, confidence if suggested)."""
    if not wanted:
        return 0.0
    tagged = record.get(key) or ()
    suggested = record.get(f"suggested_{key}") or {}
    return max(
        weight * (1.0 if value in tagged else suggested.get(value, 0.0))
        for value, weight in wanted.items()
    )


def boosts(record: dict[str, Any], who: Personalization) -> dict[str, float]:
    """Each named boost for one document, before the cap."""
    audience = _best_match(record, "audiences", who.audiences)
    topic = _best_match(record, "topics", who.topics)
    return {
        "audience": ranking.AUDIENCE_BOOST * audience,
        "topic": ranking.TOPIC_BOOST * topic,
        "region": ranking.REGION_BOOST * locality(record.get("region"), who.region),
        "freshness": ranking.FRESHNESS_BOOST * freshness(record, who.today),
    }


def personal_factor(record: dict[str, Any], who: Personalization) -> tuple[float, dict[str, float]]:
    """The multiplier ``1 + capped boosts`` and the boosts it came from."""
    parts = boosts(record, who)
    return 1.0 + min(ranking.PERSONAL_BOOST_CAP, sum(parts.values())), parts


@dataclass
class Rescored:
    hit: BackendHit
    score: float
    explanation: dict[str, Any] | None = None


def rescore(
    hits: list[BackendHit],
    who: Personalization,
    explain: bool = False,
    extra: list[BackendHit] = (),  # type: ignore[assignment]
) -> list[Rescored]:
    """Rescore the window of top hits (plus ``extra`` candidates for the profile's
    audiences, scored by the same query); ties keep relevance order, then id."""
    window, rest = hits[: ranking.RESCORE_WINDOW], hits[ranking.RESCORE_WINDOW :]
    if extra:
        # A candidate may also be among the backend hits beyond the window: it moves
        # into the window (once), it is not left behind in ``rest`` nor dropped.
        in_window = {h.id for h in window}
        joining = {h.id: h for h in extra if h.id not in in_window}
        window = window + list(joining.values())
        rest = [h for h in rest if h.id not in joining]
        window.sort(key=lambda h: (-h.score, h.id))
    rescored = []
    for hit in window:
        factor, parts = personal_factor(hit.record, who)
        final = round(hit.score * factor, ranking.SCORE_DECIMALS)
        explanation = None
        if explain:
            explanation = {
                "relevance": hit.score,
                "boosts": {k: round(v, 4) for k, v in parts.items()},
                "total_boost": round(factor - 1, 4),
                "cap": ranking.PERSONAL_BOOST_CAP,
                "final": final,
            }
        rescored.append(Rescored(hit, final, explanation))
    rescored.sort(key=lambda r: -r.score)  # stable: equal scores keep backend order
    return rescored + [Rescored(h, h.score) for h in rest]
