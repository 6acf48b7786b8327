"""Chinese word segmentation: rjieba (jieba-compatible, ~12x faster) + legal dictionary."""

from __future__ import annotations

import threading

import rjieba

from analyzers.resources import legal_terms

_lock = threading.Lock()
_segmenter: rjieba.Jieba | None = None


def segmenter() -> rjieba.Jieba:
    """The process-wide segmenter with the legal user dictionary loaded once."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                jieba = rjieba.Jieba()
                for term, freq in legal_terms():
                    jieba.add_word(term, freq, "nz")
                _segmenter = jieba
    return _segmenter


def cut_for_search(text: str) -> list[str]:
    """Search-mode cut: long words plus their dictionary sub-words.

    劳动合同法 → 劳动 / 合同 / 合同法 / 劳动合同法, so a query for any part matches.
    """
    return segmenter().cut_for_search(text, hmm=True)


def tokenize_with_offsets(text: str, mode: str = "search") -> list[tuple[str, int, int]]:
    """Tokens with their character offsets in ``text``; ``mode`` is ``search`` or ``default``."""
    return segmenter().tokenize(text, mode=mode, hmm=True)
