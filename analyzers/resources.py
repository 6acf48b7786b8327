"""Versioned data files under ``analyzers/data`` (dictionary, stopwords, synonyms)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_lines(name: str, directory: Path = DATA_DIR) -> Iterator[str]:
    """Non-empty, non-comment lines of a data file (``#`` starts a comment line)."""
    path = directory / name
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


class Shipped(Generic[T]):
    """Data loaded once from a shipped file, replaceable for a while (k-fold evaluation:
    each fold ranks with material learned on the other folds only)."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = cache(load)
        self._override: list[T] = []

    def get(self) -> T:
        return self._override[-1] if self._override else self._load()

    @contextmanager
    def using(self, value: T) -> Iterator[None]:
        self._override.append(value)
        try:
            yield
        finally:
            self._override.pop()
