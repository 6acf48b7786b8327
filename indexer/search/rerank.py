"""Coverage of the resident's concepts: the reranking step both backends share.

BM25 sums term scores, so an article that repeats one query word can outrank
one that mentions every concept the resident asked about once. The service
reranks the top ``RERANK_WINDOW`` backend hits by how many of the query's
concepts (its content words, stopwords dropped) the document contains:

    final = backend_score × (1 + COVERAGE_WEIGHT × coverage + PHRASE_WEIGHT × phrase)

where ``coverage`` is the length-weighted share of concepts found in the
document's text (title, law title, headings, body) and ``phrase`` the longest
verbatim overlap between the question and that text (up to ``PHRASE_CAP``
characters): wording shared at length is strong evidence of the same rule. It runs on the stored
records the backend returns, so it is the same for every backend.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from analyzers.normalize import normalize
from indexer.search.types import BackendHit, PerRecord

#: How much full coverage multiplies a hit's score (0 disables reranking).
COVERAGE_WEIGHT = 1.0
#: How much a long verbatim overlap with the question adds (phrase proximity).
PHRASE_WEIGHT = 0.5
#: Overlaps are counted up to this many characters (longer adds nothing more).
PHRASE_CAP = 12
_CORE = re.compile(r"[^\u3400-\u9fff0-9a-z]")


def _normalised_text(record: Mapping[str, Any]) -> str:
    """The text a concept is looked for in: what the record says and where it sits."""
    return normalize(_raw_text(record))


#: Kept per document: normalising their text was a third of reranking time.
searchable_text = PerRecord(_normalised_text)


def _raw_text(record: Mapping[str, Any]) -> str:
    parts = [
        record.get("title"),
        record.get("law_title"),
        record.get("part"),
        record.get("chapter"),
        record.get("section"),
        record.get("body"),
        record.get("cause"),
    ]
    return " ".join(p for p in parts if p)


def coverage(concepts: list[str], text: str) -> float:
    """Length-weighted share of ``concepts`` that occur in ``text`` (0 when none given)."""
    if not concepts:
        return 0.0
    total = sum(len(c) for c in concepts)
    found = sum(len(c) for c in concepts if c in text)
    return found / total


def question_core(raw: str) -> str:
    """The question without punctuation or spaces (normalised), for phrase overlap."""
    return _CORE.sub("", normalize(raw))


def question_bigrams(core: str) -> list[str]:
    """The question's consecutive character pairs, in order: cut once per question."""
    return [core[i : i + 2] for i in range(len(core) - 1)]


def phrase_overlap(bigrams: list[str], text: str) -> float:
    """Longest run of the question's characters found verbatim in ``text``, as a share of
    ``PHRASE_CAP`` (runs of consecutive question bigrams present in the text)."""
    # Substring tests run in C; building a set of every bigram of the text did not.
    best = run = 0
    for bigram in bigrams:
        if bigram in text:
            run += 1
            if run > best:
                best = run
        else:
            run = 0
    return min(best + 1 if best else 0, PHRASE_CAP) / PHRASE_CAP


def rerank(
    hits: list[BackendHit],
    concepts: list[str],
    weight: float = COVERAGE_WEIGHT,
    core: str = "",
    phrase_weight: float = PHRASE_WEIGHT,
) -> list[tuple[BackendHit, float, float]]:
    """(hit, coverage, multiplier) sorted by reranked score, ties by id."""
    bigrams = question_bigrams(core) if phrase_weight else []
    scored = []
    for hit in hits:
        text = searchable_text(hit.record)
        cov = coverage(concepts, text)
        phrase = phrase_overlap(bigrams, text) if bigrams else 0.0
        scored.append((hit, cov, 1.0 + weight * cov + phrase_weight * phrase))
    scored.sort(key=lambda item: (-round(item[0].score * item[2], 5), item[0].id))
    return scored
