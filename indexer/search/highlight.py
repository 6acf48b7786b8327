"""Snippets around matched terms, computed on the original text (backend-independent).

Engines cannot highlight pre-tokenised text, so the text is segmented the same
way it was indexed and the words that match a query term are marked: whole
words only, so 民法 is never marked inside 人民法院. Normalised text has the
same length as the original, so offsets carry over unchanged.

Segmenting whole bodies for every hit dominated search time, so the window is
chosen first with plain substring matches and only the window is segmented.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from analyzers.normalize import normalize
from analyzers.segment import tokenize_with_offsets

MARK_OPEN, MARK_CLOSE = "<em>", "</em>"
SNIPPET_CHARS = 120
_MARGIN = 8  # characters segmented beyond the window so edge words segment as in the index


def _candidate_spans(folded: str, terms: list[str]) -> list[tuple[int, int, str]]:
    """Substring occurrences (start, end, term) of the terms, a superset of word matches.

    Single characters (月, 不) occur everywhere and say little about where the
    answer is: they steer the window only when no longer term occurs.
    """
    spans = []
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            spans.append((start, start + len(term), term))
            start = folded.find(term, start + 1)
    longer = [span for span in spans if span[1] - span[0] > 1]
    return sorted(longer or spans)


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


#: Characters jieba never makes part of a word. It segments the runs between them
#: independently, so a run's tokens do not depend on the text around it.
_SEPARATOR = re.compile(
    r"[\s，。；：、！？（）《》〈〉【】「」『』“”‘’…—"  # CJK punctuation
    r",;:!?()\[\]{}<>\"'/\\|~`^=*@$]"  # ASCII punctuation jieba splits at (not +#&._%-)
)


def _runs_with_terms(folded: str, lo: int, hi: int, wanted: set[str]) -> list[tuple[int, int]]:
    """The stretches of ``folded[lo:hi]``, cut at separators, that hold a wanted term.

    Only they can hold a match; segmenting just them gives the tokens that segmenting
    the whole window gives there, at a fraction of the cost (most of a window's clauses
    hold no query term; segmentation was two fifths of snippet time).
    """
    cuts = [m.start() for m in _SEPARATOR.finditer(folded, lo, hi)]
    runs: list[tuple[int, int]] = []
    for term in wanted:
        at = folded.find(term, lo, hi)
        while at >= 0:
            start = cuts[bisect_left(cuts, at) - 1] + 1 if cuts and cuts[0] < at else lo
            i = bisect_left(cuts, at + len(term))
            end = cuts[i] if i < len(cuts) else hi
            runs.append((start, end))
            at = folded.find(term, end, hi)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(runs):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _word_spans(folded: str, lo: int, hi: int, wanted: set[str]) -> list[tuple[int, int]]:
    """Whole-word matches of ``wanted`` in ``folded[lo:hi]``, longest first, non-overlapping."""
    matches = []
    for start, end in _runs_with_terms(folded, lo, hi, wanted):
        tokens = tokenize_with_offsets(folded[start:end])
        # A search-mode sub-word strictly inside a word (民法 in 人民法院) is no real match.
        bounds = word_bounds(tokens, end - start)
        matches += [
            (s + start, e + start)
            for word, s, e in tokens
            if word in wanted and (s in bounds or e in bounds)
        ]
    taken: set[int] = set()
    spans = []
    for start, end in sorted(matches, key=lambda span: span[0] - span[1]):
        if not taken.intersection(range(start, end)):
            spans.append((start, end))
            taken.update(range(start, end))
    return sorted(spans)


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def _prepared(raw: str) -> tuple[str, str]:
    """The text with runs of space collapsed, and its normalised twin.

    Normalising (OpenCC) every hit's whole body was ~40 % of a search; the same
    documents recur across queries, so the pair is kept per distinct text.
    """
    text = _SPACES.sub(" ", raw).strip()
    return text, normalize(text)


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """HTML-escaped excerpt of ``text`` with matches wrapped in ``<em>``."""
    text, folded = _prepared(text or "")
    if not text:
        return ""
    wanted = {t for t in terms if t}
    start = _best_window(_candidate_spans(folded, sorted(wanted)), len(text), width)
    end = min(len(text), start + width)
    lo, hi = max(0, start - _MARGIN), min(len(text), end + _MARGIN)
    out = ["…" if start > 0 else ""]
    cursor = start
    for s, e in _word_spans(folded, lo, hi, wanted):
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[cursor:s]))
        out.append(MARK_OPEN + html.escape(text[s:e]) + MARK_CLOSE)
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)
