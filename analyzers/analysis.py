"""The one analysis chain used at index time and at query time, by every backend."""

from __future__ import annotations

from functools import lru_cache

from analyzers.article_numbers import canonical_article_refs
from analyzers.normalize import normalize
from analyzers.resources import stopwords
from analyzers.segment import cut_for_search


def _is_word(token: str) -> bool:
    # jieba emits punctuation as separate tokens: checking the ends is enough.
    return token[0].isalnum() or token[-1].isalnum()


def analyze(text: str) -> list[str]:
    """Text → search tokens: normalise, canonicalise 第X条, segment, drop stopwords/punctuation.

    Article references become digits (第一千零七十九条 → 第1079条 → 1079) so that a
    resident's 民法典1079条 meets the statute's own numbering.
    """
    if not text:
        return []
    prepared = canonical_article_refs(normalize(text))
    stop = stopwords()
    return [
        token
        for token in cut_for_search(prepared)
        if token not in stop and token.strip() and _is_word(token.strip())
    ]


def analyzed_text(text: str) -> str:
    """Space-joined tokens, the form engines with a whitespace tokenizer index."""
    if len(text) <= 120:
        return _analyzed_short(text)
    return " ".join(analyze(text))


@lru_cache(maxsize=20000)
def _analyzed_short(text: str) -> str:
    # Titles and headings repeat across thousands of articles of one law.
    return " ".join(analyze(text))
