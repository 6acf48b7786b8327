"""Implicit interests: event signals summed with exponential time decay.

score(value) = Σ weight(kind) × 0.5 ** (age / half-life) over the events that
signal the value; a value's affinity is score / (score + INTEREST_SATURATION),
so one click is a hint and a habit approaches 1. Negative feedback (没用)
subtracts; scores never go below zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fasou.profiles.events import EVENT_WEIGHTS, Event

#: Score at which an affinity reaches 0.5 (≈ two clicks today, or one 有用).
INTEREST_SATURATION = 2.0
#: Affinities below this are noise and left out.
MIN_AFFINITY = 0.05


def decay(age_days: float, half_life_days: float) -> float:
    return 0.5 ** (max(0.0, age_days) / half_life_days)


def interest_scores(
    events: Iterable[Event], now: datetime, half_life_days: float
) -> dict[str, float]:
    """ "facet:value" → decayed score (only positive scores)."""
    scores: dict[str, float] = {}
    for event in events:
        age_days = (now - event.at).total_seconds() / 86400
        weight = EVENT_WEIGHTS[event.kind] * decay(age_days, half_life_days)
        for signal in event.signals:
            scores[signal] = scores.get(signal, 0.0) + weight
    return {k: v for k, v in scores.items() if v > 0}


def affinities(scores: dict[str, float], facet: str) -> dict[str, float]:
    """value → affinity in (0, 1) for one facet."""
    prefix = f"{facet}:"
    out = {}
    for key, score in sorted(scores.items()):
        if key.startswith(prefix):
            affinity = score / (score + INTEREST_SATURATION)
            if affinity >= MIN_AFFINITY:
                out[key[len(prefix) :]] = round(affinity, 4)
    return out
