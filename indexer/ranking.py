"""Ranking constants shared by every backend (one place, named, documented).

Both the embedded engine and Elasticsearch read these, so the two score the
same way; change them here and re-run ``fasou eval`` to see the effect.
"""

from __future__ import annotations

#: BM25 parameters (tantivy's are fixed at these values; Elasticsearch is set to match).
BM25_K1 = 1.2
BM25_B = 0.75

#: Per-field multipliers of a term's BM25 score. A descriptive title outranks
#: the body; ``context`` (the law an article belongs to, its chapter, tags) is
#: damped: on STARD, weighting a statute's law title like its text cost 0.05
#: Recall@10, because every article of a law then matches the law's words.
FIELD_BOOSTS: dict[str, float] = {
    "title": 2.0,
    "context": 0.5,
    "body": 1.0,
}

#: Scores are compared at this precision; equal scores are ordered by document id.
SCORE_DECIMALS = 5


# -- Personalisation (issue 6) -------------------------------------------------
# Applied by the backend-neutral service layer (indexer/search/personalize.py)
# after the backend has ranked by relevance, so every backend orders alike:
#     final = relevance × (1 + min(PERSONAL_BOOST_CAP, Σ boosts))
# The cap bounds what a profile can do: a document more than (1 + cap) times as
# relevant as another always stays ahead of it.

#: Suggested tags with at least this confidence count as the document's tags
#: for filtering and ranking (weighted by their confidence); weaker ones are
#: stored for editors to review only.
SUGGESTION_MIN_CONFIDENCE = 0.5

#: Only the backend's top hits are rescored; later pages keep backend order.
#: Small on purpose: every hit in the window is loaded and rescored on each
#: search (the latency budget), and on the audience benchmark a window of 15
#: does as well as 50 — what matters is the audience candidates below.
RESCORE_WINDOW = 15
#: The same query is also run restricted to the profile's audiences (a filter,
#: no scoring change), and its top hits join the window: content for the
#: resident that ranks just outside the general top hits can still be found.
AUDIENCE_CANDIDATES = 10

#: A document more than twice as relevant as another always stays ahead of it.
PERSONAL_BOOST_CAP = 1.0
#: Document tagged for one of the profile's audiences (× tag strength: 1 for an
#: editorial tag, the confidence for a suggestion; × the audience's weight).
AUDIENCE_BOOST = 1.0
#: Document on a topic the profile has shown interest in (× normalised affinity).
TOPIC_BOOST = 0.2
#: Local material: full for the resident's county (or deeper), less for the
#: city and province around it, none for national or elsewhere.
REGION_BOOST = 0.12
#: Freshness of videos and 普法 articles: × 0.5 ** (age in days / half-life).
FRESHNESS_BOOST = 0.08
FRESHNESS_HALF_LIFE_DAYS = 365.0
FRESH_TYPES = frozenset({"video", "article"})

#: Weight of an audience inferred from behaviour, relative to a declared one.
IMPLICIT_AUDIENCE_WEIGHT = 0.5
