"""Overlapping character bigrams of Chinese text: the recall net under word segmentation.

Residents' phrasing is segmented differently from statute text (搜身 vs 搜查身体,
欠钱 vs 欠款): words then miss while their characters still meet. Bigrams of
CJK runs (after the same normalisation as words) catch these partial matches;
they are indexed in their own field with a low boost so that whole words
still decide the ranking.
"""

from __future__ import annotations

import re

from analyzers.article_numbers import canonical_article_refs
from analyzers.normalize import normalize

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def char_bigrams(text: str) -> list[str]:
    """Every overlapping pair of characters inside each run of CJK characters, in order.

    A lone character between punctuation yields nothing: single characters
    match too much to be worth a posting.
    """
    if not text:
        return []
    prepared = canonical_article_refs(normalize(text))
    out: list[str] = []
    for run in _CJK_RUN.findall(prepared):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def bigram_text(text: str) -> str:
    """Space-joined bigrams, the form the whitespace-tokenised ``bigram`` field indexes."""
    return " ".join(char_bigrams(text))
