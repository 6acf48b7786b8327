"""Snippets around matched terms, computed on the original text (backend-independent).

Engines cannot highlight pre-tokenised text, so the text is segmented the same
way it was indexed and the words that match a query term are marked: whole
words only, so 民法 is never marked inside 人民法院. Normalised text has the
same length as the original, so offsets carry over unchanged.

Each distinct text is normalised and segmented once and its words kept
(``_prepared``); a query then finds its terms by plain substring search, picks
the window holding the most of them and marks the occurrences that are words.
"""

from __future__ import annotations

import html
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from functools import lru_cache

from analyzers.normalize import normalize
from analyzers.segment import tokenize_with_offsets

MARK_OPEN, MARK_CLOSE = "<em>", "</em>"
SNIPPET_CHARS = 120


def _occurrences(folded: str, terms: Iterable[str]) -> list[tuple[int, int, str]]:
    """Substring occurrences (start, end, term) of the terms, sorted: a superset of word matches."""
    spans = []
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            spans.append((start, start + len(term), term))
            start = folded.find(term, start + 1)
    spans.sort()
    return spans


def _window_anchors(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The occurrences that steer the window.

    Single characters (月, 不) occur everywhere and say little about where the
    answer is: they steer the window only when no longer term occurs.
    """
    longer = [span for span in spans if span[1] - span[0] > 1]
    return longer or spans


_MAX_ANCHORS = 32


def _best_window(spans: list[tuple[int, int, str]], length: int, width: int) -> int:
    """Start of the ``width``-char window covering the most distinct terms (then characters).

    ``spans`` is sorted; at most ``_MAX_ANCHORS`` candidate windows are scored, each
    over the bisected slice of spans it contains, so long texts stay cheap.
    """
    if not spans or length <= width:
        return 0
    starts = [s for s, _, _ in spans]
    step = max(1, len(spans) // _MAX_ANCHORS)
    best_start, best_score = 0, (-1, -1)
    tried: set[int] = set()
    for anchor in starts[::step]:
        start = max(0, min(anchor - width // 4, length - width))
        if start in tried:  # anchors near the end clamp to the same window
            continue
        tried.add(start)
        limit = start + width
        found: set[str] = set()
        chars = 0
        for s, e, term in spans[bisect_left(starts, start) : bisect_right(starts, limit)]:
            if e <= limit:
                found.add(term)
                chars += e - s
        score = (len(found), chars)
        if score > best_score:
            best_start, best_score = start, score
    return best_start


def word_bounds(tokens: list[tuple[str, int, int]], length: int) -> set[int]:
    """Offsets where default-mode words start or end, from a search-mode segmentation.

    Search mode emits each word after its sub-words (劳动 / 合同 / 劳动合同), so scanning
    from the end, a word is the token that ends where the word after it starts. One
    segmentation then serves both purposes; segmenting twice cost a tenth of a search.
    """
    bounds: set[int] = set()
    limit = length
    for _word, start, end in reversed(tokens):
        if end <= limit:
            bounds.add(start)
            bounds.add(end)
            limit = start
    return bounds


_SHIFT = 32  # a word span (start, end) is kept as one int: start << _SHIFT | end


def _whole_words(folded: str) -> array:
    """Spans of ``folded`` where a query term counts as a match: the index's own words.

    The whole text is segmented once, as at indexing, and a search-mode token counts
    unless it lies strictly inside a longer word (民法 in 人民法院). Segmenting per
    query was half of snippet time; kept per text with it (``_prepared``), a query
    only looks its occurrences up. A sorted array, not a set: 8 bytes a word instead
    of ~70, for thousands of cached texts.
    """
    tokens = tokenize_with_offsets(folded)
    bounds = word_bounds(tokens, len(folded))
    return array(
        "Q", sorted({s << _SHIFT | e for _w, s, e in tokens if s in bounds or e in bounds})
    )


def _is_word(words: array, start: int, end: int) -> bool:
    key = start << _SHIFT | end
    at = bisect_left(words, key)
    return at < len(words) and words[at] == key


def _word_spans(
    spans: list[tuple[int, int, str]], words: array, lo: int, hi: int
) -> list[tuple[int, int]]:
    """The occurrences touching ``lo:hi`` that are whole words, longest first, non-overlapping."""
    matches = [(s, e) for s, e, _t in spans if e > lo and s < hi and _is_word(words, s, e)]
    kept: list[tuple[int, int]] = []
    for start, end in sorted(matches, key=lambda span: span[0] - span[1]):
        if all(end <= s or e <= start for s, e in kept):
            kept.append((start, end))
    return sorted(kept)


_SPACES = re.compile(r"\s+")
_HTML_SPECIAL = re.compile(r"[&<>\"']")


def _unchanged(text: str) -> str:
    return text


@lru_cache(maxsize=8192)
def _prepared(raw: str) -> tuple[str, str, array, Callable[[str], str]]:
    """The text with runs of space collapsed, its normalised twin, that twin's words, and
    how to escape pieces of it (most statutes hold no character HTML needs escaped).

    Normalising (OpenCC) and segmenting every hit's whole body dominated a search;
    the same documents recur across queries, so all of it is kept per distinct text.
    """
    text = _SPACES.sub(" ", raw).strip()
    folded = normalize(text)
    escape = html.escape if _HTML_SPECIAL.search(text) else _unchanged
    return text, folded, _whole_words(folded), escape


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """HTML-escaped excerpt of ``text`` with matches wrapped in ``<em>``."""
    text, folded, words, escape = _prepared(text or "")
    if not text:
        return ""
    occurrences = _occurrences(folded, {t for t in terms if t})
    start = _best_window(_window_anchors(occurrences), len(text), width)
    end = min(len(text), start + width)
    marks = _word_spans(occurrences, words, start, end)
    if marks:  # a marked word cut by an edge is shown whole (单位, not <em>位</em>)
        start, end = min(start, marks[0][0]), max(end, marks[-1][1])
    out = ["…" if start > 0 else ""]
    cursor = start
    for s, e in marks:
        out.append(escape(text[cursor:s]))
        out.append(MARK_OPEN + escape(text[s:e]) + MARK_CLOSE)
        cursor = e
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)
