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
