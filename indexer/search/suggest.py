"""Completions and homophone corrections for the search box (``GET /api/v1/suggest``).

Sources, in order of preference: popular queries (``analyzers/data/popular_queries.txt``),
statute titles (the legal dictionary's titles and the law-alias table) and legal
terms (``analyzers/data/legal_dict.txt``). Each entry is reachable by its
characters, its full pinyin (laodonghetong) and its pinyin initials (ldht);
Chinese input is also matched by pinyin, which forgives homophone typos
(劳动和同 → 劳动合同). Everything is precomputed into sorted key lists, so a
lookup is a few binary searches (p95 well under a millisecond; ``bench/suggest_latency.py``).
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass
from functools import cache

from pypinyin import lazy_pinyin

from analyzers.law_aliases import alias_table, known_short_titles
from analyzers.normalize import normalize
from analyzers.resources import data_lines, legal_terms

#: Source kinds and how they rank (lower first) when prefixes tie.
KIND_RANK = {"query": 0, "law": 1, "term": 2}
MAX_SUGGESTIONS = 10
_ASCII = re.compile(r"^[a-z0-9' ]+$")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # query | law | term
    match: str  # prefix | pinyin | initials | homophone


@dataclass(frozen=True)
class _Entry:
    text: str
    kind: str
    order: int  # position within its source (popular queries: most asked first)


def to_pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``text``; non-Chinese characters are kept as they are."""
    syllables = lazy_pinyin(text, errors=lambda chars: list(chars))
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


@cache
def _char_reading(char: str) -> str:
    """The pinyin a character reads as on its own (its most common reading)."""
    return lazy_pinyin(char, errors=lambda chars: list(chars))[0].lower()


def char_readings(text: str) -> list[str]:
    """One syllable per character, each read alone: per-character lookups are cached,
    where phrase-aware ``lazy_pinyin`` over a whole query cost ~0.7 ms per search."""
    return [_char_reading(char) for char in text]


class _KeyIndex:
    """Sorted (key, entry) pairs: all entries whose key starts with a prefix, by bisect."""

    def __init__(self, pairs: list[tuple[str, int]]) -> None:
        pairs.sort()
        self.keys = [k for k, _ in pairs]
        self.ids = [i for _, i in pairs]

    def prefixed(self, prefix: str, limit: int) -> list[int]:
        start = bisect.bisect_left(self.keys, prefix)
        out = []
        for pos in range(start, len(self.keys)):
            if not self.keys[pos].startswith(prefix):
                break
            out.append(self.ids[pos])
            if len(out) >= limit:
                break
        return out


class Suggester:
    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = entries
        text_keys, full_keys, initial_keys = [], [], []
        self.by_pinyin: dict[str, str] = {}
        words: list[str] = []
        for i, entry in enumerate(entries):
            folded = normalize(entry.text)
            full, initials = to_pinyin(folded)
            text_keys.append((folded, i))
            full_keys.append((full, i))
            initial_keys.append((initials, i))
            if entry.kind != "query" and len(folded) >= 2:
                # The first entry of a reading wins (titles and terms before longer phrases).
                self.by_pinyin.setdefault(full, folded)
                words.append(folded)
        for folded in words:
            # Queries are read character by character (``char_readings``); a word whose
            # phrase reading differs (a polyphone) is also found under that reading, after
            # every phrase reading so that those keep precedence.
            self.by_pinyin.setdefault("".join(char_readings(folded)), folded)
        self.text = _KeyIndex(text_keys)
        self.full = _KeyIndex(full_keys)
        self.initials = _KeyIndex(initial_keys)

    def _ranked(self, ids: list[int]) -> list[_Entry]:
        entries = [self.entries[i] for i in dict.fromkeys(ids)]
        return sorted(entries, key=lambda e: (KIND_RANK[e.kind], len(e.text), e.order))

    def suggest(self, query: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """Completions of ``query``: characters first, then pinyin, then homophones."""
        q = normalize(query).strip()
        if not q:
            return []
        pool = limit * 8
        found: dict[str, Suggestion] = {}

        def take(ids: list[int], match: str) -> None:
            for entry in self._ranked(ids):
                if entry.text not in found and len(found) < limit:
                    found[entry.text] = Suggestion(entry.text, entry.kind, match)

        if _ASCII.match(q):
            letters = q.replace(" ", "").replace("'", "")
            take(self.full.prefixed(letters, pool), "pinyin")
            take(self.initials.prefixed(letters, pool), "initials")
            return list(found.values())
        take(self.text.prefixed(q, pool), "prefix")
        if len(found) < limit and _CJK.search(q):
            full, _initials = to_pinyin(q)
            take(self.full.prefixed(full, pool), "homophone")
        return list(found.values())

    def did_you_mean(self, query: str) -> str | None:
        """The query with homophone typos replaced by dictionary words (劳动和同 → 劳动合同).

        Windows of 2–6 characters that are no dictionary word but read like one
        are replaced, longest first; None when nothing changes.
        """
        text = normalize(query)
        if not _CJK.search(text):
            return None
        known = self.known_words()
        syllables = char_readings(text)
        out = list(text)
        changed = False
        i = 0
        while i < len(text):
            replaced = False
            for width in range(min(6, len(text) - i), 1, -1):
                window = text[i : i + width]
                if window in known or not _CJK.fullmatch(window[0]):
                    continue
                reading = "".join(syllables[i : i + width]).lower()
                word = self.by_pinyin.get(reading)
                if word and len(word) == width and word != window:
                    out[i : i + width] = list(word)
                    changed, replaced = True, True
                    i += width
                    break
            if not replaced:
                i += 1
        return "".join(out) if changed else None

    @cache  # noqa: B019 - one Suggester per process, built once
    def known_words(self) -> frozenset[str]:
        return frozenset(normalize(e.text) for e in self.entries if e.kind != "query")


def _entries() -> list[_Entry]:
    entries: list[_Entry] = []
    seen: set[str] = set()

    def add(text: str, kind: str) -> None:
        if text and text not in seen:
            seen.add(text)
            entries.append(_Entry(text, kind, len(entries)))

    for line in data_lines("popular_queries.txt"):
        add(line, "query")
    for title in sorted(known_short_titles()):
        add(title, "law")
    for alias in alias_table().values():
        add(alias.alias, "law")
    for term, _freq in legal_terms():
        add(term, "term")
    return entries


_lock = threading.Lock()
_suggester: Suggester | None = None


def suggester() -> Suggester:
    """The process-wide suggester (built once, on first use or at app start-up)."""
    global _suggester
    if _suggester is None:
        with _lock:
            if _suggester is None:
                _suggester = Suggester(_entries())
    return _suggester


def suggest(query: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    return suggester().suggest(query, limit)


def did_you_mean(query: str) -> str | None:
    return suggester().did_you_mean(query)
