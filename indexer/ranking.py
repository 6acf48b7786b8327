"""Ranking constants shared by every backend (one place, named, documented).

What a backend computes, and all it computes, is

    score(doc) = Σ_terms Σ_fields  term.weight × FIELD_BOOSTS[field] × BM25(term, field)
                 × log2(2 + prior(doc))                      (the static prior)
                 restricted by filters.

Everything beyond that (direct article lookup, concept-coverage reranking,
relaxed fallback, explanations) lives in ``indexer.search`` so the embedded
engine and Elasticsearch rank identically.

Mirroring in Elasticsearch
--------------------------
* text fields: ``title``, ``context``, ``body`` (words) and ``bigram``
  (character bigrams), each a ``whitespace`` analysed text field holding the
  pre-analysed tokens of ``indexer.backends.fields``; a query term becomes one
  ``term`` query per field it targets (``QueryTerm.fields``) with
  ``boost = term.weight × FIELD_BOOSTS[field]`` inside a ``bool.should``;
* BM25 with ``k1 = BM25_K1`` and ``b = BM25_B`` (tantivy's fixed values);
* the prior is stored in a numeric field ``prior`` (float) and applied with
  ``function_score`` + ``field_value_factor`` (``field: prior``, ``modifier:
  log2p``, ``missing: 0``) and ``boost_mode: multiply``. ES's ``log2p`` is
  ``log10(2 + v)`` = ``log2(2 + v) × log10(2)``, a constant factor that the
  function's ``weight`` of log2(10) cancels: scores equal tantivy's
  ``weight_by_field`` (``log2(2 + v)``) scores (``indexer.backends.es_queries``).

A prior value is derived from the multiplier we want: ``v = 2 ** m − 2`` gives
``log2(2 + v) = m``; ``m`` is kept ≥ 1 (a value below 0 would be clamped).
"""

from __future__ import annotations

import math
from typing import Any

#: BM25 parameters (tantivy's are fixed at these values; Elasticsearch is set to match).
BM25_K1 = 1.2
BM25_B = 0.75

#: Per-field multipliers of a term's BM25 score. A descriptive title outranks
#: the body; ``context`` (the law an article belongs to, its chapter, tags) is
#: damped: on STARD, weighting a statute's law title like its text cost 0.05
#: Recall@10, because every article of a law then matches the law's words.
#: ``bigram`` (character bigrams of title and body) is a recall net under word
#: segmentation: low, so that whole words decide when they match.
FIELD_BOOSTS: dict[str, float] = {
    "title": 2.0,
    "context": 0.5,
    "body": 1.0,
    "bigram": 0.5,
}

#: Word fields a plain query term searches; bigram terms search ``bigram`` only.
WORD_FIELDS: tuple[str, ...] = ("title", "context", "body")
BIGRAM_FIELDS: tuple[str, ...] = ("bigram",)

# -- query term weights (relative to the resident's own words = 1.0) ----------

#: Weight of a character bigram of the resident's words.
BIGRAM_WEIGHT = 1.0
#: Colloquial → legal expansions carry the mapping's own weight (0–1) times this:
#: always below the user's words, so expansion adds candidates without
#: outvoting what was typed.
EXPANSION_WEIGHT = 0.6
#: A law named by an old or short name (婚姻法 → 婚姻家庭编) is searched in the
#: ``context`` field (law title, 编/章) with this weight.
LAW_ALIAS_WEIGHT = 1.5
#: Statute words learned from STARD train's judged pairs (``analyzers.learned_terms``)
#: carry their learned share times this (< 1: below the resident's words); 0 switches
#: the learned table off. At most ``LEARNED_MAX_TERMS`` of them join a query.
#: Chosen on STARD with 5-fold held-out runs (``bench/learned_terms_kfold.py``).
LEARNED_EXPANSION_WEIGHT = 0.9
LEARNED_MAX_TERMS = 15
#: No learned word weighs more than this, below what curated expansions reach
#: (``EXPANSION_WEIGHT``); and a query word a curated expression covers gets no learned
#: words at all (``analyzers.query``): legal knowledge first, co-occurrence second.
LEARNED_WEIGHT_CAP = 0.5
#: The learned words of a query weigh at most this × the number of the resident's words
#: in all (scaled down together when more).
LEARNED_BUDGET = 1.0

# -- static prior: authority, status, editorial standing ----------------------

#: Authority by level (宪法 > 法律 > 行政法规 > 司法解释 > 部门规章 > 地方性法规):
#: the multiplier a statute article's score gets for its level. Residents' questions
#: are mostly answered by laws; rules and local regulations add detail.
LEVEL_MULTIPLIER: dict[str, float] = {
    "宪法": 2.0,
    "法律": 2.0,
    "行政法规": 1.5,
    "司法解释": 1.4,
    "部门规章": 1.0,
    "地方性法规": 1.0,
}
#: A statute article whose level is unknown.
UNKNOWN_LEVEL_MULTIPLIER = 1.0
#: Status: current law first; amended/repealed text is demoted (and labelled in
#: results), never hidden — a resident may ask about the law as it stood.
STATUS_MULTIPLIER: dict[str, float] = {
    "现行有效": 1.0,
    "尚未生效": 0.8,
    "已修改": 0.6,
    "已废止": 0.5,
}
#: Cases: guiding cases (指导性案例) bind courts' reasoning, typical cases
#: (典型案例) are chosen by courts to teach; both rank above other cases.
CASE_CATEGORY_MULTIPLIER: dict[str, float] = {
    "指导性案例": 1.6,
    "典型案例": 1.4,
}
#: Other document types, relative to a current 部门规章 article.
TYPE_MULTIPLIER: dict[str, float] = {
    "case": 1.2,
    "video": 1.3,
    "article": 1.3,
    "service": 1.3,
}
#: Every product is multiplied by this so that the smallest (repealed local
#: regulation: 1.0 × 0.5) stays at multiplier 1 and orderings are preserved.
PRIOR_SCALE = 2.0


def prior_multiplier(record: dict[str, Any]) -> float:
    """The factor a document's text score is multiplied by (≥ 1)."""
    kind = record.get("type")
    if kind == "statute_article":
        level = LEVEL_MULTIPLIER.get(record.get("level") or "", UNKNOWN_LEVEL_MULTIPLIER)
        status = STATUS_MULTIPLIER.get(record.get("status") or "", 1.0)
        base = level * status
    elif kind == "case":
        base = TYPE_MULTIPLIER["case"] * CASE_CATEGORY_MULTIPLIER.get(
            record.get("category") or "", 1.0
        )
    else:
        base = TYPE_MULTIPLIER.get(kind or "", 1.0)
    return max(1.0, base * PRIOR_SCALE)


def prior_value(record: dict[str, Any]) -> float:
    """The stored ``prior`` field: ``2 ** m − 2`` so that ``log2(2 + value) = m``."""
    return round(2.0 ** prior_multiplier(record) - 2.0, 6)


def multiplier_of(value: float) -> float:
    """The multiplier a stored prior value applies (what both engines compute)."""
    return math.log2(2.0 + max(0.0, value))


# -- service-layer reranking (``indexer.search.rerank``) ----------------------

#: How many backend hits the service reranks (the rest keep backend order).
RERANK_WINDOW = 50

#: Where residents' questions land (``indexer.search.answer_priors``, learned from
#: STARD train): a statute article of the reranked window is multiplied by
#: (1 + ARTICLE × ln(1 + questions it answered)) × (1 + LAW × ln(1 + its law's (编's)
#: rate)) × (1 + CHAPTER × ln(1 + its chapter's rate)), rate = share of judged articles
#: ÷ share of all articles; 0 switches a level off. Chosen with 5-fold held-out runs
#: (``bench/learned_terms_kfold.py``) from a grid whose neighbours differ by ≤ 0.005.
ARTICLE_PRIOR_WEIGHT = 0.1
LAW_PRIOR_WEIGHT = 0.2
CHAPTER_PRIOR_WEIGHT = 0.05

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

#: Hits of the type a query asks for (找律师 → services) are pinned first; with a
#: profile they are picked from this many of the type (plus the type's audience
#: candidates), rescored like the rest, instead of the top three by relevance.
PERSONAL_INTENT_CANDIDATES = 10

#: A document more than 2.5 times as relevant as another always stays ahead of it.
#: (1.0, with AUDIENCE_BOOST 1.0, until the answer priors: they put 5 points more
#: audience-appropriate content into anonymous top 5s, and with the old cap and boost
#: a profile lifted the share by only +27.6 points; now +31.4. STARD with a neutral
#: profile is unchanged; with the 东阳 普通居民 profile R@10 −0.027 against −0.024.)
PERSONAL_BOOST_CAP = 1.5
#: Document tagged for one of the profile's audiences (× tag strength: 1 for an
#: editorial tag, the confidence for a suggestion; × the audience's weight).
AUDIENCE_BOOST = 1.25
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
