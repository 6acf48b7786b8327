"""Chinese analysis shared by indexing and querying (see ``analyzers.analysis``).

``analyze`` and ``analyzed_text`` load their module on first use: segmentation loads
the jieba dictionary (a few hundred milliseconds), which code that only reads
article numbers or citations (the crawler's extractors) should not pay for at
start-up. ``normalize`` is bound here eagerly: it shares its submodule's name, and a
lazily bound function would be shadowed by the submodule once that is imported.
"""

from __future__ import annotations

import importlib
from typing import Any

from analyzers.article_numbers import (
    article_label,
    canonical_article_refs,
    cn_to_int,
    int_to_cn,
    parse_article_label,
)
from analyzers.normalize import normalize

_LAZY = {"analyze": "analyzers.analysis", "analyzed_text": "analyzers.analysis"}

__all__ = [
    "analyze",
    "analyzed_text",
    "article_label",
    "canonical_article_refs",
    "cn_to_int",
    "int_to_cn",
    "normalize",
    "parse_article_label",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'analyzers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
