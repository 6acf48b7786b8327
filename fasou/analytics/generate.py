"""A realistic synthetic event stream with planted needs and planted gaps.

Why: the reports must be judged on data whose answer is known. Residents
(pseudonymous subjects) belong to audiences and counties of 金华市; each
audience has its own topic preferences; queries follow a Zipf curve over
phrasings built from the taxonomy's synonyms, plus a long tail of one-off
queries that k-anonymity must hide. Planted *needs* are topics whose demand
rises over the 8 weeks; planted *gaps* are audience × topic pairs with heavy
demand, many zero-result searches and 没用 feedback. The columns go straight
to ``AnalyticsStore.append_columns`` (vectorised: 1M events in seconds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from fasou.analytics.events import Kind, week_of
from fasou.analytics.store import AnalyticsStore
from fasou.taxonomy import taxonomy

REGIONS = (
    "浙江省/金华市/东阳市",
    "浙江省/金华市/义乌市",
    "浙江省/金华市/永康市",
    "浙江省/金华市/兰溪市",
    "浙江省/金华市/婺城区",
    "浙江省/金华市/金东区",
    "浙江省/金华市/武义县",
    "浙江省/金华市/浦江县",
    "浙江省/金华市/磐安县",
)
REGION_WEIGHTS = (0.45, 0.12, 0.08, 0.06, 0.08, 0.06, 0.05, 0.05, 0.05)
SUFFIXES = ("怎么办", "", "如何维权", "赔偿标准", "找谁", "法律规定", "要多久", "需要什么材料")
DOC_TYPES = ("statute_article", "case", "video", "service", "article")
#: share of each event kind (search carries the zero-result flag)
KIND_SHARES = {
    Kind.search: 0.52,
    Kind.click: 0.16,
    Kind.view: 0.14,
    Kind.useful: 0.04,
    Kind.not_useful: 0.02,
    Kind.feed: 0.12,
}
#: what a page of results shows (impressions for click-through by content type)
SHOWN_PATTERNS = (
    "statute_article,statute_article,case,article,video",
    "statute_article,case,case,service,article",
    "article,video,statute_article,service,case",
    "statute_article,statute_article,statute_article,case,service",
)
#: clicks/views go to these types with these shares (videos and articles are clicked most)
CLICK_TYPE_SHARES = (0.22, 0.18, 0.28, 0.12, 0.20)


@dataclass(frozen=True)
class Plant:
    audience: str
    topic: str
    query: str
    #: multiplies the pair's share of events
    boost: float
    #: share of its searches finding nothing / of its feedback being 没用
    zero_rate: float = 0.05
    not_useful_rate: float = 0.25
    #: demand grows linearly to ``1 + growth`` times by the last week
    growth: float = 0.0


#: Gaps: demand that the content does not meet (the test expects these on top).
PLANTED_GAPS = (
    Plant("gig_workers", "traffic_accident", "外卖骑手撞人谁赔", 4.0, 0.55, 0.8),
    Plant("elderly", "anti_fraud", "保健品骗老人钱怎么追回", 4.0, 0.5, 0.75),
    Plant("farmers", "expropriation", "征地补偿款村里不给", 3.5, 0.5, 0.7),
)
#: Needs: rising demand for content that exists (top queries/topics, not gaps).
PLANTED_NEEDS = (
    Plant("migrant_workers", "labor", "老板拖欠工资怎么办", 3.0, 0.01, 0.1, growth=2.0),
    Plant("parents", "minor_protection", "校园欺凌怎么处理", 2.5, 0.01, 0.1, growth=1.5),
)


@dataclass
class GeneratorConfig:
    events: int = 1_000_000
    profiles: int = 20_000
    weeks: int = 8
    #: the Monday of the last week (default: this week)
    last_week: date = field(default_factory=lambda: week_of(date.today()))
    seed: int = 9
    #: share of searches that are one-off queries (must never reach a report)
    tail_share: float = 0.08
    batch: int = 250_000


def _phrasings(topic_id: str) -> list[str]:
    topic = taxonomy().topics[topic_id]
    terms = [topic.label, *topic.synonyms]
    return [f"{term}{suffix}" for term in terms for suffix in SUFFIXES]


def generate(store: AnalyticsStore, config: GeneratorConfig) -> dict[str, int]:
    """Append ``config.events`` events to ``store``; returns counts per kind."""
    rng = np.random.default_rng(config.seed)
    tax = taxonomy()
    audiences = [a for a in tax.audiences if a != "residents"]
    topics = list(tax.topics)
    n_aud, n_top = len(audiences), len(topics)

    # residents: one or two audiences (15% declared none), a county, an activity level
    primary = rng.integers(0, n_aud + 1, config.profiles)  # n_aud = none declared
    primary[rng.random(config.profiles) < 0.15] = n_aud
    secondary = rng.integers(0, n_aud, config.profiles)
    two = (rng.random(config.profiles) < 0.2) & (primary < n_aud) & (secondary != primary)
    profile_aud = np.array(
        [
            "" if p == n_aud else (f"{audiences[p]},{audiences[s]}" if t else audiences[p])
            for p, s, t in zip(primary, secondary, two, strict=True)
        ],
        dtype=object,
    )
    profile_region = rng.choice(np.array(REGIONS, dtype=object), config.profiles, p=REGION_WEIGHTS)
    activity = rng.pareto(1.5, config.profiles) + 1
    activity /= activity.sum()
    # subjects are random 63-bit pseudonyms, as the HMAC would give
    subjects = rng.integers(1, 2**63, config.profiles, dtype=np.uint64)

    # topic preferences per primary audience (row n_aud: no audience), plants boosted
    prefs = rng.dirichlet(np.full(n_top, 0.6), n_aud + 1)
    plants = [*PLANTED_GAPS, *PLANTED_NEEDS]
    for plant in plants:
        a, t = audiences.index(plant.audience), topics.index(plant.topic)
        prefs[a, t] = prefs[a].max() * plant.boost
    prefs /= prefs.sum(axis=1, keepdims=True)
    zero_rate = np.full((n_aud + 1, n_top), 0.04)
    not_useful_rate = np.full((n_aud + 1, n_top), 0.25)
    growth = np.zeros((n_aud + 1, n_top))
    for plant in plants:
        a, t = audiences.index(plant.audience), topics.index(plant.topic)
        zero_rate[a, t], not_useful_rate[a, t] = plant.zero_rate, plant.not_useful_rate
        growth[a, t] = plant.growth
    phrasings = [np.array(_phrasings(t), dtype=object) for t in topics]
    plant_query = {(audiences.index(p.audience), topics.index(p.topic)): p.query for p in plants}

    first_monday = config.last_week - timedelta(weeks=config.weeks - 1)
    start = np.datetime64(datetime.combine(first_monday, time()), "us")
    week_us = np.int64(7 * 24 * 3600 * 1_000_000)
    kinds = np.array([str(k) for k in KIND_SHARES], dtype=object)
    shares = np.array(list(KIND_SHARES.values()))
    counts: dict[str, int] = {}
    remaining = config.events
    while remaining > 0:
        n = min(config.batch, remaining)
        remaining -= n
        who = rng.choice(config.profiles, n, p=activity)
        aud_row = primary[who]
        # topic per event from the resident's audience, then demand growth over the weeks
        cum = prefs.cumsum(axis=1)[aud_row]
        topic = (cum < rng.random(n)[:, None]).sum(axis=1).clip(0, n_top - 1)
        g = growth[aud_row, topic]
        # week: uniform, except that growing pairs lean late (density ∝ 1 + g·x)
        x = rng.random(n)
        late = np.where(g > 0, (np.sqrt(1 + g * (2 + g) * x) - 1) / np.maximum(g, 1e-9), x)
        week = np.minimum((late * config.weeks).astype(np.int64), config.weeks - 1)
        ts = start + week * week_us + rng.integers(0, week_us, n)
        kind = rng.choice(kinds, n, p=shares)
        nu = not_useful_rate[aud_row, topic]
        feedback = (kind == Kind.useful) | (kind == Kind.not_useful)
        kind[feedback] = np.where(rng.random(feedback.sum()) < nu[feedback], "not_useful", "useful")
        is_search = kind == Kind.search
        zero = is_search & (rng.random(n) < zero_rate[aud_row, topic])

        query = np.full(n, "", dtype=object)
        for i in np.flatnonzero(is_search):
            a, t = int(aud_row[i]), int(topic[i])
            planted = plant_query.get((a, t))
            if planted is not None and rng.random() < 0.5:
                query[i] = planted
                continue
            options = phrasings[t]
            query[i] = options[min(int(rng.zipf(1.6)) - 1, len(options) - 1)]
        tail = is_search & (rng.random(n) < config.tail_share)
        query[tail] = [f"{q} 张{int(k)}家的事" for q, k in zip(query[tail], who[tail], strict=True)]

        doc_event = ~is_search & (kind != Kind.feed)
        doc_type = np.full(n, "", dtype=object)
        doc_type[doc_event] = rng.choice(
            np.array(DOC_TYPES, dtype=object), doc_event.sum(), p=CLICK_TYPE_SHARES
        )
        doc_id = np.full(n, "", dtype=object)
        doc_id[doc_event] = [f"doc-{int(k)}" for k in rng.integers(0, 5000, doc_event.sum())]
        shown = np.full(n, "", dtype=object)
        shown_idx = rng.integers(0, len(SHOWN_PATTERNS), n)
        showing = (is_search & ~zero) | (kind == Kind.feed)
        shown[showing] = np.array(SHOWN_PATTERNS, dtype=object)[shown_idx[showing]]
        topic_text = np.array(topics, dtype=object)[topic]
        topic_text[kind == Kind.feed] = ""
        results = np.where(is_search, np.where(zero, 0, rng.integers(1, 200, n)), -1)

        store.append_columns(
            {
                "ts": ts,
                "kind": kind,
                "subject": subjects[who],
                "audiences": profile_aud[who],
                "region": profile_region[who],
                "query": query,
                "topics": topic_text,
                "doc_id": doc_id,
                "doc_type": doc_type,
                "results": results.astype(np.int32),
                "zero": zero,
                "shown": shown,
            }
        )
        for k, c in zip(*np.unique(kind, return_counts=True), strict=True):
            counts[str(k)] = counts.get(str(k), 0) + int(c)
    return counts
