"""Versioned data files under ``analyzers/data`` (dictionary, stopwords, synonyms)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_lines(name: str) -> Iterator[str]:
    """Non-empty, non-comment lines of a data file (``#`` starts a comment line)."""
    path = DATA_DIR / name
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.strip()
            if line and not line.startswith("#"):
                yield line


@cache
def stopwords() -> frozenset[str]:
    return frozenset(data_lines("stopwords.txt"))


@cache
def legal_terms() -> tuple[tuple[str, int], ...]:
    """(term, frequency) pairs of the legal user dictionary."""
    entries: list[tuple[str, int]] = []
    for line in data_lines("legal_dict.txt"):
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 10000
        entries.append((parts[0], freq))
    return tuple(entries)
